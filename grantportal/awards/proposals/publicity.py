"""Writes of 公示 and after: publish the proposal, publish it again when scores or ranking changed, confirm
the final results; each adds an entry to the public results' history (``record_revision``, which the
objections also use when a decision changes the results) and so queues the public checks (``checks.py``).

Each takes the objects and the acting user, locks the proposal row, asks the state machine
(``workflow.PROPOSAL``) whether the step may happen now, flushes under the step's audit action and never
commits; the request commits once.
"""
from grantportal.applications.operations import stamp_results_published
from grantportal.awards.models import AwardStatus, FinalStatus, ResultsRevision, RevisionKind
from grantportal.awards.proposals import checks
from grantportal.awards.proposals.budget import lock_proposal
from grantportal.awards.proposals.queries import changes_words, public_rows, score_changes
from grantportal.awards.proposals.settings import MAX_PUBLICITY_DAYS
from grantportal.awards.proposals.workflow import PROPOSAL, AwardRefused
from grantportal.calendar.queries import confirmed_publicity_end
from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.money import format_wan
from grantportal.core.notices import notify
from grantportal.core.timeutil import format_datetime
from grantportal.core.wording import quoted
from grantportal.core.workdays import UnconfirmedYear
from grantportal.orgs.notices import notify_org

# --- publish ------------------------------------------------------------------------------------

def publish(proposal, user, now, days):
    """发布公示: the public results page opens, objections may be filed until ``ends_at`` — ``days``
    Chinese working days after today, at 17:00 Beijing time."""
    proposal = lock_proposal(proposal)
    step = PROPOSAL.require(user, proposal, "publish", now)
    if not (1 <= days <= MAX_PUBLICITY_DAYS):
        raise AwardRefused(f"公示期须为1至{MAX_PUBLICITY_DAYS}个工作日。", "days", 400)
    try:  # counted on the years an officer confirmed from the State Council's notice (grantportal/calendar)
        ends_at = confirmed_publicity_end(now, days)
    except UnconfirmedYear as e:
        raise AwardRefused(e.message, "days", 409) from None
    with audit_action(PROPOSAL.audit_action(step)):
        proposal.status, proposal.published_at, proposal.published_by_id = step.target, now, user.id
        proposal.publicity_days, proposal.ends_at = days, ends_at
        proposal.calendar_warning = None  # counted on confirmed years only: nothing was guessed
        stamp_results_published([a.application_id for a in proposal.awards], now)
        selected = sum(1 for a in proposal.awards if a.status == AwardStatus.SELECTED)
        record_revision(proposal, RevisionKind.PUBLISHED, now,
                        f"发布拟资助项目公示，共{selected}个拟入选项目，公示{days}个工作日，"
                        f"至{format_datetime(ends_at)}止。")
        db.session.flush()
        for award in proposal.awards:
            _tell_publicity(award, ends_at)
    return proposal


def _tell_publicity(award, ends_at, changed=None):
    """Tell the applicant where its project stands in the 公示 and until when it may object."""
    app = award.application
    what = f"公示期间得分或排名变化（{changed}），公示已重新发布。" if changed else ""
    amount = f"，拟资助{format_wan(award.amount)}" if award.status == AwardStatus.SELECTED else ""
    notify_org(app.org, f"{app.call.title}评审结果公示：{award.status.label}",
               f"{what}您机构申报的{quoted(app.title)}（{app.number}）在拟资助项目公示中为{quoted(award.status.label)}"
               f"{amount}。公示期至{format_datetime(ends_at)}止；对公示结果有异议的，可在公示期内实名提出。",
               link=f"/applications/{app.id}")


def record_revision(proposal, kind, now, summary):
    """A new entry in the public results' history: what the results page lists now, and why it changed. The
    public checks of the results (复核) are computed again once this commits (``checks.results_changed``)."""
    db.session.add(ResultsRevision(proposal=proposal, kind=kind, created_at=now, summary=summary,
                                   rows=public_rows(proposal)))
    checks.results_changed(proposal, now)


def republish(proposal, user, now):
    """重新发布公示 after scores or ranking changed during 公示: each changed award takes the score and rank
    the ranking gives now (its explanation says so), a new history entry lists the changes, and the period
    starts again for its full length from now. Selection and amounts stay as published: an officer changes
    them only through objections."""
    proposal = lock_proposal(proposal)
    step = PROPOSAL.require(user, proposal, "republish", now)
    changes = score_changes(proposal)
    with audit_action(PROPOSAL.audit_action(step)):
        for change in changes:
            award = change.award
            award.explanation = [*award.explanation, f"{format_datetime(now)} 公示期间得分或排名变化："
                                 f"{change.words()}，已重新发布公示。"]
            award.final_score, award.rank = change.score, change.rank
        ends_at = confirmed_publicity_end(now, proposal.publicity_days)
        proposal.published_at, proposal.published_by_id, proposal.ends_at = now, user.id, ends_at
        record_revision(proposal, RevisionKind.PUBLISHED, now,
                        f"评审得分或排名变化，重新发布公示（{changes_words(changes, limit=10)}），"
                        f"公示{proposal.publicity_days}个工作日，至{format_datetime(ends_at)}止。")
        db.session.flush()
        for change in changes:
            _tell_publicity(change.award, ends_at, changed=change.words())
    return proposal


# --- confirm ------------------------------------------------------------------------------------

FINAL_OF = {AwardStatus.SELECTED: FinalStatus.SELECTED, AwardStatus.RESERVE: FinalStatus.RESERVE,
            AwardStatus.NOT_SELECTED: FinalStatus.NOT_SELECTED, AwardStatus.CANCELLED: FinalStatus.NOT_SELECTED}


def _final_reason(award):
    if award.status == AwardStatus.SELECTED:
        return f"经专家评审、公示无异议，确定入选，资助{format_wan(award.amount)}。"
    if award.status == AwardStatus.RESERVE:
        return f"列为{award.level.label}候补第{award.reserve_position}位；如有入选项目放弃或被取消，按顺序递补。"
    if award.status == AwardStatus.CANCELLED:
        return "公示期间异议成立，取消入选资格。"
    return award.explanation[-1] if award.explanation else "未入选。"


def confirm(proposal, user, now, link_for=None):
    """确定最终结果: every application gets 入选 / 候补 / 未入选 with the reason; each organization's
    members are notified. ``link_for(award)`` gives the link in the notice."""
    proposal = lock_proposal(proposal)
    step = PROPOSAL.require(user, proposal, "confirm", now)
    with audit_action(PROPOSAL.audit_action(step)):
        proposal.status, proposal.confirmed_at, proposal.confirmed_by_id = step.target, now, user.id
        counts = {}
        for award in proposal.awards:
            award.final_status, award.final_reason = FINAL_OF[award.status], _final_reason(award)
            counts[award.final_status] = counts.get(award.final_status, 0) + 1
            app = award.application
            for member in app.org.members:
                notify(member.user, f"{proposal.call.title}评审结果：{award.final_status.label}",
                       f"您机构申报的{quoted(app.title)}（{app.number}）最终结果为{award.final_status.label}。"
                       f"{award.final_reason}", link=link_for(award) if link_for else None)
        record_revision(proposal, RevisionKind.FINAL, now,
                        f"公示期满，确定最终结果：入选{counts.get(FinalStatus.SELECTED, 0)}个，"
                        f"候补{counts.get(FinalStatus.RESERVE, 0)}个，"
                        f"未入选{counts.get(FinalStatus.NOT_SELECTED, 0)}个。")
        db.session.flush()
    return proposal
