"""Public votes (公众投票, issue 13): the vote's pages, the published tally, its downloads and the receipt check are
everyone's (a round still in 筹备中 is 404 to all); voting is the citizen's (an anonymous visitor is sent to 公众登录;
staff and organization accounts are refused); one's votes and receipts are their voter's; the management pages are
the staff's (auditors read), setting up, opening, publishing and deciding on votes the officer's.

``votes_world``: a call of its own with two screened projects and four vote rounds — ``vote_draft`` (筹备中),
``vote_open`` (open now; the world's citizen voted for the first project, another citizen too, flagged), ``vote_ended``
(open, its window over, nothing under review: ready to publish) and ``vote_published`` (its tally published)."""
from tests.permissions.spec import ALLOW, DENY, LOGIN, NOT_FOUND, Route, ok, public, staff_only


def votes_world(w):
    from datetime import timedelta
    from decimal import Decimal

    from flask import current_app

    from grantportal.core.db import db, utcnow
    from grantportal.review.models import EntryRule
    from grantportal.votes import operations as ops
    from grantportal.votes.models import VoteRound, VoteStatus
    from tests import factories as f

    if getattr(w, "vote_open", None) is not None:
        return w
    now = utcnow()
    call = f.CallFactory(created_by=w.officer)
    f.close_applications(call)
    w.vote_app, w.vote_app2 = (f.screened_application(call, number=f"{call.code}-2026-000{i}", title=f"社区议事厅{i}")
                               for i in (1, 2))

    def vote_round(name, opens, closes, open_=True):
        data = ops.VoteRoundData(name, now + timedelta(hours=opens), now + timedelta(hours=closes), EntryRule.SCREENED,
                                 None, None, 3, 10, Decimal("20"), True)
        rnd = ops.create_vote_round(call, w.officer, data)
        settings = db.session.get(VoteRound, rnd.id)
        if open_:
            ops.open_vote(rnd, settings, w.officer, now)
        return rnd, settings

    w.vote_draft, _ = vote_round("筹备中的投票", 1, 48, open_=False)
    w.vote_open, _ = vote_round("公众投票", -1, 24)
    w.vote_ended, ended = vote_round("已截止的投票", -1, 24)
    w.vote_published, published = vote_round("已公布的投票", -1, 24)
    config = current_app.config
    w.vote_own = ops.cast_vote(w.vote_open, db.session.get(VoteRound, w.vote_open.id), w.vote_app.id, w.citizen,
                               "10.0.0.1", now, config)
    other = f.CitizenFactory().user
    w.vote_other = ops.cast_vote(w.vote_open, db.session.get(VoteRound, w.vote_open.id), w.vote_app.id, other,
                                 "10.0.1.1", now, config)
    w.vote_other.status = VoteStatus.FLAGGED
    ops.cast_vote(w.vote_published, published, w.vote_app.id, other, "10.0.1.1", now, config)
    w.vote_ended.closes_at = w.vote_published.closes_at = now - timedelta(minutes=1)
    db.session.flush()
    ops.publish_tally(w.vote_published, published, w.officer, now, confirmed=True)
    db.session.commit()
    return w


def _round(name):
    return lambda w: {"round_id": getattr(votes_world(w), name).id}


def _project(name, app="vote_app2"):
    return lambda w: {"round_id": getattr(votes_world(w), name).id, "application_id": getattr(w, app).id}


def _vote(name):
    return lambda w: {"vote_id": getattr(votes_world(w), name).id}


def _call(w):
    return {"call_id": votes_world(w).vote_open.call_id}


def _citizen_only(citizen):
    return {"anonymous": LOGIN, "member": DENY, "expert": DENY, "officer": DENY, "auditor": DENY, "admin": DENY,
            "citizen": citizen}


def _settings(w):
    return {"name": "第二次公众投票", "opens_at": "2031-05-01T09:00", "closes_at": "2031-05-10T18:00",
            "entry_rule": "screened", "entry_value": "", "source_round_id": "", "per_day": "3", "per_voter": "10",
            "weight_percent": "20", "live_tally": "y"}


ROUTES = [
    Route("votes.index", expect=public(ALLOW), published=True),
    Route("votes.round_page", params=_round("vote_open"), expect=public(ALLOW), published=True, label="open"),
    Route("votes.round_page", params=_round("vote_draft"), expect=public(NOT_FOUND), label="draft"),
    Route("votes.vote", params=_project("vote_open"), expect=_citizen_only(ALLOW)),
    Route("votes.vote", "POST", params=_project("vote_open"), expect=_citizen_only(ok(303))),
    Route("votes.vote", "POST", params=_project("vote_draft"), expect={**public(NOT_FOUND), "anonymous": LOGIN},
          label="draft"),
    Route("votes.mine", expect=_citizen_only(ALLOW)),
    Route("votes.receipt", params=_vote("vote_own"), expect=_citizen_only(ALLOW), label="own"),
    Route("votes.receipt", params=_vote("vote_other"), expect=_citizen_only(DENY), label="other"),
    Route("votes.check", params=_round("vote_published"), expect=public(ALLOW), published=True),
    Route("votes.receipts", params=_project("vote_published", "vote_app"), expect=public(ALLOW), published=True,
          label="published"),
    Route("votes.receipts", params=_project("vote_open", "vote_app"), expect=public(NOT_FOUND), label="open"),
    Route("votes.download", params=lambda w: {**_round("vote_published")(w), "fmt": "csv"}, expect=public(ALLOW),
          published=True),
    Route("votes.manage_index", params=_call, expect=staff_only(readers=ALLOW)),
    Route("votes.create", params=_call, expect=staff_only(readers=DENY)),
    Route("votes.create", "POST", params=_call, data=_settings, expect=staff_only(readers=DENY, officer=ok(303))),
    Route("votes.edit", params=_round("vote_draft"), expect=staff_only(readers=DENY)),
    Route("votes.edit", "POST", params=_round("vote_draft"), data=_settings,
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("votes.manage_round", params=_round("vote_open"), expect=staff_only(readers=ALLOW)),
    Route("votes.open_vote", "POST", params=_round("vote_draft"), expect=staff_only(readers=DENY, officer=ok(303))),
    Route("votes.publish", "POST", params=_round("vote_ended"), data=lambda w: {"confirm": "y"},
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("votes.queue", params=_round("vote_open"), expect=staff_only(readers=ALLOW)),
    Route("votes.vote_detail", params=_vote("vote_other"), expect=staff_only(readers=ALLOW)),
    Route("votes.decide", "POST", params=_vote("vote_other"),
          data=lambda w: {"decision": "confirm", "reason": "经电话回访，投票人确认本人投票。"},
          expect=staff_only(readers=DENY, officer=ok(303))),
]
