"""Third-party supervision's writes (DESIGN.md §4 "Purchase of services": 第三方评估/监管; issue 14).

The officer registers an agency (name, USCC, contact), adds its staff (accounts with the role 第三方机构) and
appoints it to a call — every funded project of the call — or to one project, from one date to another; the
staff are told in the inbox. The officer may end an appointment early (提前结束) with a reason and the date it ends:
from that date its staff no longer see its projects nor record anything on them (what they drafted stays readable
to the officers, not to them), and they are told. While appointed, the staff record 实地检查 (a checklist, findings,
photos, the people met) and 中期评估 / 结项评估 (a score per 绩效目标 of the contract, the satisfaction survey, a
conclusion). Each visit and evaluation goes through one machine:

    草稿 / 已退回 --提交 (第三方机构)--> 待确认 --确认 (项目官员)--> 已确认
                                         待确认 --退回 (项目官员, reason)--> 已退回

A draft or returned record can be edited; submitting tells the officer who made the appointment, confirming or
returning tells the agency's staff. A third party not appointed to the project is refused (403) and nothing is
saved. Each write flushes under a named audit action and never commits; refusals raise ``InspectionRefused``.
"""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from grantportal.accounts.models import User
from grantportal.accounts.operations import UsernameTaken, create_user
from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row
from grantportal.core.errors import Refused
from grantportal.core.files import discard
from grantportal.core.inputs import CONTROL_MESSAGE, has_control
from grantportal.core.notices import notify
from grantportal.core.permissions import has_role, is_officer
from grantportal.core.photos import store_photo
from grantportal.core.roles import Role
from grantportal.core.timeutil import format_date, format_datetime, local_today
from grantportal.core.uscc import UsccError, validate_code
from grantportal.core.wording import quoted
from grantportal.core.workflow import StateMachine, Transition
from grantportal.funding.models import Contract, ContractStatus
from grantportal.inspection.models import (
    Agency,
    AgencyStaff,
    Appointment,
    CheckResult,
    IndicatorScore,
    InspectionVisit,
    ThirdPartyEvaluation,
    VisitCheck,
    VisitPhoto,
    WorkStatus,
)
from grantportal.inspection.queries import agency_of, appointments_for, is_appointed, performance_targets

# the checklist of a 实地检查, as data: each item is judged 符合 / 基本符合 / 不符合 with a note
CHECKLIST = ("服务开展与计划一致", "台账记录完整", "资金使用合规", "服务对象知晓", "人员配备到位", "安全措施")
PLACE_MAX = 200
TEXT_MAX = 3000
NOTE_MAX = 500
MAX_PHOTOS = 9
MAX_SCORE = Decimal(100)
NOT_APPOINTED = "您所在的第三方机构未受委托监管该项目，不能记录检查或评估，本次内容未保存。"


class InspectionRefused(Refused):
    """A third-party supervision operation refused (``core.errors.Refused``: message, field, status)."""


def _is_third_party(user):
    return has_role(user, Role.THIRD_PARTY)


def _work_machine(name, noun):
    W = WorkStatus
    return StateMachine(
        name, "status", WorkStatus, final=frozenset({W.CONFIRMED}), refusal=InspectionRefused, noun=noun,
        transitions=(
            Transition("submit", frozenset({W.DRAFT, W.RETURNED}), W.SUBMITTED, "提交", "第三方机构", _is_third_party),
            Transition("confirm", frozenset({W.SUBMITTED}), W.CONFIRMED, "确认", "项目官员", is_officer),
            Transition("return", frozenset({W.SUBMITTED}), W.RETURNED, "退回", "项目官员", is_officer),
        ),
        not_allowed={W.SUBMITTED: f"该{noun}已提交或已确认，不能再提交。",
                     W.CONFIRMED: f"该{noun}当前不是待确认状态，不能确认。",
                     W.RETURNED: f"该{noun}当前不是待确认状态，不能退回。"},
    )


VISIT = _work_machine("inspection_visit", "实地检查记录")
EVALUATION = _work_machine("third_party_evaluation", "第三方评估")


def machine_of(work):
    return VISIT if isinstance(work, InspectionVisit) else EVALUATION


def editable(work):
    return work.status in (WorkStatus.DRAFT, WorkStatus.RETURNED)


