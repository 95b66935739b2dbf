"""Officers: result settings, the award proposal (生成、调整), 公示 publication and final confirmation.

Auditors read every page; only officers act. Writes go through ``awards.proposals.operations`` and
``awards.proposals.publicity``; each request commits once and, when an operation refuses, rolls back and
shows why next to the field."""
from types import SimpleNamespace

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from grantportal.applications.models import Application
from grantportal.applications.queries import summary_rows
from grantportal.awards.models import Award, AwardStatus, ProposalStatus
from grantportal.awards.proposals import operations as ops
from grantportal.awards.proposals import promotion, publicity
from grantportal.awards.proposals.blueprint import bp
from grantportal.awards.proposals.budget import level_budgets
from grantportal.awards.proposals.forms import (
    AdjustForm,
    PromoteForm,
    PublishForm,
    ResultSettingsForm,
    settings_data,
)
from grantportal.awards.proposals.permissions import can_manage_proposal, can_view_call_ranking, can_view_proposal
from grantportal.awards.proposals.queries import proposal_of, score_changes, selected_count
from grantportal.awards.proposals.ranking import final_ranking, formula_words, tie_break_words
from grantportal.awards.proposals.workflow import PROPOSAL, confirm_problem, publish_problem
from grantportal.calendar.queries import confirmed_publicity_end
from grantportal.calls.models import Call, Level
from grantportal.calls.tier_rules import TierRulesError, call_rules
from grantportal.core.commits import commit_or_abort, commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.errors import Refused
from grantportal.core.forms import ButtonForm
from grantportal.core.paging import Pager, get_or_404, page_number
from grantportal.core.permissions import require
from grantportal.core.timeutil import format_datetime
from grantportal.core.wording import quoted
from grantportal.core.workdays import UnconfirmedYear, calendar_coverage_text
from grantportal.review.results.aggregate import FORMULA, absent_from_defence, scored_rounds

PER_PAGE = 100
MAX_PAGE = 10_000


def _require_for_method(call):
    """GET: staff may read; POST: only officers act (one permission check per request)."""
    if request.method == "POST":
        require(can_manage_proposal(current_user, call))
    else:
        require(can_view_proposal(current_user, call))


# --- the call's final ranking --------------------------------------------------------------------

@bp.route("/manage/calls/<int:call_id>/ranking")
@login_required
def ranking(call_id):
    call = get_or_404(Call, call_id)
    require(can_view_call_ranking(current_user, call))
    result = final_ranking(call)
    by_level, rounds = result.by_level, result.rounds
    levels = [lv for lv in Level if lv in by_level]
    chosen = request.args.get("level", "")
    level = next((lv for lv in levels if lv.value == chosen), levels[0] if levels else None)
    items = by_level.get(level, [])
    pager = Pager(len(items), page_number(MAX_PAGE), PER_PAGE)
    shown = items[pager.start:pager.start + PER_PAGE]
    apps = summary_rows([i.application_id for i in shown])
    return render_template("awards/ranking.html", call=call, rounds=rounds, levels=levels, level=level,
                           items=[(i, apps[i.application_id], result.standings.get(i.application_id))
                                  for i in shown], pager=pager, counts={lv: len(v) for lv, v in by_level.items()},
                           formula=result.formula, general_formula=FORMULA, tie_break=result.tie_break,
                           absent={r.id: absent_from_defence(r) for r in rounds})


# --- result settings ----------------------------------------------------------------------------

def _call_rules_or_none(call):
    try:
        return call_rules(call)
    except TierRulesError:
        return None


@bp.route("/manage/calls/<int:call_id>/result-settings", methods=["GET", "POST"])
@login_required
def settings(call_id):
    call = get_or_404(Call, call_id)
    _require_for_method(call)
    stored = settings_data(call)
    options = {"documents": [d.name for d in call.documents], "waived": stored["waive_documents_for_4a"]}
    proposal = proposal_of(call)
    message, status = None, 200
    if request.method == "GET":
        form = ResultSettingsForm(data=stored, **options)
    else:
        form = ResultSettingsForm(**options)
        if form.validate():
            with commit_or_refusal(form) as attempt:
                ops.update_result_settings(call, current_user, form.settings())
            if not attempt.ok:
                message, status = attempt.message, attempt.status
            else:
                note = "已生成的拟资助方案须重新生成后才按新设置计算。" if proposal is not None else ""
                flash(f"结果设置已保存。{note}", "success")
                return redirect(url_for("proposals.settings", call_id=call_id), 303)
        else:
            status = 400
        call = get_or_404(Call, call_id)
        proposal = proposal_of(call)
    return render_template("awards/settings.html", call=call, form=form, proposal=proposal, message=message,
                           can_act=can_manage_proposal(current_user, call), coverage=calendar_coverage_text(),
                           rules_broken=_call_rules_or_none(call) is None,
                           locked=proposal is not None and proposal.status != ProposalStatus.DRAFT), status


