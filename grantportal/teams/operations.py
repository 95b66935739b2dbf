"""Writes on grassroots teams: registration, the supporting organization's decision (挂靠确认), and naming
another supporting organization after a refusal. Each flushes inside its audit action and never commits; the
people concerned are told in the inbox."""
import sqlalchemy as sa

from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.errors import Refused
from grantportal.core.notices import notify
from grantportal.core.permissions import has_role
from grantportal.core.roles import Role
from grantportal.core.wording import quoted
from grantportal.core.workflow import StateMachine, Transition
from grantportal.orgs.models import Organization, OrgStatus
from grantportal.orgs.notices import notify_org
from grantportal.teams.models import SupportStatus, Team

S = SupportStatus
DUPLICATE_FILING = "该备案编号已有团队登记，请核对备案编号。"
TEAMS_PAGE = "/orgs/teams"
MY_TEAM_PAGE = "/teams/mine"


class TeamError(Refused):
    """A team operation refused (shown next to its field, or on the page)."""


def _org_account(user):
    return has_role(user, Role.ORG_MEMBER)


TEAM = StateMachine(
    "team", "support_status", SupportStatus, final=frozenset({S.CONFIRMED}), refusal=TeamError, noun="团队挂靠",
    wrong_state="该团队的挂靠状态为“{state}”，不能{verb}。",
    transitions=(
        Transition("confirm", frozenset({S.PENDING}), S.CONFIRMED, "确认挂靠", "支持机构", _org_account),
        Transition("decline", frozenset({S.PENDING}), S.DECLINED, "拒绝挂靠", "支持机构", _org_account),
        Transition("rename", frozenset({S.DECLINED}), S.PENDING, "重新选择支持机构", "团队负责人", _org_account),
    ),
)


def find_supporting_org(uscc):
    """The registered, verified organization with ``uscc``; refused next to the field otherwise."""
    org = db.session.scalar(sa.select(Organization).where(Organization.uscc == uscc))
    if org is None:
        raise TeamError("平台上没有该统一社会信用代码的社会组织，请核对，或请支持机构先在平台登记。",
                        field="supporting_uscc", status=400)
    if org.status != OrgStatus.VERIFIED:
        raise TeamError(f"{quoted(org.name)}尚未通过平台认证，不能作为支持机构。", field="supporting_uscc", status=400)
    return org


def _filing_taken(number, team_id=None):
    query = sa.select(Team.id).where(Team.filing_number == number)
    if team_id is not None:
        query = query.where(Team.id != team_id)
    return db.session.scalar(query) is not None


def _tell_org(team, org):
    notify_org(org, "草根团队申请挂靠",
               f"{quoted(team.name)}（备案编号 {team.filing_number}，{team.district}）申请以贵机构为"
               "支持机构（挂靠），请在“挂靠团队”页面确认或拒绝。", link=TEAMS_PAGE)


def register_team(data, user, now):
    """A new team led by ``user``, waiting for its supporting organization. ``data``: name, filing_number,
    district, leader_name, leader_phone, supporting_uscc (checked by the form; the organization here)."""
    if getattr(user, "membership", None) is not None:
        raise TeamError("本账户已属于一个社会组织，不能再登记草根团队。", status=403)
    if db.session.scalar(sa.select(Team.id).where(Team.leader_user_id == user.id)) is not None:
        raise TeamError("本账户已登记过团队。", status=409)
    org = find_supporting_org(data["supporting_uscc"])
    if _filing_taken(data["filing_number"]):
        raise TeamError(DUPLICATE_FILING, field="filing_number", status=400)
    with audit_action("team.register"):
        team = Team(name=data["name"], filing_number=data["filing_number"], district=data["district"],
                    leader_name=data["leader_name"], leader_phone=data["leader_phone"], leader_user_id=user.id,
                    supporting_org=org, support_status=S.PENDING, created_at=now)
        db.session.add(team)
        db.session.flush()
        _tell_org(team, org)
    return team


def confirm_support(team, user, now):
    """The supporting organization confirms the team (挂靠确认): from now on the team may apply through it."""
    TEAM.move(team, user, "confirm", now, support_decided_at=now, support_decided_by_id=user.id, decline_reason=None)
    notify(team.leader, "支持机构已确认挂靠",
           f"{quoted(team.supporting_org.name)}已确认作为{quoted(team.name)}的支持机构，"
           "团队可通过该机构申报允许草根团队申报的征集。", link=MY_TEAM_PAGE)
    return team


def decline_support(team, user, reason, now):
    reason = (reason or "").strip()
    if not reason:
        raise TeamError("请填写拒绝理由，团队负责人将看到这段说明。", field="reason", status=400)
    TEAM.move(team, user, "decline", now, support_decided_at=now, support_decided_by_id=user.id, decline_reason=reason)
    notify(team.leader, "支持机构拒绝挂靠", f"{quoted(team.supporting_org.name)}拒绝作为{quoted(team.name)}的支持机构。"
           f"理由：{reason}。可重新选择支持机构。", link=MY_TEAM_PAGE)
    return team


def rename_support(team, uscc, user, now):
    """After a refusal the leader names another (or the same) supporting organization; it is asked again."""
    org = find_supporting_org(uscc)
    TEAM.move(team, user, "rename", now, supporting_org=org, support_decided_at=None, support_decided_by_id=None)
    _tell_org(team, org)
    return team
