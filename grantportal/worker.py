"""Entry point for RQ workers (``rq worker grantportal``): RQ calls ``run_job(job_id)`` in a process that
has no Flask app, so one is built from the environment, once per process, and the job runs in it
(``core.jobs.run_job``). It sits beside the app factory, above every domain, so that ``core`` never
imports the app."""
from flask import current_app, has_app_context

from grantportal.app import create_app
from grantportal.core import jobs
from grantportal.core.logs import install_handler

_worker_app = None


def run_job(job_id):
    global _worker_app
    if has_app_context():  # a worker started inside an app (tests: rq.SimpleWorker in the test's app)
        return jobs.run_job(job_id, current_app._get_current_object())
    if _worker_app is None:
        _worker_app = create_app()
        install_handler(_worker_app.config["LOG_FORMAT"])
    return jobs.run_job(job_id, _worker_app)
