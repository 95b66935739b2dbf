"""The officers' vote pages: a call's votes, setting one up (which projects enter, the window, the limits, the weight,
whether the live tally is public), opening it, the review queue of flagged votes and each vote's decision, and
publishing the tally after the window. Auditors read every page without the buttons. Writes go through
``votes.operations`` and are committed here, once."""
from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.calls.models import Call
from grantportal.core.commits import commit_or_abort, commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.forms import ButtonForm
from grantportal.core.masking import mask_phone
from grantportal.core.paging import page_number
from grantportal.core.permissions import require
from grantportal.core.wording import quoted
from grantportal.review.models import RoundStatus
from grantportal.review.rounds.operations import RoundRefused, entering_applications
from grantportal.votes import operations as ops
from grantportal.votes import queries as q
from grantportal.votes.blueprint import bp
from grantportal.votes.forms import DECISIONS, DecisionForm, PublishForm, VoteRoundForm, new_round_data, round_data
from grantportal.votes.models import VoteStatus
from grantportal.votes.permissions import can_decide_vote, can_manage_vote_round, can_view_vote_rounds

MAX_PAGE = 10_000
PER_PAGE = 50


def _round(round_id):
    found = q.vote_round(round_id)
    if found is None:
        abort(404)
    return found


def _earlier(call, rnd=None):
    """The call's expert rounds a vote may take its top N from."""
    return [r for r in call.review_rounds if not r.is_vote and (rnd is None or r.position < rnd.position)]


@bp.route("/manage/calls/<int:call_id>/votes")
@login_required
def manage_index(call_id):
    call = db.get_or_404(Call, call_id)
    require(can_view_vote_rounds(current_user, call))
    rounds = q.call_vote_rounds(call.id)
    return render_template("votes/manage/index.html", call=call, rounds=rounds,
                           settings=q.settings_of([r.id for r in rounds]),
                           can_manage=can_manage_vote_round(current_user, call))


def _form_page(form, call, rnd, status=200, message=None):
    return render_template("votes/manage/form.html", form=form, call=call, rnd=rnd, message=message), status


@bp.route("/manage/calls/<int:call_id>/votes/new", methods=["GET", "POST"])
@login_required
def create(call_id):
    call = db.get_or_404(Call, call_id)
    require(can_manage_vote_round(current_user, call))
    earlier = _earlier(call)
    if request.method == "GET":
        return _form_page(VoteRoundForm(data=new_round_data(call), earlier_rounds=earlier), call, None)
    form = VoteRoundForm(earlier_rounds=earlier)
    if not form.validate_on_submit():
        return _form_page(form, call, None, 400)
    with commit_or_refusal(form) as attempt:
        rnd = ops.create_vote_round(call, current_user, form.to_data())
    if not attempt.ok:
        return _form_page(form, db.get_or_404(Call, call_id), None, attempt.status, attempt.message)
    flash("公众投票已创建（筹备中）。核对参加投票的项目后，点击“发布投票”。", "success")
    return redirect(url_for("votes.manage_round", round_id=rnd.id), 303)