# --- the proposal -------------------------------------------------------------------------------

def _level_counts(proposal):
    rows = db.session.execute(sa.select(Award.level, Award.status, sa.func.count())
                              .where(Award.proposal_id == proposal.id).group_by(Award.level, Award.status))
    counts = {}
    for level, status, n in rows:
        counts.setdefault(level, {})[status] = n
    return counts


def _level_awards(proposal, level, pager):
    return db.session.scalars(
        sa.select(Award).where(Award.proposal_id == proposal.id, Award.level == level)
        .options(joinedload(Award.application).joinedload(Application.org))
        .order_by(Award.rank.is_(None), Award.rank, Award.id)
        .offset(pager.start).limit(PER_PAGE)).all()


def _chosen_level(levels):
    chosen = request.args.get("level", "")
    return next((lv for lv in levels if lv.value == chosen), levels[0] if levels else None)


@bp.route("/manage/calls/<int:call_id>/proposal")
@login_required
def show(call_id):
    call = get_or_404(Call, call_id)
    require(can_view_proposal(current_user, call))
    proposal = proposal_of(call)
    rules = _call_rules_or_none(call)
    rounds = scored_rounds(call)
    words = SimpleNamespace(formula=formula_words(call, rounds, rules) if rules else None,
                            tie_break=tie_break_words(rules) if rules else None)
    common = {"call": call, "proposal": proposal, "words": words, "can_act": can_manage_proposal(current_user, call),
              "action_form": ButtonForm(), "rules_broken": rules is None}
    if proposal is None:
        ranking = final_ranking(call) if rules else None
        ranked = {lv: len(items) for lv, items in ranking.by_level.items() if items} if ranking else {}
        return render_template("awards/proposal.html", ranked=ranked, **common)

    counts = _level_counts(proposal)
    levels = [lv for lv in Level if lv in counts]
    level = _chosen_level(levels)
    total = sum(counts.get(level, {}).values()) if level else 0
    pager = Pager(total, page_number(MAX_PAGE), PER_PAGE)
    awards = _level_awards(proposal, level, pager) if level else []
    budgets = level_budgets(call, rules, proposal) if rules else {}
    now = utcnow()
    changes = score_changes(proposal) if rules and proposal.status != ProposalStatus.FINAL else []
    step = {"publish": None, "republish": None}
    if proposal.status == ProposalStatus.DRAFT:
        step["publish"] = PROPOSAL.check(current_user, proposal, "publish", now)
    elif proposal.status == ProposalStatus.PUBLICIZED and changes:
        step["republish"] = PROPOSAL.check(current_user, proposal, "republish", now)
    return render_template("awards/proposal.html", counts=counts, levels=levels, level=level, awards=awards,
                           pager=pager, budget=budgets.get(level), AwardStatus=AwardStatus,
                           ProposalStatus=ProposalStatus, changes=[c.words() for c in changes], step=step,
                           **common)


GENERATED_MEANWHILE = Refused("其他工作人员刚刚生成了该征集的拟资助方案，本次未生成。"
                              "请核对当前方案，必要时再重新生成。")


@bp.route("/manage/calls/<int:call_id>/proposal/generate", methods=["POST"])
@login_required
def generate(call_id):
    call = get_or_404(Call, call_id)
    require(can_manage_proposal(current_user, call))
    with commit_or_refusal(taken=GENERATED_MEANWHILE) as attempt:
        proposal = ops.generate(call, current_user, utcnow())
    if not attempt.ok:
        flash(attempt.message, "error")
    else:
        selected = selected_count(proposal)
        flash(f"拟资助方案已生成：{selected}个项目拟入选。请逐级核对金额和说明，必要时调整后再发布公示。", "success")
    return redirect(url_for("proposals.show", call_id=call_id), 303)


