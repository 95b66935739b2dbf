"""Writes on a call's files. Each names itself in the audit log, flushes, and leaves the commit to the request."""

from grantportal.calls.models import CallFile, CallFileKind, CallStatus
from grantportal.calls.workflow import TransitionRefused
from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.files import DOCUMENT_EXTENSIONS, discard_unless_used, store_upload

MAX_FILES = 20


def _editable(call):
    if call.status == CallStatus.CLOSED:
        raise TransitionRefused("已结束的征集不能再修改附件。")


def add_file(call, kind, title, upload, user):
    """Store ``upload`` (checked: size, type, content) as one of the call's files, after the others."""
    _editable(call)
    if len(call.files) >= MAX_FILES:
        raise TransitionRefused(f"每个征集最多{MAX_FILES}个附件，请先删除不再需要的文件。")
    with audit_action("call.file_add"):
        stored = store_upload(upload, user, allowed=DOCUMENT_EXTENSIONS)
        db.session.flush()
        item = CallFile(call=call, kind=CallFileKind(kind), title=title, file=stored, created_by_id=user.id,
                        position=max((f.position for f in call.files), default=0) + 1)
        db.session.add(item)
        db.session.flush()
    return item


def remove_file(item, user):
    """Take the file off the call; its bytes go too unless a copied call still uses them."""
    _editable(item.call)
    stored = item.file
    with audit_action("call.file_remove"):
        item.call.files.remove(item)
        db.session.delete(item)
        discard_unless_used(stored)
        db.session.flush()


def copy_files(source, call, user):
    """Give ``call`` the files of ``source`` (the same stored bytes), in the same order."""
    with audit_action("call.file_copy"):
        for item in source.files:
            call.files.append(CallFile(kind=item.kind, title=item.title, position=item.position,
                                       file_id=item.file_id, created_by_id=user.id))
        db.session.flush()