def _text(value, what, fieldname, limit, required=True):
    text = (value or "").strip()
    if required and not text:
        raise InspectionRefused(f"请填写{what}。", fieldname, 400)
    if len(text) > limit:
        raise InspectionRefused(f"{what}不能超过{limit}个字。", fieldname, 400)
    if has_control(text, multiline=True):
        raise InspectionRefused(what + CONTROL_MESSAGE, fieldname, 400)
    return text


def _staff_users(agency):
    return [s.user for s in agency.staff if s.user.is_active]


def _tell_agency(agency, title, body, link=None):
    for user in _staff_users(agency):
        notify(user, title, body, link)


def _lock(contract):
    lock_row(Contract, contract.id)


# --- agencies, staff, appointments -----------------------------------------------------------------------

@dataclass
class AgencyData:
    name: str
    uscc: str
    contact_name: str
    contact_phone: str


def create_agency(officer, data):
    name = _text(data.name, "机构名称", "name", 100)
    try:
        uscc = validate_code(data.uscc)
    except UsccError as e:
        raise InspectionRefused(str(e), "uscc", 400) from None
    if db.session.scalar(db.select(Agency.id).where(Agency.uscc == uscc)):
        raise InspectionRefused("该统一社会信用代码的第三方机构已登记。", "uscc", 400)
    contact_name = _text(data.contact_name, "联系人", "contact_name", 40)
    contact_phone = _text(data.contact_phone, "联系电话", "contact_phone", 20)
    with audit_action("inspection.agency.create"):
        agency = Agency(name=name, uscc=uscc, contact_name=contact_name, contact_phone=contact_phone,
                        created_by_id=officer.id)
        db.session.add(agency)
        db.session.flush()
    return agency


def add_staff(agency, officer, username, name, password, phone=None, link=None):
    """A new account with the role 第三方机构, working for ``agency``; told in the inbox."""
    name = _text(name, "姓名", "name", 40)
    try:
        user = create_user(username, name, password, role=Role.THIRD_PARTY, phone=phone or None)
    except UsernameTaken as e:
        raise InspectionRefused(str(e), "username", 400) from None
    with audit_action("inspection.staff.add"):
        db.session.add(AgencyStaff(agency=agency, user=user))
        db.session.flush()
        notify(user, "已登记为第三方机构工作人员",
               f"您已登记为{quoted(agency.name)}的工作人员，可在“我的监管项目”中查看受委托监管的项目。", link)
    return user


def appoint(agency, officer, starts_on, ends_on, call=None, contract=None, link=None):
    """Appoint ``agency`` to ``call`` (its funded projects) or to ``contract`` from ``starts_on`` to ``ends_on``
    (local dates, both inclusive); its staff are told."""
    if (call is None) == (contract is None):
        raise InspectionRefused("请选择委托监管的征集或项目（二者选一）。", "target", 400)
    if starts_on is None:
        raise InspectionRefused("请填写委托开始日期。", "starts_on", 400)
    if ends_on is None:
        raise InspectionRefused("请填写委托结束日期。", "ends_on", 400)
    if ends_on < starts_on:
        raise InspectionRefused("委托结束日期不能早于开始日期。", "ends_on", 400)
    if contract is not None and contract.status not in (ContractStatus.ACTIVE, ContractStatus.SIGNED,
                                                        ContractStatus.ISSUED):
        raise InspectionRefused(f"该项目合同状态为{quoted(contract.status.label)}，不能委托监管。", "target", 400)
    what = (f"征集{quoted(call.name)}的资助项目" if call is not None
            else f"项目{quoted(contract.award.application.title)}")
    with audit_action("inspection.appoint"):
        appointment = Appointment(agency=agency, call=call, contract=contract, starts_on=starts_on, ends_on=ends_on,
                                  created_by_id=officer.id)
        db.session.add(appointment)
        db.session.flush()
        _tell_agency(agency, "受委托开展第三方监管",
                     f"{quoted(agency.name)}受委托监管{what}，委托期限{format_date(starts_on)}至{format_date(ends_on)}。"
                     "请在“我的监管项目”中开展实地检查和评估。", link)
    return appointment


def _appointment_scope(appointment):
    if appointment.call is not None:
        return f"征集{quoted(appointment.call.name)}的资助项目"
    return f"项目{quoted(appointment.contract.award.application.title)}"


