"""{{ cookiecutter.description }}"""

from importlib.metadata import PackageNotFoundError, version

TITLE = "{{ cookiecutter.project_name }}"
DESCRIPTION = "{{ cookiecutter.description }}"

try:
    __version__ = version("{{ cookiecutter.service_name }}")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
