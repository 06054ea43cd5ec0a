#!/usr/bin/env bash
# Count the CPU instructions Python spends on one reader page, with valgrind's callgrind.
#
# Unlike seconds, the count hardly moves with whatever else this shared machine is doing, so
# two versions of the code compare in one figure. Not a test. It renders the page 5 and then
# 25 times in a fresh process with the test client and prints the difference per request, so
# start-up and first-render costs drop out. PostgreSQL's own work is not counted.
#
# Usage (from the project root; a page of the benchmark database, page cache off):
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench DJANGO_DEBUG=0 \
#   DJANGO_SECRET_KEY=x DJANGO_SECURE_SSL_REDIRECT=0 NEWSROOM_PAGE_CACHE_SECONDS=0 \
#   STATIC_ROOT=var/bench/static bash bench/instructions.sh /articles/generated-1/
# Takes about a minute and a half (valgrind runs Python some fifty times slower).
set -euo pipefail
page="${1:?usage: bench/instructions.sh /path/of/a/page/}"
python="${PYTHON:-.venv/bin/python}"
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }

render() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$python" - "$page" "$1" 2>&1 <<'PY' |
import os, sys
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="localhost")
for _ in range(int(sys.argv[2])):
    status = client.get(sys.argv[1]).status_code
    assert status == 200, f"{sys.argv[1]} answered {status}"
PY
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

few=$(render 5)
many=$(render 25)
echo "$page: $(( (many - few) / 20 / 1000 ))k instructions per request"