def end_appointment(appointment, officer, ended_on, reason, now, link=None):
    """End ``appointment`` early (提前结束): from ``ended_on`` (a local date, from its start to its planned end) it
    no longer covers its projects, so its agency's staff lose them (``Appointment.in_force``); what they drafted
    stays readable to the officers and auditors, not to them. Refused (409) once ended or after its planned end; the
    staff are told why."""
    appointment = lock_row(Appointment, appointment.id, reload=True)  # a double-clicked 提前结束 ends it once
    if appointment.ended_on is not None:
        raise InspectionRefused(f"该委托已于{format_date(appointment.ended_on)}提前结束，不能再次结束。")
    if appointment.ends_on < local_today():
        raise InspectionRefused(f"该委托已于{format_date(appointment.ends_on)}到期，无需提前结束。")
    reason = _text(reason, "提前结束的理由", "reason", NOTE_MAX)
    if ended_on is None:
        raise InspectionRefused("请填写结束日期。", "ended_on", 400)
    if ended_on < appointment.starts_on:
        raise InspectionRefused(f"结束日期不能早于委托开始日期（{format_date(appointment.starts_on)}）。",
                                "ended_on", 400)
    if ended_on > appointment.ends_on:
        raise InspectionRefused(f"结束日期不能晚于原定委托结束日期（{format_date(appointment.ends_on)}）。",
                                "ended_on", 400)
    agency = appointment.agency
    with audit_action("inspection.appointment.end"):
        appointment.ended_on, appointment.end_reason = ended_on, reason
        appointment.ended_at, appointment.ended_by_id = now, officer.id
        db.session.flush()
        _tell_agency(agency, "委托监管已提前结束",
                     f"{quoted(agency.name)}对{_appointment_scope(appointment)}的委托监管自{format_date(ended_on)}起"
                     f"提前结束：{reason}。此后不能再查看或记录相关项目的检查与评估，尚未提交的记录由项目官员查阅。",
                     link)
    return appointment


def _appointing_officers(work):
    """Who is told when a record is submitted: the officers who appointed the agency to this project."""
    ids = dict.fromkeys(a.created_by_id for a in appointments_for(work.contract, work.agency_id))
    return [db.session.get(User, i) for i in ids]


def _require_appointed(user, contract, now):
    if not is_appointed(user, contract):
        raise InspectionRefused(NOT_APPOINTED, status=403)
    if contract.status != ContractStatus.ACTIVE:
        raise InspectionRefused(f"项目合同状态为{quoted(contract.status.label)}，只能对履行中的项目记录检查或评估。")


# --- 实地检查 --------------------------------------------------------------------------------------------

@dataclass
class CheckData:
    result: CheckResult | None
    note: str = ""


@dataclass
class VisitData:
    visited_at: datetime | None  # aware UTC
    place: str
    findings: str = ""
    people_met: str = ""
    checks: list = field(default_factory=list)  # CheckData per CHECKLIST item, in order


@dataclass
class Photo:
    """An uploaded photo already checked by the view (``core.files.check_upload``), rewound."""
    upload: object


def _visit_fields(visit, data, submitting):
    if data.visited_at is None:
        raise InspectionRefused("请填写检查时间。", "visited_at", 400)
    place = _text(data.place, "检查地点", "place", PLACE_MAX)
    findings = _text(data.findings, "发现的问题", "findings", TEXT_MAX, required=False)
    people = _text(data.people_met, "访谈人员", "people_met", TEXT_MAX, required=False)
    checks = list(data.checks)
    if len(checks) != len(CHECKLIST):
        raise InspectionRefused("检查表不完整，请刷新页面后重新填写。", None, 400)
    missing = {f"checks-{i}-result": f"请选择{quoted(item)}的检查结论。"
               for i, (item, c) in enumerate(zip(CHECKLIST, checks, strict=True)) if c.result is None}
    if submitting and missing:
        raise InspectionRefused("检查表中还有未选择结论的项目：" + "、".join(
            CHECKLIST[i] for i, c in enumerate(checks) if c.result is None) + "。", None, 400, fields=missing)
    for i, c in enumerate(checks):
        _text(c.note, f"{quoted(CHECKLIST[i])}的说明", f"checks-{i}-note", NOTE_MAX, required=False)
    if submitting and any(c.result == CheckResult.FAILS for c in checks) and not findings:
        raise InspectionRefused("有“不符合”的检查项时，请填写发现的问题。", "findings", 400)
    if submitting and not people:
        raise InspectionRefused("请填写访谈人员（姓名及职务，每行一人）。", "people_met", 400)
    visit.visited_at, visit.place, visit.findings, visit.people_met = data.visited_at, place, findings, people
    if not visit.checks:
        visit.checks = [VisitCheck(position=i, item=item) for i, item in enumerate(CHECKLIST)]
    for row, c in zip(visit.checks, checks, strict=True):
        row.result, row.note = c.result, (c.note or "").strip()


