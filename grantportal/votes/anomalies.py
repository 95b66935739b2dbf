"""Anomaly rules against 刷票 (DESIGN.md §4 Public participation: "anomalies flagged with reasons and decided by an
officer with a reason"; issue 13). They run on each vote, in its transaction (``operations.cast_vote``), and read
only vote and citizen rows, by index:

- 单个项目短时间内得票激增 (``BURST``): at least ``burst_votes`` votes for one project within ``burst_seconds``;
- 同一网段大量新开通账户 (``NEW_ACCOUNTS``): the voter's account is less than ``new_account_hours`` old and at least
  ``new_accounts`` such new accounts voted in the round from the same /24 network in that time (SIM farms);
- 手机号码连号 (``SEQUENTIAL_PHONES``): at least ``sequential_voters`` other voters for the same project have numbers
  within ``sequential_span`` of the voter's (numbers bought in a block);
- 深夜集中同步投票 (``NIGHT_LOCKSTEP``): between 00:00 and 06:00 Beijing time, at least ``night_votes`` votes for one
  project within ``night_seconds`` (scripts and paid groups voting on cue while real voters sleep).

A rule that matches flags the vote that set it off and every vote of the same pattern that is still valid and that
no officer has decided on (a vote an officer confirmed is never flagged again): each gets status 待核查 and a
``VoteFlag`` with the rule and its reason, written for the officer (numbers of votes and thresholds, never a phone
number). A flagged vote does not count until an officer confirms it. The thresholds are site settings
(``VOTE_*`` in config.py); the rules err towards flagging, since an officer decides and a flag loses no vote."""
from dataclasses import dataclass, fields
from datetime import timedelta

import sqlalchemy as sa

from grantportal.citizens.models import Citizen
from grantportal.core.db import db
from grantportal.core.timeutil import to_local
from grantportal.votes.models import AnomalyRule, Vote, VoteFlag, VoteStatus

NIGHT_HOURS = range(0, 6)  # 00:00–05:59 Beijing time


@dataclass(frozen=True)
class Thresholds:
    burst_votes: int = 30
    burst_seconds: int = 60
    new_accounts: int = 5
    new_account_hours: int = 24
    sequential_voters: int = 3
    sequential_span: int = 10
    night_votes: int = 5
    night_seconds: int = 120

    @classmethod
    def from_config(cls, config):
        """From the site settings ``VOTE_BURST_VOTES`` … ``VOTE_NIGHT_SECONDS``."""
        return cls(**{f.name: int(config[f"VOTE_{f.name.upper()}"]) for f in fields(cls)})


def _count(*where, distinct=None):
    what = sa.func.count(sa.distinct(distinct)) if distinct is not None else sa.func.count()
    return db.session.scalar(sa.select(what).select_from(Vote).where(*where))


def burst(vote, citizen, now, t):
    where = (Vote.round_id == vote.round_id, Vote.application_id == vote.application_id,
             Vote.cast_at >= now - timedelta(seconds=t.burst_seconds))
    n = _count(*where)
    if n < t.burst_votes:
        return None
    return where, (f"该项目{t.burst_seconds}秒内收到{n}票（阈值：{t.burst_seconds}秒内{t.burst_votes}票），"
                   f"最近一票于{to_local(now):%m月%d日 %H:%M:%S}。")


def new_accounts(vote, citizen, now, t):
    since = now - timedelta(hours=t.new_account_hours)
    if citizen.created_at < since:
        return None
    new = sa.select(Citizen.id).where(Citizen.id == Vote.citizen_id, Citizen.created_at >= since).exists()
    where = (Vote.round_id == vote.round_id, Vote.network == vote.network, Vote.cast_at >= since, new)
    n = _count(*where, distinct=Vote.citizen_id)
    if n < t.new_accounts:
        return None
    return where, (f"{t.new_account_hours}小时内，同一网段（{vote.network}）有{n}个开通不足{t.new_account_hours}小时的"
                   f"账户参与本轮投票（阈值：{t.new_accounts}个）。")


def sequential_phones(vote, citizen, now, t):
    if not (citizen.phone or "").isdigit():
        return None
    number, width = int(citizen.phone), len(citizen.phone)
    low, high = f"{max(number - t.sequential_span, 0):0{width}d}", f"{number + t.sequential_span:0{width}d}"
    near = sa.select(Citizen.id).where(Citizen.phone.between(low, high))
    where = (Vote.round_id == vote.round_id, Vote.application_id == vote.application_id, Vote.citizen_id.in_(near))
    others = _count(*where, Vote.citizen_id != citizen.id)
    if others < t.sequential_voters:
        return None
    return where, (f"为该项目投票的账户中，有{others}个与本账户手机号码相邻（前后{t.sequential_span}个号码以内，"
                   f"阈值：{t.sequential_voters}个）。")


def night_lockstep(vote, citizen, now, t):
    local = to_local(now)
    if local.hour not in NIGHT_HOURS:
        return None
    where = (Vote.round_id == vote.round_id, Vote.application_id == vote.application_id,
             Vote.cast_at >= now - timedelta(seconds=t.night_seconds))
    n = _count(*where)
    if n < t.night_votes:
        return None
    return where, (f"深夜{local:%H:%M}前后，该项目{t.night_seconds}秒内集中收到{n}票"
                   f"（阈值：0时至6时{t.night_seconds}秒内{t.night_votes}票）。")


RULES = ((AnomalyRule.BURST, burst), (AnomalyRule.NEW_ACCOUNTS, new_accounts),
         (AnomalyRule.SEQUENTIAL_PHONES, sequential_phones), (AnomalyRule.NIGHT_LOCKSTEP, night_lockstep))


def flag(vote, rule, reason, where):
    """Flag ``vote`` and the votes matching ``where`` that are still valid and undecided (in id order)."""
    pattern = db.session.scalars(sa.select(Vote).where(
        *where, Vote.id != vote.id, Vote.status == VoteStatus.VALID, Vote.decided_at.is_(None))
        .order_by(Vote.id)).all()
    for v in (vote, *pattern):
        v.status = VoteStatus.FLAGGED
        db.session.add(VoteFlag(vote_id=v.id, rule=rule, reason=reason))
    return len(pattern) + 1


def check(vote, citizen, now, thresholds):
    """Run every rule on the new ``vote``; returns the rules that flagged it."""
    matched = []
    for rule, test in RULES:
        found = test(vote, citizen, now, thresholds)
        if found is not None:
            where, reason = found
            flag(vote, rule, reason, where)
            matched.append(rule)
    if matched:
        db.session.flush()
    return matched
