"""Writes on applications. Each takes the objects and the acting user, flushes, and never commits:
the request commits once. The audit log records before/after values on flush."""
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from grantportal.applications import workflow
from grantportal.applications.eligibility import all_passed, application_checks, completeness_problems
from grantportal.applications.models import Application, AppStatus, Attachment, BudgetLine, FundSource, Screening
from grantportal.applications.receipts import content_digest, receipt_url
from grantportal.applications.workflow import WorkflowError
from grantportal.calls.integrity import pledge_text
from grantportal.calls.models import Call
from grantportal.core.audit import audit_action
from grantportal.core.db import ZERO, db, lock_row
from grantportal.core.errors import Refused, stale_message
from grantportal.core.files import discard_unless_used, store_upload
from grantportal.core.money import format_yuan
from grantportal.core.notices import notify
from grantportal.core.timeutil import format_datetime, to_local
from grantportal.core.wording import quoted
from grantportal.orgs.models import Organization
from grantportal.orgs.notices import notify_org

# The largest project budget (and budget line) accepted, in yuan: far above any real call, and well
# inside NUMERIC(14,2) so that a sum of lines never overflows the column.
BUDGET_CAP = Decimal("100000000.00")


class ApplicationError(Refused):
    """An operation on applications refused (``core.errors.Refused``)."""


class StaleVersion(ApplicationError):
    def __init__(self):
        super().__init__(stale_message("该申报书"))


class ReasonRequired(ApplicationError):
    """A screening conclusion against the automatic checks needs a reason: said next to the note field."""

    status = 200

    def __init__(self, message):
        super().__init__(message, field="note")


class SubmitRefused(ApplicationError):
    status = 200

    def __init__(self, problems):
        super().__init__("申报书未能提交，请按以下提示处理后重新提交。")
        self.problems = problems


@dataclass
class LineData:
    category: str
    item: str
    amount: Decimal
    source: FundSource


@dataclass
class ApplicationData:
    """What the applicant typed, already checked by the form."""

    level: object
    category: str = ""
    title: str = ""
    summary: str = ""
    need_analysis: str = ""
    objectives: str = ""
    activity_plan: str = ""
    beneficiaries: str = ""
    target_count: int | None = None
    area_served: str = ""
    district: str | None = None  # 服务镇街, a name from core/districts.py (the form checked it)
    team: str = ""
    lines: list = field(default_factory=list)

    TEXT = ("category", "title", "summary", "need_analysis", "objectives", "activity_plan", "beneficiaries",
            "area_served", "team")


def totals(lines):
    """(total, requested, matched) of budget lines: requested = 申请资助 lines, matched = the rest."""
    total = sum((line.amount for line in lines), ZERO)
    requested = sum((line.amount for line in lines if line.source == FundSource.GRANT), ZERO)
    return total, requested, total - requested


def active_count(org_id, call_id, exclude_id=None, team_id=None):
    """The organization's own applications to the call that count towards its limit; with ``team_id``, those
    of that grassroots team (each team has the call's limit of its own, through its supporting organization)."""
    query = (sa.select(sa.func.count(Application.id))
             .where(Application.org_id == org_id, Application.call_id == call_id,
                    Application.team_id.is_(None) if team_id is None else Application.team_id == team_id,
                    Application.status.in_(workflow.ACTIVE)))
    if exclude_id is not None:
        query = query.where(Application.id != exclude_id)
    return db.session.scalar(query)


def _check_version(app, expected):
    if expected is not None and expected != app.version:
        raise StaleVersion()


def team_problem(call, team):
    """Why ``team`` may not apply to ``call`` (Chinese), or None: the supporting organization must have confirmed
    the team (and still be verified), and the call must admit teams."""
    if team is None or not team.is_supported:
        return "草根团队须经已认证的支持机构（挂靠单位）确认挂靠后，才能通过支持机构申报。"
    if not call.teams_allowed:
        return "本次征集不接受草根团队申报，只接受已登记认证的社会组织申报。"
    return None


def _check_team_cap(app):
    cap = app.call.team_cap
    if app.team_id is not None and cap is not None and app.requested_amount > cap:
        raise ApplicationError(f"申请资助金额合计{format_yuan(app.requested_amount)}，超过本次征集对草根团队的"
                               f"申请上限{format_yuan(cap)}，请调整预算明细中“申请资助”的金额。",
                               field="budget", status=400)