def save_visit(contract, user, data, now, visit=None, submit=False, photos=(), remove_photo_ids=(), link_for=None):
    """Create (``visit`` None) or edit a draft or returned visit; with ``submit`` hand it to the officer.
    Refused (403, nothing saved) unless ``user`` works for an agency appointed to ``contract`` today."""
    _lock(contract)
    _require_appointed(user, contract, now)
    agency = agency_of(user)
    if visit is not None:
        if visit.agency_id != agency.id or visit.contract_id != contract.id:
            raise InspectionRefused(NOT_APPOINTED, status=403)
        if not editable(visit):
            raise InspectionRefused(f"该实地检查记录{visit.status.label}，不能再修改。")
    step = VISIT.require(user, visit or InspectionVisit(status=WorkStatus.DRAFT), "submit") if submit else None
    remove = set(remove_photo_ids)
    photos = list(photos)
    kept = [p for p in (visit.photos if visit else []) if p.id not in remove]
    if len(kept) + len(photos) > MAX_PHOTOS:
        raise InspectionRefused(f"每次检查最多上传{MAX_PHOTOS}张照片。", "photos", 400)
    with audit_action("inspection_visit.save" if visit else "inspection_visit.create"):
        if visit is None:
            visit = InspectionVisit(contract=contract, agency=agency, created_by_id=user.id, created_at=now,
                                    status=WorkStatus.DRAFT, visited_at=data.visited_at or now, place="")
            db.session.add(visit)
        _visit_fields(visit, data, submit)
        for photo in [p for p in visit.photos if p.id in remove]:
            visit.photos.remove(photo)
            discard(photo.file)
        for item in photos:
            visit.photos.append(VisitPhoto(file=store_photo(item.upload, user)))  # GPS, time, device removed
        db.session.flush()
    if step is not None:
        _submit(VISIT, step, visit, user, now, "实地检查记录", link_for)
    return visit


def _submit(machine, step, work, user, now, noun, link_for):
    title = work.contract.award.application.title
    with audit_action(machine.audit_action(step)):
        work.status, work.return_reason = step.target, None
        work.submitted_at, work.submitted_by_id = now, user.id
        db.session.flush()
        for officer in _appointing_officers(work):
            notify(officer, f"{noun}待确认",
                   f"{quoted(work.agency.name)}提交了项目{quoted(title)}的{noun}，请确认或退回。",
                   link_for(work) if link_for else None)


def decide(work, officer, confirm, now, reason="", link_for=None):
    """The officer confirms a submitted visit or evaluation, or returns it with ``reason``; the agency's staff
    are told."""
    _lock(work.contract)
    machine = machine_of(work)
    step = machine.require(officer, work, "confirm" if confirm else "return")
    noun = "实地检查记录" if machine is VISIT else work.kind.label
    title = work.contract.award.application.title
    if not confirm:
        reason = _text(reason, "退回理由", "reason", NOTE_MAX)
    with audit_action(machine.audit_action(step)):
        work.status = step.target
        work.decided_at, work.decided_by_id = now, officer.id
        work.return_reason = None if confirm else reason
        db.session.flush()
        if confirm:
            _tell_agency(work.agency, f"{noun}已确认", f"项目{quoted(title)}的{noun}已经项目官员确认。",
                         link_for(work) if link_for else None)
        else:
            _tell_agency(work.agency, f"{noun}被退回",
                         f"项目{quoted(title)}的{noun}被退回：{reason}。请修改后重新提交。",
                         link_for(work) if link_for else None)
    return work


# --- evaluations -----------------------------------------------------------------------------------------

@dataclass
class ScoreData:
    score: Decimal | None
    note: str = ""


@dataclass
class EvaluationData:
    surveyed: int | None = None
    satisfaction: Decimal | None = None
    conclusion: str = ""
    scores: list = field(default_factory=list)  # ScoreData per indicator, in order


def indicators_for(contract, evaluation=None):
    """The indicators an evaluation scores: its own rows once saved, else the contract's 绩效目标."""
    if evaluation is not None and evaluation.scores:
        return [s.indicator for s in evaluation.scores]
    return performance_targets(contract)


