"""Public pages of funded projects (项目执行公开): the list of funded projects (项目执行), read from the public
index (core/search.py) a page at a time, filtered by year, service field, 镇街 and contract status and sorted by
date, amount or name, with the calls whose results are final; for a call with final results, every selected
project with its contract state, money paid and money leveraged (``queries``); and one page per project whose
contract is in force — the contract's number and term, each tranche and payment, recoveries, matched funds,
report deadlines kept and evaluation grades. The page appears when the officer confirms the signed contract
(so a purchase contract is public well within the two working days the rules allow). Nothing personal:
individual donors are named only with their consent (``funding.matched.queries.public_name``) and free text
is masked on the server."""
from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from grantportal.calls.permissions import can_view_call
from grantportal.core import links, search
from grantportal.core.db import utcnow
from grantportal.core.districts import districts, is_district
from grantportal.core.paging import Pager, page_number
from grantportal.core.permissions import can_view_public_pages, require
from grantportal.core.timeutil import local_today
from grantportal.core.wording import quoted
from grantportal.disclosure.projects import queries
from grantportal.disclosure.search import FIRST_YEAR
from grantportal.funding.matched import queries as matched
from grantportal.funding.models import IN_FORCE, ContractStatus
from grantportal.funding.payments.tranches import tranche_states
from grantportal.funding.permissions import can_view_public_project
from grantportal.funding.queries import project_with_money, totals_of
from grantportal.monitoring.models import ReportStatus
from grantportal.monitoring.operations import recorded_evaluations, reports_of
from grantportal.monitoring.rectification import public_cases
from grantportal.pledges.operations import pledging_problem
from grantportal.pledges.queries import public_pledges
from grantportal.supervision.operations import filing_problem
from grantportal.supervision.queries import public_findings
from grantportal.surveys.queries import public_surveys

bp = Blueprint("projects", __name__)

PER_PAGE = 50
MAX_CALL_PAGE = 1000
SORTS = {"newest": "按合同生效日期（新到旧）", "amount": "按资助金额（高到低）", "name": "按项目名称拼音"}
STATUSES = {s.value: s.label for s in IN_FORCE}
FILTER_COLUMNS = {"year": "year", "field": "fields", "district": "district", "status": "category"}


def project_filters(args, today, fields):
    """The list's filters from the query string (``fields``: the service fields one may choose), and a message
    for each value not understood (the filter is then left out, never a 500)."""
    notes = []
    chosen = {name: (args.get(name) or "").strip() for name in ("year", "field", "district", "status", "sort")}
    year = chosen["year"]
    if year and not (year.isascii() and year.isdigit() and FIRST_YEAR <= int(year) <= today.year + 1):
        notes.append(f"年度无效（应为 {FIRST_YEAR}–{today.year + 1} 年），已显示全部年度。")
        chosen["year"] = ""
    if chosen["field"] and chosen["field"] not in fields:
        notes.append(f"没有名为{quoted(chosen['field'][:20])}的服务领域，已显示全部服务领域的项目。")
        chosen["field"] = ""
    if chosen["district"] and not is_district(chosen["district"]):
        notes.append(f"没有名为{quoted(chosen['district'][:20])}的镇街，已显示全部镇街的项目。")
        chosen["district"] = ""
    if chosen["status"] and chosen["status"] not in STATUSES:
        notes.append("合同状态无效，已显示全部状态的项目。")
        chosen["status"] = ""
    if chosen["sort"] and chosen["sort"] not in SORTS:
        notes.append("排序方式无效，已按合同生效日期排序。")
        chosen["sort"] = ""
    return chosen, notes


def project_row(entry):
    return {"id": entry.ref_id, "title": entry.title, "org": entry.subtitle, "field": entry.fields,
            "district": entry.district, "year": entry.year, "amount": entry.amount, "on": entry.happened_on,
            "status": ContractStatus(entry.category)}