def _apply(app, data):
    for key in ApplicationData.TEXT:
        setattr(app, key, (getattr(data, key) or "").strip())
    app.level = data.level
    app.target_count = data.target_count
    app.district = data.district or None
    lines = list(app.budget_lines)
    for i, new in enumerate(data.lines):
        if i < len(lines):
            line = lines[i]
        else:
            line = BudgetLine(position=i)
            app.budget_lines.append(line)
        line.position, line.category, line.item = i, new.category, new.item
        line.amount, line.source = new.amount, new.source
    for extra in lines[len(data.lines):]:
        app.budget_lines.remove(extra)
    total, requested, matched = totals(data.lines)
    if total > BUDGET_CAP:
        raise ApplicationError("项目总预算不能超过1亿元，请核对各行金额。")
    app.total_budget, app.requested_amount, app.matched_amount = total, requested, matched
    _check_team_cap(app)


def create_draft(call, org, user, data, now, team=None):
    """A new draft of ``org``; with ``team``, the grassroots team's draft through its supporting organization,
    which is then the applicant of record (``org`` is ignored: it is the team's supporting organization)."""
    problem = workflow.apply_window_problem(call, now)
    if problem:
        raise WorkflowError(problem + "不能新建申报。")
    if team is not None:
        problem = team_problem(call, team)
        if problem:
            raise ApplicationError(problem, status=400)
        org = team.supporting_org
    lock_row(Organization, org.id)
    count = active_count(org.id, call.id, team_id=team.id if team else None)
    if count >= call.max_applications_per_org:
        who = "本团队" if team else "本机构"
        raise ApplicationError(f"{who}在本次征集中已有{count}份申报（含草稿），已达上限"
                               f"{call.max_applications_per_org}份。如需重新申报，请先撤回原申报。")
    with audit_action("application.create"):
        app = Application(call=call, org=org, created_by=user, level=data.level, title="",
                          status=AppStatus.DRAFT, team_id=team.id if team else None)
        db.session.add(app)
        _apply(app, data)
        db.session.flush()
    return app


def save_draft(app, data, user, now, expected_version=None):
    _check_version(app, expected_version)
    workflow.check_editable(app, now)
    with audit_action("application.save"):
        _apply(app, data)
        app.updated_at = now  # the row changes (and its version moves on) even if only lines changed
        db.session.flush()
    return app


def standing_documents_for(call, org, today):
    """{required document id: the organization's standing document of that name, valid ``today``}."""
    standing = {d.name: d for d in org.documents if d.valid_on(today)}
    return {doc.id: standing[doc.name.strip()] for doc in call.documents if doc.name.strip() in standing}


def reuse_standing_documents(app, today):
    """Attach the organization's standing documents (常用材料, valid ``today``) to each document of the call
    with the same name that has no file yet: the same stored file, not a new upload. Done once, when the
    draft is created (after the files uploaded with it): a file the applicant removes afterwards is not put
    back. Returns the names of the documents used."""
    attached = {a.document_id for a in app.attachments}
    used = []
    with audit_action("application.standing_documents"):
        for document_id, found in standing_documents_for(app.call, app.org, today).items():
            if document_id not in attached:
                app.attachments.append(Attachment(document_id=document_id, file_id=found.file_id))
                used.append(found.name)
        db.session.flush()
    return used


def add_attachment(app, document, upload, user, now):
    """Store an uploaded file for one of the call's documents (raises UploadError if refused)."""
    workflow.check_editable(app, now)
    with audit_action("application.attachment_add"):
        record = store_upload(upload, user)
        attachment = Attachment(application=app, document=document, file=record)
        db.session.add(attachment)
        app.updated_at = now
        db.session.flush()
    return attachment


def remove_attachment(app, attachment, user, now):
    workflow.check_editable(app, now)
    with audit_action("application.attachment_remove"):
        app.attachments.remove(attachment)
        discard_unless_used(attachment.file)  # a standing document of the organization stays
        app.updated_at = now
        db.session.flush()


