"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py "webui:create_app()"``.

Everything comes from the environment (docs/deploy.md):
PORT (8000), BIND (0.0.0.0:$PORT), WEB_CONCURRENCY processes (2), GUNICORN_THREADS per
process (2), GUNICORN_TIMEOUT (30 s), GUNICORN_REUSE_PORT (1: a socket per process),
FORWARDED_ALLOW_IPS (127.0.0.1: the proxy's address),
ACCESS_LOG ("-" = stdout, "" = off), PROMETHEUS_MULTIPROC_DIR (a fresh temporary directory),
GC_YOUNG_THRESHOLD (10000: see post_worker_init).
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


def post_worker_init(worker):
    """Move everything the application allocated at start-up (modules, the parsed diagrams,
    templates) out of the garbage collector's sight, and collect the young generation less
    often. Without this, every collection of the oldest generation walked ~140,000 start-up
    objects: a 80-135 ms pause about once every 600 requests, and 0.18 ms of CPU per request
    on average (bench in process, 1,140 requests); frozen and with a 10,000 threshold, 0.03 ms
    and no pause over 3 ms. Cycles are still collected."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


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
# Objects allocated before the young generation is collected (CPython default 700).
GC_YOUNG_THRESHOLD = int(os.environ.get("GC_YOUNG_THRESHOLD", "10000"))
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
