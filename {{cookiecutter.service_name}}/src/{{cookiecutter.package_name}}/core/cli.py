"""The command line of ``python -m <package>.server``."""

import argparse

from . import SERVICE_PACKAGE


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Start the production server.")
    parser.add_argument("--reload", action="store_true", help="development: reload on changes")
    parser.add_argument(
        "--app",
        default=f"{SERVICE_PACKAGE}.app:create_app",
        metavar="MODULE:FACTORY",
        help="serve the app this factory returns (tests and benchmarks wrap create_app)",
    )
    return parser.parse_args(argv)
