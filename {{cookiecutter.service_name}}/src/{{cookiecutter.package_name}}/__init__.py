"""{{ cookiecutter.description }}"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("{{ cookiecutter.service_name }}")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
