"""What 我的参与 shows: the citizen's own records of each kind of participation (DESIGN.md §2 公众). Each kind
is owned by a domain above this one, which answers through ``core.signals``; kinds not built yet show an
honest empty section (暂无记录). Surveys answer here too."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for

from grantportal.citizens.models import Citizen
from grantportal.core import signals
from grantportal.core.db import db
from grantportal.core.signals import ask

LATEST = 5  # records shown per section; the section links to the full list when there are more


@dataclass(frozen=True)
class Record:
    """One thing the citizen did: what, when, where it stands, and its page."""

    title: str
    at: datetime | None
    status: str
    url: str | None = None


@dataclass(frozen=True)
class Section:
    title: str
    about: str
    records: tuple[Record, ...] = ()
    total: int = 0
    more_url: str | None = None


def citizen_of(user):
    """The citizen row of a citizen's account."""
    return db.session.scalar(sa.select(Citizen).where(Citizen.user_id == user.id))


def participation(user):
    """The sections of 我的参与, in the order the page shows them."""
    objections, total = ask(signals.participant_objections, (user.id, LATEST))
    reports, reported = ask(signals.participant_supervision_reports, (user.id, LATEST))
    pledges, pledged = ask(signals.participant_pledges, (user.id, LATEST))
    votes, voted = ask(signals.participant_votes, (user.id, LATEST))
    surveys, answered = ask(signals.participant_surveys, (user.id, LATEST))
    return [
        Section("我的投票", "您在公众投票中的每一票及其回执码。计票结果公布后，可凭回执码核对您的投票已计入。",
                tuple(votes), voted, url_for("votes.mine") if voted > len(votes) else None),
        Section("我的随手拍", "您对执行中项目提交的随手拍监督报告及其处理进度和核查结论。", tuple(reports), reported,
                url_for("supervision.mine") if reported > len(reports) else None),
        Section("我的异议", "在公示期内对拟资助项目提出的异议及其处理进度。", tuple(objections), total,
                url_for("objections.mine") if total > len(objections) else None),
        Section("我的认捐", "您对执行中项目的认捐，以及承接机构确认到账、项目官员核实的情况。", tuple(pledges), pledged,
                url_for("pledges.mine") if pledged > len(pledges) else None),
        Section("我的问卷", "您填写的服务对象满意度问卷。每份问卷每个手机号只能填写一次。", tuple(surveys), answered,
                url_for("surveys.mine") if answered > len(surveys) else None),
    ]
