"""Open data pages and files (数据开放). Stable addresses:

- ``/data/``: the 数据开放 page (datasets, data dictionary, licence, last update);
- ``/data/calls/<call_id>/ocds.json``: the call's OCDS release package (404 until its results are final);
- ``/data/projects/<contract_id>/ocds-record.json``: a project's OCDS record package (404 until its contract is
  in force);
- ``/data/awards.json``, ``/data/awards.csv``, ``/data/awards.xlsx``, ``/data/awards-360giving.csv``: every
  published award, streamed;
- ``/feeds/updates.atom``, ``/sitemap.xml`` (an index of ``/sitemaps/pages.xml`` and
  ``/sitemaps/projects-N.xml``), ``/robots.txt``.
"""
import json

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import escape

from grantportal.calls.models import Call
from grantportal.calls.sources import call_shares
from grantportal.core import links, replica
from grantportal.core.db import db, utcnow
from grantportal.core.files import stream_stored
from grantportal.core.paging import get_or_404
from grantportal.core.web import error_page
from grantportal.opendata import bulk, ocds, queries
from grantportal.opendata.downloads import FIELDS, GIVING_COLUMNS, Urls, csv_chunks, giving_chunks, json_chunks
from grantportal.opendata.permissions import can_download_call_data, can_download_project_record

bp = Blueprint("opendata", __name__)

LICENCE = "CC BY 4.0"
SITEMAP_LIMIT = 10000  # calls in the pages sitemap (up to four addresses each); a sitemap holds at most 50,000
SITEMAP_PROJECTS = 10000  # contract ids per projects sitemap (two addresses each)


def _base():
    """The public address of the site: ``PUBLIC_BASE_URL`` when set, else the address of this request."""
    return (current_app.config.get("PUBLIC_BASE_URL") or request.url_root).rstrip("/")


def absolute(endpoint, **values):
    return _base() + url_for(endpoint, **values)


def here():
    """The addresses inside the data, under this site's public address (``downloads.Urls``)."""
    return Urls(_base(), current_app.url_map.bind("localhost", script_name=request.script_root or "/"))


def publisher():
    config = current_app.config
    return ocds.Publisher(ocid_prefix=config["OCID_PREFIX"], bureau_name=config["BUREAU_NAME"],
                          bureau_uscc=config["BUREAU_USCC"], policy_url=absolute("opendata.index"))


def _json(data, filename):
    """``data`` as compact JSON: without ``indent`` the json module encodes in C (a project's record: a quarter of
    the request's time when indented); a browser or ``jq`` lays it out for a reader."""
    return Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")), mimetype="application/json",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


def _in_app_context(app, chunks, size=64 * 1024):
    """The chunks, gathered into pieces of about ``size`` and each piece produced inside an application context
    of its own (the database session lives there). The response is sent after the view has returned and its
    contexts are gone, and the server may resume the iterator in another context, so no context is held across
    a ``yield``; the rows carry plain values, never objects of a closed session. Each piece reads from the same
    database as the request did (the replica for an anonymous visitor: core/replica.py)."""
    pieces, from_replica = iter(chunks), replica.reads_replica(db)
    return _pieces(app, pieces, size, from_replica)


def _pieces(app, pieces, size, from_replica):
    while True:
        with app.app_context():
            replica.choose(db, from_replica)
            gathered, length = [], 0
            for piece in pieces:
                gathered.append(piece)
                length += len(piece)
                if length >= size:
                    break
        if not gathered:
            return
        yield gathered[0][:0].join(gathered)