def _evaluation_fields(evaluation, indicators, data, submitting):
    scores = list(data.scores)
    if len(scores) != len(indicators):
        raise InspectionRefused("评分表不完整，请刷新页面后重新填写。", None, 400)
    for i, s in enumerate(scores):
        if s.score is not None and not (Decimal(0) <= s.score <= MAX_SCORE):
            raise InspectionRefused("每项得分须在0至100分之间。", f"scores-{i}-score", 400)
        _text(s.note, "评分说明", f"scores-{i}-note", NOTE_MAX, required=False)
    if data.satisfaction is not None and not (Decimal(0) <= data.satisfaction <= MAX_SCORE):
        raise InspectionRefused("满意率须在0至100之间。", "satisfaction", 400)
    if data.surveyed is not None and data.surveyed < 0:
        raise InspectionRefused("调查人数不能为负数。", "surveyed", 400)
    conclusion = _text(data.conclusion, "评估结论", "conclusion", TEXT_MAX, required=submitting)
    if submitting:
        missing = {f"scores-{i}-score": "请填写该项得分。" for i, s in enumerate(scores) if s.score is None}
        if missing:
            raise InspectionRefused("还有绩效目标未评分。", None, 400, fields=missing)
        if data.surveyed is None:
            raise InspectionRefused("请填写满意度调查人数。", "surveyed", 400)
        if data.satisfaction is None:
            raise InspectionRefused("请填写满意率。", "satisfaction", 400)
    evaluation.surveyed, evaluation.satisfaction, evaluation.conclusion = data.surveyed, data.satisfaction, conclusion
    if not evaluation.scores:
        evaluation.scores = [IndicatorScore(position=i, indicator=text[:500]) for i, text in enumerate(indicators)]
    for row, s in zip(evaluation.scores, scores, strict=True):
        row.score, row.note = s.score, (s.note or "").strip()
    given = [s.score for s in scores if s.score is not None]
    evaluation.score = (sum(given) / len(given)).quantize(Decimal("0.01")) if given else None


def save_evaluation(contract, user, kind, data, now, evaluation=None, submit=False, link_for=None):
    """Create or edit a third party's 中期评估 / 结项评估 of ``contract``: a score per 绩效目标, the satisfaction
    survey and a conclusion. One per kind and agency; refused (403) unless appointed."""
    _lock(contract)
    _require_appointed(user, contract, now)
    agency = agency_of(user)
    if evaluation is not None:
        if evaluation.agency_id != agency.id or evaluation.contract_id != contract.id:
            raise InspectionRefused(NOT_APPOINTED, status=403)
        if not editable(evaluation):
            raise InspectionRefused(f"该{evaluation.kind.label}{evaluation.status.label}，不能再修改。")
    else:
        exists = db.session.scalar(db.select(ThirdPartyEvaluation.id).where(
            ThirdPartyEvaluation.contract_id == contract.id, ThirdPartyEvaluation.agency_id == agency.id,
            ThirdPartyEvaluation.kind == kind))
        if exists:
            raise InspectionRefused(f"本机构已有该项目的{kind.label}记录，请在原记录中修改。")
    indicators = indicators_for(contract, evaluation)
    if not indicators:
        raise InspectionRefused("该项目合同未载明绩效目标（服务内容与成效指标），无法逐项评分，请联系项目官员。")
    step = EVALUATION.require(user, evaluation or ThirdPartyEvaluation(status=WorkStatus.DRAFT), "submit") \
        if submit else None
    with audit_action("third_party_evaluation.save" if evaluation else "third_party_evaluation.create"):
        if evaluation is None:
            evaluation = ThirdPartyEvaluation(contract=contract, agency=agency, kind=kind, created_by_id=user.id,
                                              created_at=now, status=WorkStatus.DRAFT)
            db.session.add(evaluation)
        _evaluation_fields(evaluation, indicators, data, submit)
        db.session.flush()
    if step is not None:
        _submit(EVALUATION, step, evaluation, user, now, kind.label, link_for)
    return evaluation


def describe_visit(visit):
    """One line for timelines: when, where, how many items did not meet the checklist."""
    fails = sum(1 for c in visit.checks if c.result == CheckResult.FAILS)
    return (f"{visit.agency.name}，{format_datetime(visit.visited_at)}，{visit.place}"
            + (f"；{fails}项不符合" if fails else "；检查项均符合或基本符合"))
