"""The public's vote pages (phone first): the open votes, a vote's projects with their organizations and (when the
round shows it) the live tally; voting in two taps — 投票 on a project, then 确认投票 — by a signed-in citizen (an
anonymous visitor is sent to 公众登录 and comes back); the receipt; 我的投票; after the window, the published
counts, each project's receipt hashes, the downloads anyone can recount from and the receipt check.

Voting is rate-limited per voter, per address and per /24 network (Flask-Limiter, shared through Redis when
REDIS_URL is set), and asks a question when votes from one address come fast (``challenge.py``)."""
import csv
import io
import json

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user

from grantportal.calls.permissions import can_view_call
from grantportal.citizens.permissions import is_citizen
from grantportal.citizens.queries import citizen_of
from grantportal.citizens.web import citizen_sign_in
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.extensions import limiter
from grantportal.core.paging import page_number
from grantportal.core.permissions import can_view_public_pages, is_signed_in, require
from grantportal.core.timeutil import to_local
from grantportal.review.models import RoundStatus
from grantportal.review.results.aggregate import VOTE_SCORE
from grantportal.votes import challenge
from grantportal.votes import operations as ops
from grantportal.votes import queries as q
from grantportal.votes.blueprint import bp
from grantportal.votes.forms import VoteForm
from grantportal.votes.models import VoteStatus
from grantportal.votes.permissions import can_cast_vote, can_list_own_votes, can_view_own_vote
from grantportal.votes.receipts import HASH_RULE, network_of, normalize, receipt_hash, shown

MAX_PAGE = 1000


def _voter_key():
    return f"voter:{current_user.id}" if is_signed_in(current_user) else get_remote_address()


def _network_key():
    return network_of(get_remote_address())


def _public_round(round_id):
    """The vote round and its settings, when the public may see it (open or published, on a public call); else 404."""
    found = q.vote_round(round_id)
    if found is None:
        abort(404)
    rnd, settings = found
    if rnd.status == RoundStatus.DRAFT or not can_view_call(current_user, rnd.call):
        abort(404)
    return rnd, settings


def _published_round(round_id):
    rnd, settings = _public_round(round_id)
    if settings.published_at is None:
        abort(404)
    return rnd, settings


def _phase(rnd, settings, now):
    """The round's state as the public reads it."""
    if settings.published_at is not None:
        return "计票结果已公布"
    if rnd.opens_at and now < rnd.opens_at:
        return "未开始"
    if rnd.closes_at and now >= rnd.closes_at:
        return "已截止，核查后公布结果"
    return "投票中"


@bp.route("/votes/")
def index():
    """公众投票: the votes open now or published, newest first."""
    require(can_view_public_pages(current_user))
    now = utcnow()
    rounds = q.public_rounds()
    settings = q.settings_of([r.id for r in rounds])
    phases = {r.id: _phase(r, settings[r.id], now) for r in rounds}
    return render_template("votes/index.html", rounds=rounds, phases=phases)


@bp.route("/votes/<int:round_id>")
def round_page(round_id):
    """A vote: its rules, the projects with their organizations, each with 投票 while it is open (or why not)."""
    rnd, settings = _public_round(round_id)
    require(can_view_public_pages(current_user))
    now = utcnow()
    apps = q.entries(rnd)
    shows_tally = settings.live_tally or settings.published_at is not None
    mine, left = {}, None
    if is_citizen(current_user):
        mine = q.voter_votes(current_user.id, rnd.id)
        total, today = ops.voter_counts(citizen_of(current_user).id, rnd.id, to_local(now).date())
        left = max(0, min(settings.per_voter - total, settings.per_day - today))
    return render_template("votes/round.html", rnd=rnd, call=rnd.call, settings=settings, apps=apps,
                           counts=q.tally(rnd.id) if shows_tally else None, problem=ops.voting_problem(rnd, now),
                           phase=_phase(rnd, settings, now), mine=mine, left=left,
                           may_vote=can_cast_vote(current_user) if is_signed_in(current_user) else None,
                           vote_score=VOTE_SCORE, shown=shown)


def _entered(rnd, application_id):
    """The project, with its organization, when it is in the vote; else 404."""
    app = q.entered(rnd.id, application_id)
    if app is None:
        abort(404)
    return app


def _confirm_page(rnd, settings, app, form, status=200, message=None, problem=None, voted=None, asked=None):
    return render_template("votes/confirm.html", rnd=rnd, call=rnd.call, settings=settings, app=app, form=form,
                           message=message, problem=problem, voted=voted, question=asked,
                           shown=shown), status


@bp.route("/votes/<int:round_id>/projects/<int:application_id>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_VOTE_VOTER"], key_func=_voter_key, methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_VOTE_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_VOTE_NETWORK"], key_func=_network_key, methods=["POST"])
@citizen_sign_in
def vote(round_id, application_id):
    """The second tap: the project again and 确认投票 (with a question when this address votes fast)."""
    rnd, settings = _public_round(round_id)
    app = _entered(rnd, application_id)
    require(can_cast_vote(current_user))
    now, cfg, ip = utcnow(), current_app.config, get_remote_address()
    form = VoteForm()
    problem = ops.voting_problem(rnd, now)
    voted = q.voter_votes(current_user.id, rnd.id).get(app.id)
    if problem or voted:
        return _confirm_page(rnd, settings, app, form, 409 if request.method == "POST" else 200, problem=problem,
                             voted=voted)
    secret = cfg["SECRET_KEY"]
    asking = challenge.needed(ip, now, cfg)
    if request.method == "GET":
        asked = challenge.ask(session, secret, current_user.id, app.id) if asking else None
        return _confirm_page(rnd, settings, app, form, asked=asked)
    if not form.validate_on_submit():
        return _confirm_page(rnd, settings, app, form, 400, asked=challenge.question(session))
    if asking and not challenge.passed(session, secret, current_user.id, app.id, form.answer.data):
        form.answer.errors.append("回答不正确，请重新回答下面的问题（请填写阿拉伯数字）。")
        return _confirm_page(rnd, settings, app, form, 400,
                             asked=challenge.ask(session, secret, current_user.id, app.id))
    with commit_or_refusal(form) as attempt:
        cast = ops.cast_vote(rnd, settings, app.id, current_user, ip, now, cfg)
    if not attempt.ok:
        rnd, settings = _public_round(round_id)
        return _confirm_page(rnd, settings, _entered(rnd, application_id), form, attempt.status,
                             message=attempt.message)
    flash(f"投票成功！您的回执码为 {shown(cast.receipt)}，请妥善保存：计票结果公布后，可凭回执码核对您的投票已计入。",
          "success")
    return redirect(url_for("votes.receipt", vote_id=cast.id), 303)


