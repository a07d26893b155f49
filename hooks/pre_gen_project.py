"""Refuse bad answers before cookiecutter writes anything.

Each rule prints one line naming the question and exits 1; cookiecutter then
removes the half-made project directory.
"""

import keyword
import re
import sys

ANSWERS = {
    "project_name": {{ cookiecutter.project_name | tojson }},
    "service_name": {{ cookiecutter.service_name | tojson }},
    "package_name": {{ cookiecutter.package_name | tojson }},
    "description": {{ cookiecutter.description | tojson }},
    "author_name": {{ cookiecutter.author_name | tojson }},
    "author_email": {{ cookiecutter.author_email | tojson }},
    "owner": {{ cookiecutter.owner | tojson }},
    "repository_url": {{ cookiecutter.repository_url | tojson }},
}
SERVICE_NAME = ANSWERS["service_name"]
PACKAGE_NAME = ANSWERS["package_name"]
ANOTHER_PACKAGE = f"answer another package_name, e.g. {PACKAGE_NAME}_service"

# Whole-answer patterns (fullmatch: "$" alone would let a trailing newline through).
DNS_LABEL = re.compile(r"[a-z]([a-z0-9-]{0,61}[a-z0-9])?")
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
EMAIL = re.compile(r"[^@\s\"\\\x00-\x1f\x7f]+@[^@\s\"\\\x00-\x1f\x7f]+\.[^@\s\"\\\x00-\x1f\x7f]+")
# A catalog entity reference, [kind:][namespace/]name, with the catalog's rules for each part:
# the owner of the generated catalog-info.yaml.
ENTITY_REF = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9]*:)?(?:[a-z0-9]+(?:-[a-z0-9]+)*/)?"
    r"(?=[^:/]{1,63}$)[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*"
)
# The repository the service is published to (empty: not known yet).
REPOSITORY_URL = re.compile(r"(https://[^\s\"\\\x00-\x1f\x7f]+)?")
# Free-text answers land in TOML, YAML and Python strings: keep them plain.
UNSAFE_TEXT = re.compile(r'["\\\x00-\x1f\x7f]')

# Keeps every import of the package on one formatted line.
MAX_PACKAGE_LENGTH = 40

# Import names the generated project depends on, or that its layout uses.
RESERVED_PACKAGES = {
    "aiosqlite", "alembic", "annotated_types", "anyio", "apiflask", "apispec",
    "asyncpg", "click", "coverage", "fastapi", "flask", "gunicorn", "h11",
    "httptools", "httpx", "itsdangerous", "jinja2", "marshmallow", "migrations",
    "mypy", "psycopg", "pydantic", "pydantic_core", "pydantic_settings", "pytest",
    "ruff", "sqlalchemy", "src", "starlette", "test", "tests", "uvicorn",
    "uvloop", "webargs", "werkzeug",
}


def problem() -> str | None:
    """Return the first broken rule as one line, or None."""
    for question in ("project_name", "description", "author_name", "owner"):
        if UNSAFE_TEXT.search(ANSWERS[question]):
            return f"{question}: must not contain quotes, backslashes or control characters"
    if not ANSWERS["project_name"].strip():
        return "project_name: must not be empty"
    # The default is "-" when project_name has nothing to make a name from.
    if not re.search("[a-z0-9]", SERVICE_NAME):
        return (
            f"service_name: {SERVICE_NAME!r} has no letters or digits (the default comes from "
            f"project_name {ANSWERS['project_name']!r}); answer service_name"
        )
    if not 2 <= len(SERVICE_NAME) <= 63:
        return f"service_name: {SERVICE_NAME!r} must be 2 to 63 characters long"
    if not DNS_LABEL.fullmatch(SERVICE_NAME):
        return (
            f"service_name: {SERVICE_NAME!r} must be a DNS label (RFC 1035): lowercase "
            "letters, digits and hyphens, starting with a letter and not ending with a hyphen"
        )
    if "--" in SERVICE_NAME:
        return f"service_name: {SERVICE_NAME!r} must not contain a double hyphen"
    if len(PACKAGE_NAME) > MAX_PACKAGE_LENGTH:
        return (
            f"package_name: {PACKAGE_NAME!r} is longer than {MAX_PACKAGE_LENGTH} characters; "
            "answer a shorter package_name"
        )
    if not IDENTIFIER.fullmatch(PACKAGE_NAME):
        return (
            f"package_name: {PACKAGE_NAME!r} must be a lowercase Python identifier "
            "(letters, digits, underscores; not starting with a digit)"
        )
    if keyword.iskeyword(PACKAGE_NAME) or keyword.issoftkeyword(PACKAGE_NAME):
        return f"package_name: {PACKAGE_NAME!r} is a Python keyword; {ANOTHER_PACKAGE}"
    if PACKAGE_NAME in sys.stdlib_module_names:
        return f"package_name: {PACKAGE_NAME!r} shadows a standard-library module; {ANOTHER_PACKAGE}"
    if PACKAGE_NAME in RESERVED_PACKAGES:
        return (
            f"package_name: {PACKAGE_NAME!r} is the name of a dependency or a reserved "
            f"directory; {ANOTHER_PACKAGE}"
        )
    if not EMAIL.fullmatch(ANSWERS["author_email"]):
        return f"author_email: {ANSWERS['author_email']!r} is not an email address"
    if not ENTITY_REF.fullmatch(ANSWERS["owner"]):
        return (
            f"owner: {ANSWERS['owner']!r} must be a catalog group name or entity reference, "
            "e.g. platform or group:default/platform"
        )
    if not REPOSITORY_URL.fullmatch(ANSWERS["repository_url"]):
        return f"repository_url: {ANSWERS['repository_url']!r} must be empty or an https:// URL"
    return None


if __name__ == "__main__":
    message = problem()
    if message:
        print(f"ERROR: {message}", file=sys.stderr)
        sys.exit(1)
