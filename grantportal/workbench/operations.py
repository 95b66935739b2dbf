"""Starting an export: audited (who exported which list, of which call, in which format, how many rows),
then either answered in the request or handed to the job queue when it is large. Flushes, never commits."""
from flask import current_app

from grantportal.core import jobs
from grantportal.core.audit import audit_action, record

EXPORT_JOB = "grantportal.workbench.exports:run_export"


def start_export(user, kind, fmt, call, rows):
    """Record the export in the audit log; return the background ``Job`` when ``rows`` is above the
    ``EXPORT_SYNC_MAX_ROWS`` setting, else None (the view answers with the file itself)."""
    details = {"list": kind.key, "format": fmt, "rows": rows, "call_id": call.id if call is not None else None}
    name = f"export.{kind.key}"
    if rows <= current_app.config["EXPORT_SYNC_MAX_ROWS"]:
        record(name, "call" if call is not None else kind.key, call.id if call is not None else None, details)
        return None
    title = f"导出{call.title + '：' if call is not None else ''}{kind.title}（{fmt.upper()}）"
    with audit_action(name):
        return jobs.enqueue("workbench.export", EXPORT_JOB, title=title, total=rows, created_by=user,
                            kind=kind.key, fmt=fmt, call_id=call.id if call is not None else None)
