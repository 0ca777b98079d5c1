"""Alembic migrations shipped inside the package.

HEAD is the newest revision; KNOWN_REVISIONS every revision this release can
upgrade from. A test checks both against Alembic's own script directory, so
reading the database's revision needs no Alembic import on every command.
"""

HEAD = "0015"
KNOWN_REVISIONS = ("0001", "0007", "0003", "0005", "0009", "0008", "0004", "0002", "0010", "0011", "0012", "0013", "0014", "0015",)
