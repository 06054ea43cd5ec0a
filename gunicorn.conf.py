"""Gunicorn settings for serving Newsroom in production (`make serve`); see README.md.

Everything can be overridden from the environment, and gunicorn's own command-line flags
still win over this file.
"""

import multiprocessing
import os
from pathlib import Path


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Loopback by default: a load balancer or reverse proxy on the same host forwards to it.
# Behind a balancer on another host, bind to the private interface, e.g. 10.0.0.5:8000.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Rendering pages is CPU work, so processes beat threads: the usual 2 × cores + 1, capped so a
# big machine does not start more processes than its database connections allow.
workers = env_int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 12))
# One request per process. On 2 shared cores with 2 workers, sync answered /healthz about 15 %
# faster than gthread with 4 threads (three alternating runs: 730-900 against 640-800
# requests/s, p99 alike). Sync expects a proxy or balancer in front that buffers slow clients;
# without one, use GUNICORN_WORKER_CLASS=gthread, whose threads let them wait cheaply.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
# Only for gthread: gunicorn quietly turns sync workers into gthread ones when threads > 1.
threads = env_int("GUNICORN_THREADS", 4) if worker_class == "gthread" else 1

# Recycle workers now and then so that slow leaks never add up; jitter keeps them from all
# restarting at once.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# A reader page answers in milliseconds; anything still running after this is stuck.
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)

# Logs go to stdout/stderr for the process manager to collect. GUNICORN_ACCESS_LOG=off turns
# the access log off (e.g. for a benchmark).
_access_log = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access_log.lower() in {"", "off", "0", "false", "no"} else _access_log
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Worker heartbeats in memory rather than on a possibly slow disk.
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"

# Proxy trust, the same switch as Django's (DJANGO_TRUST_PROXY_HEADERS, DJANGO_TRUSTED_PROXIES;
# see newsroom/settings.py). Gunicorn's defaults would believe X-Forwarded-Proto, -Ssl and
# -Protocol from 127.0.0.1 whatever the switch says; off, no peer may set any of them.
_trust_proxies = os.environ.get("DJANGO_TRUST_PROXY_HEADERS", "").strip().lower() in {
    "1",
    "true",
    "yes",
    "on",
}
if _trust_proxies:
    forwarded_allow_ips = os.environ.get("DJANGO_TRUSTED_PROXIES", "").strip() or "127.0.0.1,::1"
    secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
else:
    forwarded_allow_ips = ""
    secure_scheme_headers = {}
forwarder_headers = ""

wsgi_app = "newsroom.wsgi:application"
proc_name = "newsroom"