def _stream(chunks, mimetype, filename):
    return Response(_in_app_context(current_app._get_current_object(), chunks), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


CALL_DATA = {"call": "calls.public_detail", "package": "opendata.call_package",  # the links of each call on /data/
             "scores_csv": "proposals.scores_csv", "scores": "proposals.scores", "draw_csv": "proposals.draw_csv",
             "draw_json": "proposals.draw_json_download"}


@bp.route("/data/")
def index():
    return render_template("opendata/index.html", fields=FIELDS, giving_columns=GIVING_COLUMNS,
                           calls=queries.final_calls(), updated=queries.last_update(), licence=LICENCE,
                           xlsx=bulk.kept(bulk.AWARDS_XLSX),
                           xlsx_hours=f"{current_app.config['OPEN_DATA_FILE_SECONDS'] / 3600:g}",
                           link={name: links.by_id(endpoint, "call_id") for name, endpoint in CALL_DATA.items()},
                           licence_url=ocds.LICENSE_URL, ocid_prefix=current_app.config["OCID_PREFIX"])


@bp.route("/data/calls/<int:call_id>/ocds.json")
def call_package(call_id):
    call = get_or_404(Call, call_id)
    proposal = queries.final_proposal(call)
    if not can_download_call_data(current_user, call, proposal):
        abort(404)  # no final results yet (or a draft call): the package does not exist
    pub = publisher()
    tender = ocds.tender_release(pub, call, proposal, queries.call_budget(call))
    batches = ((awards, queries.contract_facts([a.id for a in awards]))
               for awards in queries.funded_award_batches(call.id))
    chunks = ocds.release_package_chunks(pub, absolute("opendata.call_package", call_id=call.id), tender,
                                         ocds.final_at(proposal), batches, call_shares(call))
    return Response(_in_app_context(current_app._get_current_object(), chunks), mimetype="application/json",
                    headers={"Content-Disposition": f'inline; filename="ocds-call-{call.id}.json"'})


@bp.route("/data/projects/<int:contract_id>/ocds-record.json")
def project_record(contract_id):
    contract = queries.project_contract(contract_id)
    if contract is None or not can_download_project_record(current_user, contract):
        abort(404)
    award = contract.award
    proposal, call = award.proposal, award.proposal.call
    pub = publisher()
    releases = [ocds.tender_release(pub, call, proposal, queries.call_budget(call)),
                ocds.award_release(pub, pub.ocid(call.id), ocds.final_at(proposal), award,
                                   queries.project_facts(contract), call_shares(call))]
    package = ocds.record_package(pub, absolute("opendata.project_record", contract_id=contract.id),
                                  absolute("opendata.call_package", call_id=call.id), releases)
    return _json(package, f"ocds-project-{contract.id}.json")


def _bulk_meta():
    return {"title": "资助项目数据", "publisher": current_app.config["BUREAU_NAME"], "license": ocds.LICENSE_URL,
            "dictionary": absolute("opendata.index") + "#dictionary"}


@bp.route("/data/awards.json")
def awards_json():
    pub, urls = publisher(), here()
    return _stream(json_chunks(queries.award_rows(), pub, urls, _bulk_meta()), "application/json", "awards.json")


@bp.route("/data/awards.csv")
def awards_csv():
    pub, urls = publisher(), here()
    return _stream(csv_chunks(queries.award_rows(), pub, urls), "text/csv; charset=utf-8", "awards.csv")


@bp.route("/data/awards.xlsx")
def awards_xlsx():
    """The kept XLSX (opendata/bulk.py), streamed from storage; one request queues a new build once it is old."""
    dataset, now = bulk.kept(bulk.AWARDS_XLSX), utcnow()
    if bulk.is_due(dataset, now) and bulk.request_build(bulk.AWARDS_XLSX, dataset, now, _base(),
                                                         request.script_root):
        db.session.commit()  # the build runs after the commit (in the tests at once)
        dataset = bulk.kept(bulk.AWARDS_XLSX)
    if dataset is None or dataset.file is None:
        body, status = error_page(503, "资助项目 Excel 文件正在生成，完成后即可下载，请几分钟后再试；"
                                       "也可以下载同样内容的 CSV 或 JSON 文件。")
        return Response(body, status, headers={"Retry-After": "60"})
    return stream_stored(dataset.file, bulk.AWARDS_XLSX)


@bp.route("/data/awards-360giving.csv")
def awards_360giving():
    pub, urls = publisher(), here()
    return _stream(giving_chunks(queries.award_rows(), pub, urls), "text/csv; charset=utf-8",
                   "awards-360giving.csv")


FEED_TITLES = {"call": "发布征集", "publicity": "评审结果公示", "final": "评审结果确定"}
FEED_LINKS = {"call": "calls.public_detail", "publicity": "proposals.public", "final": "proposals.public"}


@bp.route("/feeds/updates.atom")
def feed():
    link = {kind: _by_id(endpoint, "call_id") for kind, endpoint in FEED_LINKS.items()}
    data = _by_id("opendata.call_package", "call_id")
    entries = [{"id": link[e.kind](e.call_id) + f"#{e.kind}", "title": f"{FEED_TITLES[e.kind]}：{e.call_title}",
                "updated": ocds.iso(e.updated), "link": link[e.kind](e.call_id),
                "data": data(e.call_id) if e.kind == "final" else None}
               for e in queries.feed_entries()]
    updated = entries[0]["updated"] if entries else ocds.iso(queries.last_update()) or "2026-01-01T00:00:00+08:00"
    body = render_template("opendata/updates.atom.xml", entries=entries, updated=updated,
                           feed_url=absolute("opendata.feed"), home=absolute("disclosure.index"),
                           site_name=current_app.config["SITE_NAME"])
    return Response(body, mimetype="application/atom+xml")


@bp.route("/sitemap.xml")
def sitemap():
    """A sitemap index (sitemaps.org): the site's own pages and calls, then one sitemap per range of
    ``SITEMAP_PROJECTS`` contract ids — every public project is listed however many there are, each file
    stays well under the protocol's 50,000 addresses, and no request reads more than one range."""
    parts = [absolute("opendata.sitemap_pages")]
    parts += [absolute("opendata.sitemap_projects", part=k)
              for k in range(queries.max_contract_id() // SITEMAP_PROJECTS + 1)]
    body = render_template("opendata/sitemap_index.xml", sitemaps=parts)
    return Response(body, mimetype="application/xml")


@bp.route("/sitemaps/pages.xml")
def sitemap_pages():
    def urls():
        yield absolute("disclosure.index")
        yield absolute("calls.public_list")
        yield absolute("opendata.index")
        for call_id, status in queries.sitemap_calls(SITEMAP_LIMIT):
            yield absolute("calls.public_detail", call_id=call_id)
            if status is not None and status.value != "draft":
                yield absolute("proposals.public", call_id=call_id)
            if status is not None and status.value == "final":
                yield absolute("projects.call_projects", call_id=call_id)
                yield absolute("opendata.call_package", call_id=call_id)

    return _urlset(list(urls()))


@bp.route("/sitemaps/projects-<int:part>.xml")
def sitemap_projects(part):
    if part > queries.max_contract_id() // SITEMAP_PROJECTS:
        abort(404)
    page, record = _by_id("projects.project", "contract_id"), _by_id("opendata.project_record", "contract_id")
    urls = []
    for contract_id in queries.sitemap_projects(part * SITEMAP_PROJECTS, (part + 1) * SITEMAP_PROJECTS):
        urls += [page(contract_id), record(contract_id)]
    return _urlset(urls)


def _by_id(endpoint, name):
    return links.by_id(endpoint, name, base=_base())


def _urlset(urls):
    """A ``<urlset>`` of ``urls`` (at most 40,000 addresses, read in the request), sent address by address;
    the addresses are this site's, escaped all the same."""
    def chunks():
        yield '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        for url in urls:
            yield f"  <url><loc>{escape(url)}</loc></url>\n"
        yield "</urlset>\n"

    return Response(chunks(), mimetype="application/xml")


@bp.route("/robots.txt")
def robots():
    body = render_template("opendata/robots.txt", sitemap=absolute("opendata.sitemap"))
    return Response(body, mimetype="text/plain")
