"""What waits for an officer: each 待办 item is a count from its domain's ``queries.py`` (all over indexed
filters, see migration 0009) and, where the work is per call or per round, the part of it in each call.
Links are named as endpoints and URL values; the view turns them into URLs."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from grantportal.applications.queries import awaiting_screening_by_call
from grantportal.awards.queries import open_objections_by_call
from grantportal.calls.models import Call
from grantportal.core.db import db
from grantportal.funding.queries import payable_tranches_by_call
from grantportal.monitoring.queries import count_overdue_reports, count_reports_awaiting_review
from grantportal.orgs.queries import count_awaiting_verification
from grantportal.pledges.queries import count_awaiting_check
from grantportal.review.queries import count_rounds_past_deadline, rounds_past_deadline
from grantportal.supervision.queries import count_awaiting_assignment
from grantportal.votes.queries import awaiting_publication

MAX_PARTS = 20  # calls or rounds listed under one item; the rest are reached from the list itself


@dataclass
class Link:
    label: str
    count: int
    endpoint: str
    values: dict = field(default_factory=dict)
    url: str = ""  # filled in by the view


@dataclass
class TodoItem:
    key: str
    title: str
    hint: str
    count: int
    link: Link | None = None  # the list where the officer acts on all of them
    parts: list = field(default_factory=list)  # Link per call or round, largest first

    @property
    def more(self):
        return max(0, len(self.parts) - MAX_PARTS)


def _calls(ids):
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(sa.select(Call).where(Call.id.in_(ids)))}


def _per_call(by_call, endpoint, values_for):
    calls = _calls(list(by_call))
    rows = sorted(by_call.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Link(calls[cid].title, n, endpoint, values_for(cid)) for cid, n in rows if cid in calls]


def todo_items(now):
    """Every 待办 item in the order an officer works through them (the lifecycle), with its count."""
    screening = awaiting_screening_by_call()
    objections = open_objections_by_call()
    tranches = payable_tranches_by_call()
    rounds = rounds_past_deadline(now, limit=MAX_PARTS + 1)
    votes, votes_total = awaiting_publication(now, limit=MAX_PARTS + 1)
    items = [
        TodoItem("orgs", "待审核的社会组织", "核实登记信息后认证或退回", count_awaiting_verification(),
                 Link("社会组织管理", 0, "orgs.manage", {"status": "pending"})),
        TodoItem("screening", "待资格审查的申报", "已提交、尚未作出资格审查结论", sum(screening.values()),
                 parts=_per_call(screening, "applications.call_list",
                                 lambda cid: {"call_id": cid, "status": "submitted", "screening": "pending"})),
        TodoItem("rounds", "已过截止时间仍在评审中的轮次", "催促专家、替换专家或结束本轮",
                 count_rounds_past_deadline(now),
                 parts=[Link(f"{r.call.title} · {r.name}", 1, "rounds.detail", {"round_id": r.id}) for r in rounds]),
        TodoItem("votes", "待公布结果的公众投票", "投票已截止：核查存疑投票后公布计票结果", votes_total,
                 parts=[Link(f"{r.call.title} · {r.name}" + (f"（{n} 票待核查）" if n else ""), 1,
                             "votes.manage_round", {"round_id": r.id}) for r, n in votes]),
        TodoItem("objections", "待处理的异议", "公示期内收到、尚未答复", sum(objections.values()),
                 parts=_per_call(objections, "objections.index", lambda cid: {"call_id": cid})),
        TodoItem("tranches", "可拨付的资金", "拨付条件已满足、尚未拨付的分期", sum(tranches.values()),
                 parts=_per_call(tranches, "funding.call_funding", lambda cid: {"call_id": cid})),
        TodoItem("reports", "待审核的报告", "机构已提交的进度、中期和结项报告", count_reports_awaiting_review(),
                 Link("待审核报告", 0, "workbench.reports")),
        TodoItem("overdue", "逾期未交的报告", "已过截止日期、机构尚未提交", count_overdue_reports(now),
                 Link("项目监管（仅逾期）", 0, "monitoring.manage", {"overdue": "1"})),
        TodoItem("supervision", "待分派的随手拍监督", "公众对执行中项目的监督报告，尚未分派核查",
                 count_awaiting_assignment(), Link("随手拍监督", 0, "supervision.queue", {"status": "pending"})),
        TodoItem("pledges", "待核实的公众认捐", "机构已确认到账，核实后计入配套资金", count_awaiting_check(),
                 Link("公众认捐", 0, "pledges.queue", {"status": "received"})),
    ]
    return items


def export_calls(limit=30):
    """The latest calls, for the export links on the home page."""
    return db.session.scalars(sa.select(Call).order_by(Call.id.desc()).limit(limit)).all()