def count_for(app):
    """The active applications that count towards the limit ``app`` is judged on (the team's, or the
    organization's own)."""
    return active_count(app.org_id, app.call_id, team_id=app.team_id)


def submission_problems(app, now, step="submit"):
    """Every reason this application cannot be submitted now (Chinese), or an empty list; ``step="forward"``:
    forwarded by a team to its supporting organization."""
    problems = []
    if app.status not in workflow.APPLICATION.transition(step).sources:
        return [f"该申报书状态为{quoted(app.status.label)}，不能提交。"]
    window = workflow.window_problem(app, now)
    if window:
        problems.append(window + "不能再提交。")
    problems += completeness_problems(app)
    checks = application_checks(app, count_for(app), to_local(now).date())
    problems += [c.reason + "。" for c in checks if not c.passed]
    return problems


def _next_number(app):
    prefix = f"{app.call.code}-{app.call.year}-"
    last = db.session.scalar(
        sa.select(Application.number).where(Application.number.startswith(prefix, autoescape=True))
        .order_by(sa.func.length(Application.number).desc(), Application.number.desc()).limit(1))
    seq = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{seq:04d}"


def submit(app, user, now, expected_version=None, signer=None):
    """Submit (or resubmit) an application; a number is given at the first submission. ``signer`` signs the
    call's 诚信承诺书 (calls/integrity.py), kept with the application as signed, with the time.

    The state is checked in this transaction and the row carries a version, so a double-clicked
    submit makes one submission: the second sees a newer version or another state (409)."""
    _check_version(app, expected_version)
    workflow.APPLICATION.require(user, app, "submit", now)
    problems = submission_problems(app, now)
    if problems:
        raise SubmitRefused(problems)
    signer = (signer or "").strip()
    if not signer:
        raise ApplicationError("请填写签署诚信承诺书的法定代表人或其授权代表的姓名。", field="pledge_signer")
    with audit_action("application.submit"):
        app.status = AppStatus.SUBMITTED
        app.submitted_at = now
        app.pledge_signer, app.pledge_signed_at, app.pledge_text = signer, now, pledge_text(app.call)
        app.screening = Screening.PENDING
        db.session.flush()  # takes the write lock (SQLite) before the number is chosen
        if not app.number:
            lock_row(Call, app.call_id)  # one numbering at a time per call (PostgreSQL)
            app.number = _next_number(app)
        app.content_sha256 = content_digest(app)
        db.session.flush()
        notify_org(app.org, "申报已受理",
                   f"{quoted(app.title)}已于{format_datetime(now)}提交（申报编号 {app.number}），可下载申报回执。",
                   link=receipt_url(app))
        if app.executing_team is not None:
            notify(app.executing_team.leader, "支持机构已确认申报",
                   f"{quoted(app.org.name)}已确认申报{quoted(app.title)}，已于{format_datetime(now)}正式提交（申报编号 "
                   f"{app.number}），申报主体为该机构，项目执行团队为{quoted(app.executing_team.name)}。",
                   link=f"/applications/{app.id}")
    return app


def forward_to_support(app, user, now, expected_version=None):
    """A team's leader sends the complete application to the supporting organization for its 确认申报; it does
    not count as submitted until the organization confirms it."""
    _check_version(app, expected_version)
    workflow.APPLICATION.require(user, app, "forward", now)
    problems = submission_problems(app, now, step="forward")
    if problems:
        raise SubmitRefused(problems)
    with audit_action("application.forward"):
        app.status = AppStatus.SUPPORT_PENDING
        app.support_return_reason = None
        db.session.flush()
        notify_org(app.org, "草根团队申报待确认", f"{quoted(app.executing_team.name)}通过贵机构申报{quoted(app.title)}"
                   f"（{app.call.name}），请在申报截止前确认申报或退回。贵机构为申报主体和合同签订方。",
                   link=f"/applications/{app.id}")
    return app


