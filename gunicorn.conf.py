"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py "webui:create_app()"``.

Everything comes from the environment (docs/deploy.md):
PORT (8000), BIND (0.0.0.0:$PORT), WEB_CONCURRENCY processes (2), GUNICORN_THREADS per
process (2), GUNICORN_TIMEOUT (30 s), GUNICORN_REUSE_PORT (1: a socket per process),
FORWARDED_ALLOW_IPS (127.0.0.1: the proxy's address),
ACCESS_LOG ("-" = stdout, "" = off), PROMETHEUS_MULTIPROC_DIR (a fresh temporary directory).
Logs are JSON lines (webui.core.logs).
"""

import os
import shutil
import tempfile

# Serving through this file means production unless the environment says otherwise:
# create_app then refuses a default SECRET_KEY and logs JSON.
os.environ.setdefault("APP_ENV", "production")

# Prometheus: every web process writes the latency it measures to files in this directory, so
# that /metrics, whichever process answers it, adds up all of them (webui/core/metrics.py).
# Set before any process imports prometheus_client (it reads the variable at import).
os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), f"secop-metrics-{os.getpid()}")
)


def on_starting(server):
    """A fresh directory per server start: another start's files would be counted too."""
    path = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path, exist_ok=True)


def child_exit(server, worker):
    """A process that ended (recycled by max_requests, killed) keeps its counts; only its
    live-gauge files are dropped."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads cover the time a request waits on PostgreSQL (about a quarter of a step) and on
# argon2 (which releases the GIL). A step is mostly CPU, and a process runs Python on one
# core at a time: more threads only fight over the GIL (make bench, 2 cores, 16 clients:
# 2 threads 231 completions/s, 3 -> 218, 4 -> 212). Raise it when PostgreSQL is far away.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# One listening socket per process (SO_REUSEPORT): the kernel spreads new connections over
# the processes. With one shared socket a busy process's threads could accept every
# kept-alive connection and leave the other core idle (docs/performance.md, "Kept-alive
# clients"). GUNICORN_REUSE_PORT=0 goes back to the shared socket.
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "1") != "0"
# Recycle processes now and then so a slow leak never becomes an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# The proxy in front sets X-Forwarded-For/-Proto: trust it only from its own address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn >= 25 opens a control socket in $HOME by default; two servers on one host would
# fight over it. Off unless GUNICORN_CONTROL_SOCKET names a path.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

logger_class = "webui.core.logs.GunicornLogger"
accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