@bp.route("/manage/calls/<int:call_id>/proposal/republish", methods=["POST"])
@login_required
def republish(call_id):
    """重新发布公示 after scores or ranking changed while the proposal was in 公示."""
    call = get_or_404(Call, call_id)
    require(can_manage_proposal(current_user, call))
    proposal = _proposal_or_409(call)
    if not ButtonForm().validate_on_submit():
        abort(400)
    with commit_or_abort():
        proposal = publicity.republish(proposal, current_user, utcnow())
    flash(f"已按最新评审得分和排名重新发布公示，公示期重新计算，至{format_datetime(proposal.ends_at)}止。"
          "公示记录中已新增一条变更说明。", "success")
    return redirect(url_for("proposals.show", call_id=call_id), 303)


# --- adjust -------------------------------------------------------------------------------------

def _adjust_page(award, form, message=None, status=200):
    proposal = award.proposal
    rules = _call_rules_or_none(proposal.call)
    budget = level_budgets(proposal.call, rules, proposal, exclude_award_id=award.id).get(award.level) \
        if rules else None
    draft = proposal.status == ProposalStatus.DRAFT
    return render_template("awards/adjust.html", award=award, app=award.application, call=proposal.call,
                           proposal=proposal, form=form, budget=budget, draft=draft, message=message,
                           can_act=can_manage_proposal(current_user, proposal.call)), status


def _award(award_id):
    """The award with what its adjust page shows (the application and its organization)."""
    return get_or_404(Award, award_id, joinedload(Award.application).joinedload(Application.org))


@bp.route("/manage/awards/<int:award_id>/adjust", methods=["GET", "POST"])
@login_required
def adjust(award_id):
    award = _award(award_id)
    _require_for_method(award.proposal.call)
    if award.proposal.status != ProposalStatus.DRAFT:
        return _adjust_page(award, None, "方案已发布公示，不能再调整。公示期间的变更须通过异议处理。", 409)
    if request.method == "GET":
        status = award.status if award.status in (AwardStatus.SELECTED, AwardStatus.RESERVE) \
            else AwardStatus.NOT_SELECTED
        return _adjust_page(award, AdjustForm(data={
            "status": status.value, "amount": award.amount if award.amount else award.cap,
            "reserve_position": award.reserve_position}))
    form = AdjustForm()
    if not form.validate():
        return _adjust_page(award, form, status=400)
    with commit_or_refusal(form) as attempt:
        ops.adjust(award, current_user, form.chosen_status, form.amount.amount, form.reason.data, utcnow(),
                   reserve_position=form.reserve_position.number)
    if not attempt.ok:
        award = db.session.scalar(sa.select(Award).where(Award.id == award_id).options(
            joinedload(Award.application).joinedload(Application.org)))
        if award is None:  # the proposal was regenerated meanwhile
            abort(409, attempt.refused.message)
        if award.proposal.status != ProposalStatus.DRAFT:
            return _adjust_page(award, None, attempt.refused.message, attempt.status)
        return _adjust_page(award, form, attempt.message, attempt.status)
    app = award.application
    flash(f"已调整{quoted(app.title)}：{award.status.label}。调整理由已记录。", "success")
    return redirect(url_for("proposals.show", call_id=award.proposal.call_id, level=award.level.value), 303)


# --- 递补 after the final result ---------------------------------------------------------------------

def _promote_page(award, form, message=None, status=200):
    proposal = award.proposal
    reserves = promotion.next_reserve(proposal, award.level, exclude_id=award.id) \
        if proposal.status == ProposalStatus.FINAL else []
    return render_template("awards/promote.html", award=award, app=award.application, call=proposal.call,
                           proposal=proposal, form=form, reserves=reserves, message=message,
                           problem=promotion.drop_problem(award),
                           can_act=can_manage_proposal(current_user, proposal.call)), status


@bp.route("/manage/awards/<int:award_id>/promote", methods=["GET", "POST"])
@login_required
def promote(award_id):
    """登记放弃入选或合同签订前终止, and promote the level's next reserve (``promotion``)."""
    award = _award(award_id)
    _require_for_method(award.proposal.call)
    if request.method == "GET":
        return _promote_page(award, PromoteForm())
    form = PromoteForm()
    if not form.validate():
        return _promote_page(award, form, status=400)
    with commit_or_refusal(form) as attempt:
        promoted = promotion.drop_and_promote(
            award, current_user, form.chosen_cause, form.reason.data, utcnow(),
            link_for=lambda a: url_for("applications.detail", app_id=a.application_id))
    if not attempt.ok:
        award = _award(award_id)
        if attempt.refused.field is None:
            return _promote_page(award, None, attempt.refused.message, attempt.status)
        return _promote_page(award, form, attempt.message, attempt.status)
    if promoted is not None:
        flash(f"已登记{quoted(award.application.title)}{form.chosen_cause.label}；{quoted(promoted.application.title)}递补入选，"
              "入选通知书已开始生成。", "success")
    else:
        flash(f"已登记{quoted(award.application.title)}{form.chosen_cause.label}；本级别没有预算内可递补的候补项目。",
              "success")
    return redirect(url_for("proposals.show", call_id=award.proposal.call_id, level=award.level.value), 303)


