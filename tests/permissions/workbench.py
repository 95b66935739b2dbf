"""The officer's 待办 home and list exports: staff read the home and the reports waiting for review; only
officers export; a background export's page and file belong to the officer who asked for it."""
from grantportal.core.db import db
from grantportal.core.jobs_models import Job, JobStatus
from tests.permissions.spec import ALLOW, DENY, Route, ok, staff_only


def _export_job(w):
    """A queued export of the world's officer (its download waits: redirected to the progress page)."""
    if getattr(w, "export_job", None) is None:
        w.export_job = Job(kind="workbench.export", title="导出申报名单", status=JobStatus.QUEUED, total=10,
                           params={"func": "grantportal.workbench.exports:run_export", "kind": "applications",
                                   "fmt": "csv", "call_id": w.call.id}, created_by_id=w.officer.id)
        db.session.add(w.export_job)
        db.session.commit()
    return {"job_id": w.export_job.id}


ROUTES = [
    Route("workbench.home", expect=staff_only(readers=ALLOW)),
    Route("workbench.reports", expect=staff_only(readers=ALLOW)),
    Route("workbench.export_call_list", params=lambda w: {"call_id": w.call.id, "kind": "applications", "fmt": "csv"},
          expect=staff_only(readers=DENY), label="applications"),
    Route("workbench.export_call_list", params=lambda w: {"call_id": w.call.id, "kind": "awards", "fmt": "xlsx"},
          expect=staff_only(readers=DENY), label="awards"),
    Route("workbench.export_list", params=lambda w: {"kind": "payments", "fmt": "xlsx"},
          expect=staff_only(readers=DENY), label="payments"),
    Route("workbench.export_list", params=lambda w: {"kind": "monitoring", "fmt": "csv"},
          expect=staff_only(readers=DENY), label="monitoring"),
    Route("workbench.export_job", params=_export_job, expect=staff_only(readers=DENY)),
    Route("workbench.export_download", params=_export_job, expect=staff_only(readers=DENY, officer=ok(303))),
]
