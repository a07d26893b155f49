"""Print the next steps. Nothing else: the rendered tree is complete without hooks.

Each stack's files carry names that render empty for the other stack, and the
optional CI files likewise, so a portal that runs no hooks (Backstage's
``fetch:cookiecutter``) gets the same tree as the command line.
"""

SERVICE_NAME = "{{ cookiecutter.service_name }}"

NEXT_STEPS = f"""
Created {SERVICE_NAME}. Next:
  cd {SERVICE_NAME}
  make install    # virtualenv with the service and its dev tools
  make migrate    # create the database schema
  make run        # development server on http://127.0.0.1:8000 (API docs at /docs)
  make test       # the service's tests
"""


def main() -> None:
    print(NEXT_STEPS)


if __name__ == "__main__":
    main()