def return_to_team(app, user, reason, now, expected_version=None):
    """The supporting organization sends a team's application back to the team with a reason (退回团队)."""
    _check_version(app, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写退回原因，团队负责人将看到这段说明。", field="reason", status=400)
    t = workflow.APPLICATION.require(user, app, "support_return", now)
    with audit_action("application.support_return"):
        app.status = t.target
        app.support_return_reason = reason
        db.session.flush()
        notify(app.executing_team.leader, "支持机构退回申报",
               f"{quoted(app.org.name)}退回了{quoted(app.title)}，未予确认申报。"
               f"退回原因：{reason}。请修改后重新提交支持机构确认。", link=f"/applications/{app.id}")
    return app


def withdraw(app, user, now, expected_version=None):
    _check_version(app, expected_version)
    t = workflow.APPLICATION.require(user, app, "withdraw", now)
    with audit_action("application.withdraw"):
        app.status = t.target
        db.session.flush()
    return app


def return_for_revision(app, officer, reason, revise_until, now, expected_version=None):
    """退回修改: the applicant may edit and resubmit until ``revise_until``."""
    _check_version(app, expected_version)
    t = workflow.APPLICATION.require(officer, app, "return", now)
    if revise_until <= now:
        raise ApplicationError("修改截止时间须晚于当前时间。")
    with audit_action("application.return"):
        app.status = t.target
        app.return_reason = reason.strip()
        app.revise_until = revise_until
        app.screening = Screening.PENDING
        app.screening_checks = None
        app.screening_override = False
        app.screening_note = None
        app.screened_at = None
        app.screened_by_id = None
        db.session.flush()
        notify_org(app.org, "申报已退回修改",
                   f"{quoted(app.title)}被退回修改，请于{format_datetime(revise_until)}前修改并重新提交。"
                   f"退回原因：{app.return_reason}", link=f"/applications/{app.id}")
    return app


def screen(app, officer, passed, note, checks, now, expected_version=None):
    """Record the officer's screening decision with the automatic checks as they were shown.

    A decision that differs from the automatic result is an override and needs a written reason."""
    _check_version(app, expected_version)
    if app.status not in workflow.SCREENABLE:
        raise WorkflowError(f"该申报书状态为{quoted(app.status.label)}，不能进行资格审查。")
    override = passed != all_passed(checks)
    note = (note or "").strip()
    if override and not note:
        raise ReasonRequired("审查结论与自动审查结果不一致，请填写理由。")
    with audit_action("application.screen"):
        app.screening = Screening.PASSED if passed else Screening.FAILED
        app.screening_checks = [c.as_dict() for c in checks]
        app.screening_override = override
        app.screening_note = note or None
        app.screened_at = now
        app.screened_by_id = officer.id
        db.session.flush()
        notify_org(app.org, app.screening.label, f"{quoted(app.title)}（申报编号 {app.number}）的资格审查"
                   f"结论为{quoted(app.screening.label)}。", link=f"/applications/{app.id}")
    return app


def screen_passing(apps, officer, checks_by_id, now):
    """Record 资格审查通过 for each application of a batch the officer confirmed: only those whose automatic
    checks all pass (``checks_by_id``: as shown to the officer), each audited and told as one decision."""
    for app in apps:
        checks = checks_by_id[app.id]
        if not all_passed(checks):
            raise WorkflowError(f"申报书 {app.number} 的自动审查存在不符合项，不能批量通过，请逐份审查。")
        screen(app, officer, True, None, checks, now)
    return apps


# -- facts stamped by the domains above (review, awards), read by the applicant's workflow -----------------
def _stamp(column, application_ids, now):
    """Set ``column`` to ``now`` where it is still empty. A plain UPDATE: the applicant's version and
    ``updated_at`` stay as they were, since the application's content did not change."""
    if not application_ids:
        return
    db.session.execute(
        sa.update(Application)
        .where(Application.id.in_(sorted(set(application_ids))), column.is_(None))
        .values({column: now, Application.updated_at: Application.updated_at})
        .execution_options(synchronize_session="fetch"))


def stamp_review_started(application_ids, now):
    """Review tells the application that experts have it in a round that has started: from then on its
    content must not change under them, so it can no longer be returned for revision."""
    _stamp(Application.review_started_at, application_ids, now)


def stamp_results_published(application_ids, now):
    """Awards tells the application that it is in a published proposal (公示 or final): from then on the
    applicant cannot withdraw it; giving up an award goes through the officer."""
    _stamp(Application.results_published_at, application_ids, now)
