#!/usr/bin/env bash
# Back up Newsroom: the database and the uploaded media, into one new folder.
#
#   scripts/backup.sh [FOLDER]      (default: var/backups/<UTC time>)
#
# PostgreSQL: pg_dump in its custom format (exact, compressed, restored with pg_restore).
# SQLite: Django's dumpdata, gzipped. Content types and permissions are made again by
# `migrate`, so they are left out and referred to by natural key (--natural-foreign); rows
# keep their primary keys (not --natural-primary: taggit's natural key for a tagged item is
# the story alone, which would merge a story's tags into one). XML, because Django's JSON
# drops the microseconds of every time.
# Media: a tar of MEDIA_ROOT. The settings come from the environment as for the site itself
# (DATABASE_URL, MEDIA_ROOT, ...). See README.md, "Backup and restore".
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3

out="${1:-var/backups/$(date -u +%Y%m%dT%H%M%SZ)}"
if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "backup: $out exists and is not empty; give a new folder" >&2
  exit 1
fi
mkdir -p "$out"

# The database and media settings exactly as the site sees them.
site_env="$("$PYTHON" scripts/_site_env.py)"
eval "$site_env"

echo "backup: database ($NEWSROOM_DB_ENGINE) -> $out"
if [ "$NEWSROOM_DB_ENGINE" = postgresql ]; then
  pg_dump --format=custom --no-owner --no-privileges --file "$out/database.pgdump"
else
  "$PYTHON" manage.py dumpdata --natural-foreign --format xml \
    --exclude contenttypes --exclude auth.permission --exclude sessions \
    --output "$out/database.xml.gz" --verbosity 0
fi

echo "backup: media ($NEWSROOM_MEDIA_ROOT)"
if [ -d "$NEWSROOM_MEDIA_ROOT" ]; then
  tar -czf "$out/media.tar.gz" -C "$NEWSROOM_MEDIA_ROOT" .
else
  tar -czf "$out/media.tar.gz" -T /dev/null
fi

{
  echo "engine=$NEWSROOM_DB_ENGINE"
  echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$out/backup.txt"
echo "backup: done: $out"
