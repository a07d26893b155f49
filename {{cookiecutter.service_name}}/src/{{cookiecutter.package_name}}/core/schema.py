"""Whether the database's schema is at the code's latest migration, for readiness."""

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

# In the working directory, next to migrations/: the project's root, or /app in the image.
ALEMBIC_CONFIG = Path("alembic.ini")
VERSION_TABLE = "alembic_version"
VERSIONS = text(f"SELECT version_num FROM {VERSION_TABLE}")  # noqa: S608 (a constant)
BEHIND = "schema not at the latest migration"


class SchemaCheck:
    """The code's Alembic revisions, read once at start-up, against the database's."""

    def __init__(self, config: Path = ALEMBIC_CONFIG) -> None:
        self.problem: str | None = None
        self.older: frozenset[str] = frozenset()
        if not config.is_file():
            self.problem = f"no {config} in the working directory: schema version unknown"
            return
        script = ScriptDirectory.from_config(Config(str(config)))
        revisions = {revision.revision for revision in script.walk_revisions()}
        self.older = frozenset(revisions - set(script.get_heads()))

    def reason(self, connection: Connection) -> str | None:
        """None when the schema is at the head, else why not; one query when it is.

        A revision this code does not know is taken as newer (migrated for the next
        release during a rolling deploy): still ready.
        """
        if self.problem:
            return self.problem
        try:
            versions = set(connection.scalars(VERSIONS))
        except DBAPIError:
            connection.rollback()
            if inspect(connection).has_table(VERSION_TABLE):
                raise  # the database's own trouble, not a missing schema
            versions = set()  # never migrated
        if not versions or versions & self.older:
            return BEHIND
        return None