# --- publish ------------------------------------------------------------------------------------

def _proposal_or_409(call):
    proposal = proposal_of(call)
    if proposal is None:
        abort(409, "尚未生成拟资助方案，请先生成方案。")
    return proposal


def _preview(days):
    """When a 公示 published now for ``days`` working days would end, and calendar warnings."""
    if not days:
        return None
    now = utcnow()
    try:  # the same count as publishing: confirmed years only
        ends_at = confirmed_publicity_end(now, days)
    except UnconfirmedYear as e:
        return SimpleNamespace(days=days, ends_at=None, warnings=[e.message])
    return SimpleNamespace(days=days, ends_at=ends_at, warnings=[])


def _publish_page(call, proposal, form, message=None, status=200):
    days = form.days.number if form.days.number is not None else None
    return render_template("awards/publish.html", call=call, proposal=proposal, form=form, message=message,
                           problem=publish_problem(proposal, call), preview=_preview(days),
                           selected=selected_count(proposal),
                           can_act=can_manage_proposal(current_user, call)), status


@bp.route("/manage/calls/<int:call_id>/proposal/publish", methods=["GET", "POST"])
@login_required
def publish(call_id):
    call = get_or_404(Call, call_id)
    _require_for_method(call)
    proposal = _proposal_or_409(call)
    if request.method == "GET":
        form = PublishForm(data={"days": call.publicity_days})
        try:  # parse the call's setting for the preview
            form.days.pre_validate(form)
        except ValueError as e:
            form.days.errors = [str(e)]
        return _publish_page(call, proposal, form)
    form = PublishForm()
    if not form.validate():
        return _publish_page(call, proposal, form, status=400)
    if form.preview.data:  # "计算截止时间": show when it would end, publish nothing
        return _publish_page(call, proposal, form)
    with commit_or_refusal(form) as attempt:
        proposal = publicity.publish(proposal, current_user, utcnow(), form.days.number)
    if not attempt.ok:
        proposal = _proposal_or_409(get_or_404(Call, call_id))
        return _publish_page(proposal.call, proposal, form, attempt.message, attempt.status)
    warning = f"注意：{proposal.calendar_warning}" if proposal.calendar_warning else ""
    flash(f"拟资助方案已发布公示，公示{proposal.publicity_days}个工作日，至{format_datetime(proposal.ends_at)}止。"
          f"公示期内可受理异议。{warning}", "success")
    return redirect(url_for("proposals.show", call_id=call_id), 303)


# --- confirm ------------------------------------------------------------------------------------

def _confirm_page(call, proposal, form, message=None, status=200):
    counts = {}
    for award in proposal.awards:
        counts[award.status] = counts.get(award.status, 0) + 1
    return render_template("awards/confirm.html", call=call, proposal=proposal, form=form, message=message,
                           problem=confirm_problem(proposal, utcnow()), counts=counts, AwardStatus=AwardStatus,
                           can_act=can_manage_proposal(current_user, call)), status


@bp.route("/manage/calls/<int:call_id>/proposal/confirm", methods=["GET", "POST"])
@login_required
def confirm(call_id):
    call = get_or_404(Call, call_id)
    _require_for_method(call)
    proposal = _proposal_or_409(call)
    form = ButtonForm()
    if request.method == "GET":
        return _confirm_page(call, proposal, form)
    with commit_or_refusal() as attempt:
        publicity.confirm(proposal, current_user, utcnow(),
                    link_for=lambda a: url_for("applications.detail", app_id=a.application_id))
    if not attempt.ok:
        proposal = _proposal_or_409(get_or_404(Call, call_id))
        return _confirm_page(proposal.call, proposal, form, attempt.refused.message, attempt.status)
    flash("最终结果已确定。各申报机构已收到结果通知，申报页面显示入选、候补或未入选及理由。", "success")
    return redirect(url_for("proposals.show", call_id=call_id), 303)
