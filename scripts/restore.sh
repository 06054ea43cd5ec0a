#!/usr/bin/env bash
# Restore a Newsroom backup made by scripts/backup.sh: REPLACES the database and the media.
#
#   scripts/restore.sh FOLDER --yes
#
# The database named by DATABASE_URL (or the SQLite file) gets the backup's content, whatever
# it held before; MEDIA_ROOT gets the backup's files. The cache is cleared afterwards so that
# no page from before the restore is served. See README.md, "Backup and restore".
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3

backup="${1:-}"
if [ -z "$backup" ] || [ ! -f "$backup/backup.txt" ]; then
  echo "usage: scripts/restore.sh FOLDER --yes   (FOLDER made by scripts/backup.sh)" >&2
  exit 2
fi
site_env="$("$PYTHON" scripts/_site_env.py)"
eval "$site_env"
engine="$(sed -n 's/^engine=//p' "$backup/backup.txt")"
if [ "$engine" != "$NEWSROOM_DB_ENGINE" ]; then
  echo "restore: the backup is of a $engine database, this site uses $NEWSROOM_DB_ENGINE" >&2
  exit 2
fi
if [ "${2:-}" != "--yes" ]; then
  echo "restore: this REPLACES the $NEWSROOM_DB_ENGINE database and $NEWSROOM_MEDIA_ROOT" >&2
  echo "         with $backup. Run again with --yes to go ahead." >&2
  exit 2
fi

echo "restore: database ($engine) <- $backup"
if [ "$engine" = postgresql ]; then
  # One transaction: a failure leaves the database as it was.
  pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
    --exit-on-error --dbname "$PGDATABASE" "$backup/database.pgdump"
  "$PYTHON" manage.py migrate --noinput --verbosity 0
else
  "$PYTHON" manage.py migrate --noinput --verbosity 0
  "$PYTHON" manage.py flush --noinput --verbosity 0
  "$PYTHON" manage.py loaddata "$backup/database.xml.gz" --verbosity 0
fi

echo "restore: media -> $NEWSROOM_MEDIA_ROOT"
incoming="$NEWSROOM_MEDIA_ROOT.restoring"
rm -rf "$incoming"
mkdir -p "$incoming"
tar -xzf "$backup/media.tar.gz" -C "$incoming"
rm -rf "$NEWSROOM_MEDIA_ROOT"
mv "$incoming" "$NEWSROOM_MEDIA_ROOT"

"$PYTHON" manage.py shell --verbosity 0 -c "from django.core.cache import cache; cache.clear()"
echo "restore: done"