@bp.route("/projects/")
def index():
    """项目执行: the funded projects whose contract is in force, from the public index — one page at a time, no
    count of every row, each filter and order served by an index — and the calls with final results."""
    require(can_view_public_pages(current_user))
    today = local_today()
    calls = queries.final_calls()
    fields = queries.service_fields(calls)
    chosen, notes = project_filters(request.args, today, fields)
    filters = {FILTER_COLUMNS[name]: int(value) if name == "year" else value
               for name, value in chosen.items() if name in FILTER_COLUMNS and value}
    page, moved = search.entries(["project"], None, filters, chosen["sort"] or "newest", page_number(),
                                 current_app.config["PAGE_SIZE"])
    if moved:
        notes.append(f"所选页码超出结果范围，已显示第 {page.page} 页。")
    elif request.args.get("page", type=int, default=1) > search.MAX_PAGES:
        notes.append(f"仅提供前 {search.MAX_PAGES} 页，请缩小筛选范围。")
    link = links.by_id("projects.project", "contract_id")
    return render_template("disclosure/project_calls.html", page=page, link=link,
                           rows=[project_row(e) for e in page.items],
                           notes=notes, filters=chosen, args={k: v for k, v in chosen.items() if v}, calls=calls,
                           years=sorted({c.year for c in calls}, reverse=True), fields=fields,
                           districts=districts(), statuses=STATUSES, sorts=SORTS)


@bp.route("/calls/<int:call_id>/projects")
def call_projects(call_id):
    call = queries.call_results(call_id)
    if call is None or not can_view_call(current_user, call):
        abort(404)  # a draft call's existence is not public
    if not call.final:
        return render_template("disclosure/projects.html", call=call, rows=None)
    totals = queries.call_totals(call)
    asked = page_number(MAX_CALL_PAGE)
    pager = Pager(totals.projects, asked, PER_PAGE)
    notes = [f"所选页码超出范围，已显示第 {pager.page} 页。"] if asked > pager.page else []
    return render_template("disclosure/projects.html", call=call, pager=pager, notes=notes, totals=totals,
                           rows=queries.funded_page(call, pager.start, PER_PAGE),
                           link={"project": links.by_id("projects.project", "contract_id"),
                                 "org": links.by_id("orgs.public_detail", "org_id")},
                           cache_minutes=current_app.config["STATISTICS_CACHE_SECONDS"] // 60)


@bp.route("/projects/<int:contract_id>")
def project(contract_id):
    """One project's public page in nine plain reads: the contract with its award, application, organization,
    call and document; its tranches, payments and recoveries (summed here, not again in the database); its
    matched funds; its reports; its evaluations; the findings of its answered 随手拍 reports (masked, never who
    reported), with the link to file one while the project is in execution; its verified public pledges (the
    name chosen or 爱心人士, the amount received, its date, and their total), with the link to pledge while the
    project is in execution."""
    contract = project_with_money(contract_id)
    if contract is None or not can_view_public_project(current_user, contract):
        abort(404)
    award = contract.award
    funds = matched.funds_of(award)
    reports = [r for r in reports_of(contract) if r.status != ReportStatus.WAIVED]
    payments = sorted(contract.payments, key=lambda p: (p.paid_on, p.id))  # each p.tranche: among the loaded
    findings, findings_total = public_findings(contract)
    pledges = public_pledges(contract)
    taking, survey_results = public_surveys(contract.id, utcnow())
    return render_template(
        "disclosure/project.html", contract=contract, award=award, app=award.application,
        team=award.application.executing_team,  # 项目执行团队, loaded here: name and 备案编号 only
        call=award.proposal.call, states=tranche_states(contract, payments),
        totals=totals_of(payments, contract.recoveries), payments=payments,
        recoveries=sorted(contract.recoveries, key=lambda r: (r.recovered_on, r.id)), funds=funds,
        public_name=matched.public_name, leverage=matched.project_leverage(award, funds), reports=reports,
        evaluations=recorded_evaluations(contract), findings=findings, findings_total=findings_total,
        may_report=filing_problem(contract) is None, pledges=pledges,
        may_pledge=pledging_problem(contract) is None, open_surveys=taking, survey_results=survey_results,
        rectifications=public_cases(contract))
