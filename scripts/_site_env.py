"""Print the site's database and media settings as shell variables (for backup/restore.sh).

PostgreSQL connection details go out as the PG* variables that pg_dump and pg_restore read,
so that no password appears on a command line.
"""

import os
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

database = settings.DATABASES["default"]
engine = database["ENGINE"].rsplit(".", 1)[-1]
values = {"NEWSROOM_DB_ENGINE": engine, "NEWSROOM_MEDIA_ROOT": str(settings.MEDIA_ROOT)}
if engine == "postgresql":
    values.update(
        PGHOST=database.get("HOST") or "",
        PGPORT=str(database.get("PORT") or ""),
        PGUSER=database.get("USER") or "",
        PGPASSWORD=database.get("PASSWORD") or "",
        PGDATABASE=database["NAME"],
    )
elif engine != "sqlite3":
    sys.exit(f"backup/restore: no support for the {engine} database engine")
for name, value in values.items():
    print(f"export {name}={shlex.quote(value)}")
