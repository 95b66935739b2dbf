"""No personal data in any open-data download, feed or public page (DESIGN.md §4): crawl every open-data
address of the test world — the 数据开放 page, each link on it, the OCDS packages and records, the feed, the
sitemap's data addresses, robots.txt — and the public pages about the same projects (search, directory,
results, score table, draw record, project pages, statistics), and look for the people behind the data."""
import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlsplit

from markupsafe import escape
from openpyxl import load_workbook

from grantportal.core.db import db
from grantportal.core.masking import mask_text
from grantportal.funding.models import FundSourceKind, MatchedFund
from tests.opendata.conftest import OBJECTOR, PERSONAL, SUMMARY_PHONE

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Z])\d{17}[0-9X](?![0-9A-Z])")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _text(resp):
    if resp.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(resp.get_data()), read_only=True)
        return "\n".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    return resp.get_data(as_text=True)


def _open_data_urls(client, world):
    urls = {"/data/", "/feeds/updates.atom", "/sitemap.xml", "/robots.txt",
            f"/data/calls/{world.call.id}/ocds.json", f"/data/projects/{world.contract.id}/ocds-record.json"}
    parser = Links()
    parser.feed(client.get("/data/").get_data(as_text=True))
    urls |= {h for h in parser.hrefs if h.startswith(("/data/", "/feeds/"))}
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    urls |= {urlsplit(u).path for u in re.findall(r"<loc>([^<]+)</loc>", sitemap) if "/data/" in u}
    return sorted(urls)


def _public_pages(world):
    """The public pages about the same people: search, directory, records, results, score table, draw record,
    projects and statistics."""
    call, org = world.call.id, world.awards[0].application.org
    return {"/", f"/search?q={org.name[:4]}", f"/search?q={org.name[:4]}&kind=project", "/orgs/",
            f"/orgs/{org.id}", f"/calls/{call}", f"/calls/{call}/results", f"/calls/{call}/results/scores",
            f"/calls/{call}/results/scores.csv", f"/calls/{call}/results/draw", f"/calls/{call}/results/draw.csv",
            f"/calls/{call}/results/draw.json", f"/calls/{call}/projects", f"/projects/{world.contract.id}",
            "/projects/", "/results", "/statistics"}


def test_no_personal_data_in_any_download_or_feed(client, world):
    db.session.add(MatchedFund(award_id=world.awards[0].id, source_kind=FundSourceKind.INDIVIDUAL,
                               source_name="慕容捐赠", name_public=False, pledged=Decimal("8000"),
                               received=Decimal("8000"), recorded_by_id=world.officer.id))
    orgs = [a.application.org for a in world.awards]
    forbidden = {"慕容捐赠", OBJECTOR["real_name"], OBJECTOR["contact"], "幸福路", SUMMARY_PHONE,
                 world.payment.voucher_number, world.recovery.voucher_number, PERSONAL["legal_rep"],
                 PERSONAL["contact_name"], *world.people}
    for org in orgs:
        forbidden |= {org.legal_rep, org.contact_name, org.contact_phone, org.address}
    db.session.commit()

    urls = _open_data_urls(client, world)
    assert {"/data/awards.csv", "/data/awards.xlsx", "/data/awards.json", "/data/awards-360giving.csv"} <= set(urls)
    panel = f"/calls/{world.call.id}/results"  # the call publishes its review panel (publish_panel), no scores
    assert world.call.publish_panel
    for url in urls + sorted(_public_pages(world)):
        resp = client.get(url)
        assert resp.status_code == 200, url
        text = _text(resp)
        if url.startswith("/projects/"):  # the project's own summary, published as written with phones masked:
            for award in world.awards:   # names in free text cannot be found reliably (not in open data at all)
                text = text.replace(escape(mask_text(award.application.summary)), "")
        found = sorted(s for s in (forbidden - set(world.people) if url == panel else forbidden) if s and s in text)
        assert not found, f"{url}: {found}"
        assert not MOBILE.search(text), f"{url}: a mobile number"
        for org in orgs:  # an organization's code is public (and may be 18 digits, like an ID number)
            text = text.replace(org.uscc, "")
        assert not ID_NUMBER.search(text), f"{url}: an ID number"
    for org in orgs:  # what the data is about is there
        assert org.uscc in client.get("/data/awards.csv").get_data(as_text=True)