@bp.route("/votes/mine")
@citizen_sign_in
def mine():
    """我的投票: every vote the citizen cast, newest first, with its receipt code."""
    require(can_list_own_votes(current_user))
    pager = q.own_page(current_user.id, page_number(MAX_PAGE), current_app.config["PAGE_SIZE"])
    return render_template("votes/mine.html", page=pager, statuses={v.id: q.status_words(v) for v in pager.items},
                           shown=shown)


@bp.route("/votes/mine/<int:vote_id>")
@citizen_sign_in
def receipt(vote_id):
    """The voter's receipt: the project, when, the receipt code, where the vote stands, and how to check it."""
    cast = q.vote_for_page(vote_id)
    if cast is None:
        abort(404)
    require(can_view_own_vote(current_user, cast))
    settings = db.session.get(q.VoteRound, cast.round_id)
    return render_template("votes/receipt.html", vote=cast, rnd=cast.round, settings=settings,
                           status=q.status_words(cast), shown=shown,
                           hash=receipt_hash(settings.salt, cast.receipt) if settings.published_at else None)


@bp.route("/votes/<int:round_id>/check")
def check(round_id):
    """核对回执: after publication, anyone with a receipt code finds its vote in the published list."""
    rnd, settings = _public_round(round_id)
    require(can_view_public_pages(current_user))
    typed = (request.args.get("code") or "").strip()[:40]
    found, error, digest = None, None, None
    if typed and settings.published_at is not None:
        code = normalize(typed)
        if code is None:
            error = "回执码应为12位字母和数字（可含连字符），例如 K7QM-3XRA-9PTC，请核对后重新输入。"
        else:
            digest = receipt_hash(settings.salt, code)
            found = q.find_receipt(rnd.id, code)
            if found is None:
                error = "本轮投票中没有这个回执码。请核对是否输入有误，或是否为其他轮次投票的回执码。"
    return render_template("votes/check.html", rnd=rnd, call=rnd.call, settings=settings, typed=typed, found=found,
                           error=error, digest=digest, hash_rule=HASH_RULE, VoteStatus=VoteStatus)


@bp.route("/votes/<int:round_id>/projects/<int:application_id>/receipts")
def receipts(round_id, application_id):
    """One project's published receipt hashes (voided ones marked, with the reason), a page at a time."""
    rnd, settings = _published_round(round_id)
    app = _entered(rnd, application_id)
    require(can_view_public_pages(current_user))
    pager = q.published_hashes(settings, app.id, page_number(MAX_PAGE))
    count = q.tally(rnd.id).get(app.id, q.Count())
    return render_template("votes/receipts.html", rnd=rnd, call=rnd.call, settings=settings, app=app, page=pager,
                           count=count, hash_rule=HASH_RULE)


@bp.route("/votes/<int:round_id>/tally.<any(csv, json):fmt>")
def download(round_id, fmt):
    """The whole published tally: every vote's receipt hash and status by project, with the salt and the hash rule,
    so that anyone can recount every project's valid votes and any voter can find their own."""
    rnd, settings = _published_round(round_id)
    require(can_view_public_pages(current_user))
    apps, rows = {a.id: a for a in q.entries(rnd)}, q.all_published(settings)
    name = f"vote-{rnd.id}-tally.{fmt}"
    if fmt == "json":
        counts, by_app = q.tally(rnd.id), {}
        for app_id, v in rows:
            by_app.setdefault(app_id, []).append({"hash": v.hash, "status": v.status.value, "void_reason": v.reason})
        body = {
            "round": rnd.name, "call": rnd.call.title, "opens_at": rnd.opens_at.isoformat(),
            "closes_at": rnd.closes_at.isoformat(), "published_at": settings.published_at.isoformat(),
            "salt": settings.salt, "hash_rule": HASH_RULE, "score_rule": VOTE_SCORE,
            "projects": [{"number": a.number, "title": a.title, "organization": a.org.name,
                          "valid": counts.get(a.id, q.Count()).valid, "voided": counts.get(a.id, q.Count()).voided,
                          "votes": by_app.get(a.id, [])} for a in apps.values()],
        }
        data = json.dumps(body, ensure_ascii=False, indent=1)
        return Response(data, mimetype="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 with a BOM
    writer = csv.writer(out)
    writer.writerow(["盐值", settings.salt])
    writer.writerow(["哈希规则", HASH_RULE])
    writer.writerow(["申报编号", "项目名称", "承接机构", "回执哈希", "状态", "作废理由"])
    for app_id, v in rows:
        a = apps.get(app_id)
        writer.writerow([a.number if a else "", a.title if a else "", a.org.name if a else "", v.hash, v.status.label,
                         v.reason or ""])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
