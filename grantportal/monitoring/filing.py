"""The organization files its report (填报): the text, the spending by budget line and the photos, saved as a
draft or submitted for review, while the project is in progress (履行中) and the report may still be
submitted (``workflow.REPORT``). Each write takes the project's lock, flushes under a named audit action and
never commits."""
from dataclasses import dataclass

from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.files import discard
from grantportal.core.inputs import CONTROL_MESSAGE, has_control
from grantportal.core.photos import PHOTO_EXTENSIONS, store_photo  # noqa: F401 (PHOTO_EXTENSIONS: for the forms)
from grantportal.core.wording import quoted
from grantportal.funding.models import ContractStatus
from grantportal.monitoring.models import ReportPhoto, ReportSpending, ReportStatus
from grantportal.monitoring.workflow import REPORT, MonitoringRefused, check_version, lock_project

MAX_PHOTOS = 9
CAPTION_MAX = 120  # ReportPhoto.caption


@dataclass
class ReportData:
    activities: str
    served_count: int | None
    outcomes: str
    spent: list  # Decimal | None per budget line of the application, in order


def budget_lines(report):
    return list(report.contract.award.application.budget_lines)


def _check_open_for_filing(report, user):
    """The project is in progress and the report may still be submitted (so it may be edited)."""
    contract = report.contract
    if contract.status == ContractStatus.CLOSED:
        raise MonitoringRefused("该项目已结项，不再接受报告。")
    if contract.status != ContractStatus.ACTIVE:
        raise MonitoringRefused(f"合同状态为{quoted(contract.status.label)}，项目履行期间才能填报报告。")
    REPORT.require(user, report, "submit")


def _apply(report, data):
    report.activities = (data.activities or "").strip()
    report.outcomes = (data.outcomes or "").strip()
    report.served_count = data.served_count
    lines = budget_lines(report)
    rows = {row.position: row for row in report.spending}
    for i, line in enumerate(lines):
        spent = data.spent[i] if i < len(data.spent) else None
        row = rows.get(i)
        if row is None:
            if spent is None:
                continue
            row = ReportSpending(position=i, budget_line_id=line.id, category=line.category, item=line.item,
                                 planned=line.amount, spent=spent)
            report.spending.append(row)
        elif spent is None:
            report.spending.remove(row)
        else:
            row.spent = spent


def _submission_problem(report):
    if not report.activities:
        return "请填写本期开展的活动。", "activities"
    if report.served_count is None:
        return "请填写服务人次（没有则填0）。", "served_count"
    if not report.outcomes:
        return "请填写取得的成效。", "outcomes"
    if len(report.spending) < len(budget_lines(report)):
        return "请在预算执行情况中填写每一项预算的本期实际支出（没有支出的填0）。", None
    return None


def save_report(report, user, data, now, expected_version=None, submit=False, uploads=(), remove_photo_ids=(),
                captions=None):
    """Save the organization's report as a draft, or submit it for review (``submit``): the text, the spending
    by budget line, the captions of its photos (``captions``: {photo id: text}), photos removed and added
    (``uploads``: checked JPG/PNG files). If the caller rolls back, the bytes of the files added are deleted
    with the transaction (core.files)."""
    lock_project(report.contract)
    _check_open_for_filing(report, user)
    check_version(report, expected_version)
    captions = {pid: (text or "").strip() for pid, text in (captions or {}).items()}
    if any(has_control(text) for text in captions.values()):
        raise MonitoringRefused("照片说明" + CONTROL_MESSAGE, None, 400)
    if any(len(text) > CAPTION_MAX for text in captions.values()):
        raise MonitoringRefused(f"照片说明每条不超过{CAPTION_MAX}个字。", None, 400)
    with audit_action("report.submit" if submit else "report.save"):
        _apply(report, data)
        for photo in report.photos:
            if photo.id in captions:
                photo.caption = captions[photo.id]
        if report.status == ReportStatus.DUE:
            report.status = REPORT.require(user, report, "save").target
        db.session.flush()
    if remove_photo_ids:
        remove_photos(report, remove_photo_ids, user)
    if uploads:
        add_photos(report, list(uploads), user)
    if submit:
        problem = _submission_problem(report)
        if problem:
            raise MonitoringRefused(*problem, status=400)
        step = REPORT.require(user, report, "submit", now)
        with audit_action(REPORT.audit_action(step)):
            report.status = step.target
            report.submitted_at, report.submitted_by_id = now, user.id
            db.session.flush()
    return report


def add_photos(report, uploads, user):
    """Store checked JPG/PNG photos (at most ``MAX_PHOTOS`` per report). Raises ``UploadError`` for a file
    that is not a real image; returns the stored files (their bytes go if the transaction rolls back)."""
    _check_open_for_filing(report, user)
    if len(report.photos) + len(uploads) > MAX_PHOTOS:
        raise MonitoringRefused(f"每份报告最多上传{MAX_PHOTOS}张照片（已有{len(report.photos)}张）。", "photos", 400)
    stored = []
    with audit_action("report.photo_add"):
        for upload in uploads:
            record = store_photo(upload, user)  # GPS, time and device removed (core/photos.py)
            stored.append(record)
            report.photos.append(ReportPhoto(file=record, caption=""))
        db.session.flush()
    return stored


def remove_photos(report, photo_ids, user):
    _check_open_for_filing(report, user)
    with audit_action("report.photo_remove"):
        for photo in [p for p in report.photos if p.id in set(photo_ids)]:
            report.photos.remove(photo)
            discard(photo.file)
        db.session.flush()
