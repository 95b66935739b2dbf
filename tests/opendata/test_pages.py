"""The 数据开放 page, the Atom feed of new calls, 公示 and final results, sitemap.xml and robots.txt."""
import xml.etree.ElementTree as ET  # noqa: S405  (parses this site's own responses)

from grantportal.calls.models import CallStatus
from grantportal.opendata import views
from grantportal.opendata.downloads import FIELDS
from tests import factories as f


def parse(body):
    return ET.fromstring(body)  # noqa: S314  (this site's own response, not untrusted input)


ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_data_page_lists_datasets_dictionary_and_licence(client, world):
    resp = client.get("/data/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "<h1>数据开放</h1>" in html
    assert "本平台数据按 <a href=\"https://creativecommons.org/licenses/by/4.0/\">CC BY 4.0</a>" in html
    for url in ("/data/awards.json", "/data/awards.csv", "/data/awards.xlsx", "/data/awards-360giving.csv",
                f"/data/calls/{world.call.id}/ocds.json", "/feeds/updates.atom"):
        assert url in html
    for path in ("scores.csv", "draw.csv", "draw.json"):  # each linked download answers
        url = f"/calls/{world.call.id}/results/{path}"
        assert url in html and client.get(url).status_code == 200
    for field in FIELDS:
        assert f"<code>{field.key}</code>" in html and field.label in html
    assert "更新时间" in html and "暂无已公开的数据" not in html


def test_data_page_without_data(client):
    html = client.get("/data/").get_data(as_text=True)
    assert "暂无已公开的数据" in html and "暂无已确定评审结果的征集" in html


def test_feed_announces_calls_publicity_and_final_results(client, world):
    f.ranked_call([dict(total=90)], name="新发布的征集")
    resp = client.get("/feeds/updates.atom")
    assert resp.status_code == 200 and resp.mimetype == "application/atom+xml"
    feed = parse(resp.get_data())
    assert feed.tag == f"{ATOM}feed"
    titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
    assert f"评审结果确定：{world.call.title}" in titles
    assert f"评审结果公示：{world.call.title}" in titles
    assert f"发布征集：{world.call.title}" in titles
    ids = [e.find(f"{ATOM}id").text for e in feed.findall(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))
    updated = [e.find(f"{ATOM}updated").text for e in feed.findall(f"{ATOM}entry")]
    assert updated == sorted(updated, reverse=True)
    final = next(e for e in feed.findall(f"{ATOM}entry") if e.find(f"{ATOM}title").text.startswith("评审结果确定"))
    related = final.find(f"{ATOM}link[@rel='related']").get("href")
    assert related.endswith(f"/data/calls/{world.call.id}/ocds.json")


def test_feed_escapes_titles(client, officer):
    f.ranked_call([dict(total=90)], name="A&B<征集>")
    feed = parse(client.get("/feeds/updates.atom").get_data())  # well-formed
    assert any("A&B<征集>" in e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry"))


def test_feed_leaves_out_drafts(client, officer):
    f.CallFactory(status=CallStatus.DRAFT, name="内部草稿征集")
    assert "内部草稿征集" not in client.get("/feeds/updates.atom").get_data(as_text=True)


def test_sitemap_lists_public_pages_and_data(client, world, app, monkeypatch):
    app.config["PUBLIC_BASE_URL"] = "https://gongyi.example.cn"
    base = "https://gongyi.example.cn"
    monkeypatch.setattr(views, "SITEMAP_PROJECTS", world.contract.id)  # the contract opens the second range
    resp = client.get("/sitemap.xml")
    assert resp.status_code == 200 and resp.mimetype == "application/xml"
    parts = [s.find(f"{SITEMAP}loc").text for s in parse(resp.get_data()).findall(f"{SITEMAP}sitemap")]
    assert parts == [f"{base}/sitemaps/pages.xml", f"{base}/sitemaps/projects-0.xml", f"{base}/sitemaps/projects-1.xml"]
    locs = {}
    for part in parts:
        resp = client.get(part.removeprefix(base))
        assert resp.status_code == 200 and resp.mimetype == "application/xml"
        locs[part] = [u.find(f"{SITEMAP}loc").text for u in parse(resp.get_data()).findall(f"{SITEMAP}url")]
    for path in ("/", "/data/", f"/calls/{world.call.id}", f"/calls/{world.call.id}/results",
                 f"/data/calls/{world.call.id}/ocds.json"):
        assert base + path in locs[parts[0]]
    assert locs[parts[1]] == []
    assert locs[parts[2]] == [f"{base}/projects/{world.contract.id}",
                              f"{base}/data/projects/{world.contract.id}/ocds-record.json"]
    assert client.get("/sitemaps/projects-2.xml").status_code == 404
    all_locs = [loc for listed in locs.values() for loc in listed]
    assert len(all_locs) == len(set(all_locs))


def test_robots_points_to_the_sitemap_and_keeps_out_of_private_pages(client):
    resp = client.get("/robots.txt")
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    body = resp.get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in body
    assert "Disallow: /manage/" in body and "Disallow: /data/" not in body