@bp.route("/manage/votes/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def edit(round_id):
    rnd, settings = _round(round_id)
    require(can_manage_vote_round(current_user, rnd.call))
    if rnd.status != RoundStatus.DRAFT:
        abort(409, "投票已发布，设置不能再修改。")
    earlier = _earlier(rnd.call, rnd)
    if request.method == "GET":
        return _form_page(VoteRoundForm(data=round_data(rnd, settings), earlier_rounds=earlier), rnd.call, rnd)
    form = VoteRoundForm(earlier_rounds=earlier)
    if not form.validate_on_submit():
        return _form_page(form, rnd.call, rnd, 400)
    with commit_or_refusal(form) as attempt:
        ops.update_vote_round(rnd, settings, current_user, form.to_data())
    if not attempt.ok:
        rnd, _settings = _round(round_id)
        return _form_page(form, rnd.call, rnd, attempt.status, attempt.message)
    flash("投票设置已保存。", "success")
    return redirect(url_for("votes.manage_round", round_id=rnd.id), 303)


def _detail_page(rnd, settings, publish_form=None, status=200):
    now = utcnow()
    entry_problem, apps = None, []
    if rnd.status == RoundStatus.DRAFT:
        try:
            apps = entering_applications(rnd)
        except RoundRefused as e:
            entry_problem = str(e)
    else:
        apps = q.entries(rnd)
    can_manage = can_manage_vote_round(current_user, rnd.call)
    can = SimpleNamespace(manage=can_manage, open=ops.VOTE_ROUND.check(current_user, rnd, "open", now),
                          publish=ops.VOTE_ROUND.check(current_user, rnd, "publish", now, confirmed=True))
    return render_template("votes/manage/detail.html", rnd=rnd, call=rnd.call, settings=settings, apps=apps,
                           entry_problem=entry_problem, counts=q.tally(rnd.id), can=can, button=ButtonForm(),
                           publish_form=publish_form or PublishForm(formdata=None), now=now), status


@bp.route("/manage/votes/<int:round_id>")
@login_required
def manage_round(round_id):
    rnd, settings = _round(round_id)
    require(can_view_vote_rounds(current_user, rnd.call))
    return _detail_page(rnd, settings)


@bp.route("/manage/votes/<int:round_id>/open", methods=["POST"])
@login_required
def open_vote(round_id):
    rnd, settings = _round(round_id)
    require(can_manage_vote_round(current_user, rnd.call))
    if not ButtonForm().validate_on_submit():
        abort(400)
    with commit_or_abort():
        ops.open_vote(rnd, settings, current_user, utcnow())
    flash(f"{quoted(rnd.name)}已发布，公众可在投票时间内投票。", "success")
    return redirect(url_for("votes.manage_round", round_id=round_id), 303)


@bp.route("/manage/votes/<int:round_id>/publish", methods=["POST"])
@login_required
def publish(round_id):
    rnd, settings = _round(round_id)
    require(can_manage_vote_round(current_user, rnd.call))
    now = utcnow()
    decision = ops.VOTE_ROUND.check(current_user, rnd, "publish", now, confirmed=True)
    if not decision:  # the window or a vote under review: said before the form is looked at
        abort(409, decision.reason)
    form = PublishForm()
    if not form.validate_on_submit():
        return _detail_page(rnd, settings, form, 400)
    with commit_or_abort():
        ops.publish_tally(rnd, settings, current_user, now, confirmed=True)
    flash("计票结果已公布：各项目票数、回执哈希清单及作废理由已在投票页面公开。", "success")
    return redirect(url_for("votes.manage_round", round_id=round_id), 303)


@bp.route("/manage/votes/<int:round_id>/queue")
@login_required
def queue(round_id):
    """The round's votes by status (待核查 first by default), each with its flags and a link to decide on it."""
    rnd, settings = _round(round_id)
    require(can_view_vote_rounds(current_user, rnd.call))
    raw = request.args.get("status", VoteStatus.FLAGGED.value)
    status = next((s for s in VoteStatus if s.value == raw), None)
    counts, pager = q.queue_page(rnd.id, status, page_number(MAX_PAGE), PER_PAGE)
    return render_template("votes/manage/queue.html", rnd=rnd, call=rnd.call, settings=settings, status=status,
                           statuses=list(VoteStatus), counts=counts, page=pager, mask_phone=mask_phone)


def _vote_page(cast, form, status=200, message=None):
    settings = db.session.get(q.VoteRound, cast.round_id)
    now = utcnow()
    steps = {name: ops.VOTE.check(current_user, cast, name, now) for name in DECISIONS}
    form.decision.choices = [(name, DECISIONS[name]) for name, ok in steps.items() if ok]
    return render_template("votes/manage/vote.html", vote=cast, rnd=cast.round, call=cast.round.call,
                           settings=settings, form=form, message=message, masked_phone=mask_phone(cast.citizen.phone),
                           can_decide=can_decide_vote(current_user, cast) and bool(form.decision.choices)), status


def _vote(vote_id):
    cast = q.vote_for_page(vote_id)
    if cast is None:
        abort(404)
    return cast


@bp.route("/manage/votes/items/<int:vote_id>")
@login_required
def vote_detail(vote_id):
    """One vote: when and from which network it was cast, the voter's masked phone and account age, the flags with
    their reasons, the decisions so far; the officer's decision form."""
    cast = _vote(vote_id)
    require(can_view_vote_rounds(current_user, cast.round.call))
    return _vote_page(cast, DecisionForm(formdata=None))


@bp.route("/manage/votes/items/<int:vote_id>/decide", methods=["POST"])
@login_required
def decide(vote_id):
    """确认有效, 作废 or 恢复有效, with a reason (the voter is told of a void or a restore)."""
    cast = _vote(vote_id)
    require(can_decide_vote(current_user, cast))
    form = DecisionForm()
    form.decision.choices = list(DECISIONS.items())
    if not form.validate_on_submit():
        return _vote_page(cast, form, 400)
    with commit_or_refusal(form) as attempt:
        ops.decide(cast, current_user, form.decision.data, form.reason.data, utcnow(),
                   url_for("votes.receipt", vote_id=cast.id))
    if not attempt.ok:
        return _vote_page(_vote(vote_id), form, attempt.status, attempt.message)
    flash(f"已{DECISIONS[form.decision.data]}，理由已记录。", "success")
    return redirect(url_for("votes.queue", round_id=cast.round_id), 303)
