"""gunicorn settings for grantportal: ``gunicorn --config deploy/gunicorn.conf.py grantportal.wsgi:app``
(deploy/systemd/grantportal.service). Settings come from the environment file (/etc/grantportal/env)."""
import os

bind = os.environ.get("GRANTPORTAL_BIND", "127.0.0.1:8000")  # nginx in front (deploy/nginx/grantportal.conf)
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))  # flask doctor counts them too (Redis needed past one)
worker_class = "sync"  # sync workers: gthread spread keep-alive connections unevenly (DESIGN.md §7)
timeout = 180  # a PDF may take RENDER_TIMEOUT (120 s) to render
graceful_timeout = 30
limit_request_line = 16384  # a long query string reaches the app, which answers with its own 414 page
forwarded_allow_ips = "127.0.0.1,::1"  # X-Forwarded-Proto from nginx on this machine only
accesslog = None  # the app writes one line per request without paths (core/logs.py); nginx keeps its own
errorlog = "-"


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR (core/metrics.py), a worker that ended leaves no live gauge behind."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # noqa: PLC0415 (only in multiprocess mode)

        multiprocess.mark_process_dead(worker.pid)
