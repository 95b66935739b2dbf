"""站内搜索: one search over public calls, organizations and funded projects, read from the public index
(core/search.py) — a page of entries at a time, never a count of every match."""
from flask import current_app, render_template, request
from flask_login import current_user

from grantportal.core import links, search
from grantportal.core.paging import page_number
from grantportal.core.permissions import can_view_public_pages, require
from grantportal.core.search_text import SearchQuery
from grantportal.core.timeutil import local_today
from grantportal.disclosure.views import bp

SORTS = {"match": "默认（最新在前）", "name": "按名称拼音", "newest": "按日期（新到旧）", "amount": "按金额（高到低）"}
LINKS = {"call": ("calls.public_detail", "call_id"), "org": ("orgs.public_detail", "org_id"),
         "project": ("projects.project", "contract_id")}
FIRST_YEAR = 2000


def search_choices(args, today):
    """The kind, year and order asked for, and a message for each value not understood (left out)."""
    notes = []
    kind, year, sort = args.get("kind", ""), args.get("year", ""), args.get("sort", "")
    if kind and kind not in search.KIND_LABELS:
        notes.append("类别无效，已显示全部类别。")
        kind = ""
    if year and not (year.isascii() and year.isdigit() and FIRST_YEAR <= int(year) <= today.year + 1):
        notes.append(f"年度无效（应为 {FIRST_YEAR}–{today.year + 1} 年），已显示全部年度。")
        year = ""
    if sort and sort not in SORTS:
        notes.append("排序方式无效，已按默认顺序排列。")
        sort = ""
    return {"kind": kind, "year": year, "sort": sort}, notes


def result_row(entry, link):
    """A row of the results; ``link`` is {kind: id -> address} (``result_links``)."""
    return {"kind": search.KIND_LABELS[entry.kind], "title": entry.title, "subtitle": entry.subtitle,
            "url": link[entry.kind](entry.ref_id), "fields": entry.fields, "year": entry.year,
            "tier": entry.tier, "amount": entry.amount,
            "on": entry.happened_on}


@bp.route("/search")
def search_page():
    require(can_view_public_pages(current_user))
    today = local_today()
    query = SearchQuery(request.args.get("q", ""))
    chosen, notes = search_choices(request.args, today)
    if query.problem:
        notes.insert(0, query.problem)
    elif query.shortened:
        notes.insert(0, "搜索词过长，仅按前面的部分查询。")
    page, rows = None, []
    if query:
        filters = {"year": int(chosen["year"])} if chosen["year"] else {}
        kinds = [chosen["kind"]] if chosen["kind"] else list(search.KIND_LABELS)
        page, moved = search.entries(kinds, query, filters, chosen["sort"] or "match", page_number(),
                                     current_app.config["PAGE_SIZE"])
        if moved:
            notes.append(f"所选页码超出结果范围，已显示第 {page.page} 页。")
        link = {kind: links.by_id(endpoint, key) for kind, (endpoint, key) in LINKS.items()}
        rows = [result_row(e, link) for e in page.items]
    args = {k: v for k, v in {"q": query.text, **chosen}.items() if v}
    return render_template("disclosure/search.html", query=query.text, searched=bool(query), page=page, rows=rows,
                           notes=notes, chosen=chosen, args=args, kinds=search.KIND_LABELS, sorts=SORTS,
                           years=range(today.year + 1, FIRST_YEAR - 1, -1))
