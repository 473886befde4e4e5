"""gunicorn settings for one web instance: `gunicorn -c gunicorn.conf.py` (Procfile `web`).

Every value comes from the environment, with defaults for a 2-core machine:

* GUNICORN_BIND (default 127.0.0.1:$PORT, PORT default 8000)
* WEB_CONCURRENCY worker processes (default: the number of cores, at least 2)
* GUNICORN_THREADS threads per worker (default 4): officers' pages mostly wait on
  PostgreSQL, so threads cover the waiting without another process's memory
* GUNICORN_TIMEOUT (60 s: a register PDF may take seconds) and
  GUNICORN_GRACEFUL_TIMEOUT (30 s to finish requests in flight on SIGTERM)
* PROMETHEUS_MULTIPROC_DIR: where workers write their metrics (app/setup/metrics.py);
  made per instance when unset, emptied at start so a restart does not add old counts.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

wsgi_app = "app:create_app()"
bind = [os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, os.cpu_count() or 2))
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 30)
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE") or 5)
# Recycle a worker now and then (jittered, so not all at once): bounds slow memory growth.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 2000)
max_requests_jitter = max_requests // 10
# Each worker builds its own app (and its own database pool) after the fork: no
# connection or lock is ever shared between processes.
preload_app = False
# Our JSON request log (app/setup/request_log.py) has the request id, user and
# duration; gunicorn's access log would say the same thing again, less well.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The proxy in front says which address is the client's (PROXY_FIX_HOPS in the app).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn 27's control socket defaults to one path per user: two instances on one machine
# would fight over it, so it is off unless GUNICORN_CONTROL_SOCKET names one for this instance.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or "gunicorn.ctl"
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")

# Set before any worker imports prometheus_client (it picks its mode at import).
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="sp-prometheus-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server: Any) -> None:
    """Empty the metrics folder: files of a previous run would be added to this one's counts."""
    folder = Path(_metrics_dir)
    folder.mkdir(parents=True, exist_ok=True)
    # Only prometheus_client's own files: the folder is the operator's to name.
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """A worker that ended keeps its counters in the totals; its live gauges go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
