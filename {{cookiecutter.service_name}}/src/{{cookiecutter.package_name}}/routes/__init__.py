"""The API's resources: one module per resource, each with a ``router``.

Register a new resource's router here; ``create_app()`` serves every router listed.
"""

from . import items

ROUTERS = [items.router]
