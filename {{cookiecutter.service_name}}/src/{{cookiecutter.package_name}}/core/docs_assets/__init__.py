"""The scripts, styles and icon of ``/docs`` and ``/redoc``, served by the service itself.

No CDN: the pages work offline and behind a proxy. Swagger UI comes from the pinned
``swagger-ui-bundle-v2`` package. ReDoc has no such package, so ``redoc.standalone.js``
here is ``bundles/redoc.standalone.js`` of the npm package ``redoc@2.5.4``, unchanged, with
its licence files beside it (``redoc.LICENSE.txt`` is the package's ``LICENSE``).
"""

from dataclasses import dataclass
from pathlib import Path

from swagger_ui_bundle import swagger_ui_path

PREFIX = "/docs/static"
# The files change only with the packages: an hour spares reloads without pinning old copies.
CACHE_SECONDS = 3600

_JS = "text/javascript"  # both frameworks add "; charset=utf-8" to text types
_SWAGGER_UI = Path(str(swagger_ui_path))
_HERE = Path(__file__).parent


@dataclass(frozen=True)
class Asset:
    path: Path
    media_type: str


ASSETS = {
    "swagger-ui-bundle.js": Asset(_SWAGGER_UI / "swagger-ui-bundle.js", _JS),
    "swagger-ui-standalone-preset.js": Asset(_SWAGGER_UI / "swagger-ui-standalone-preset.js", _JS),
    "swagger-ui.css": Asset(_SWAGGER_UI / "swagger-ui.css", "text/css"),
    "favicon.png": Asset(_SWAGGER_UI / "favicon-32x32.png", "image/png"),
    "redoc.standalone.js": Asset(_HERE / "redoc.standalone.js", _JS),
}


def url(name: str) -> str:
    """The path an asset is served at."""
    assert name in ASSETS, name
    return f"{PREFIX}/{name}"
