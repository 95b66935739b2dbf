"""The officer's 待办 home: one count and one link per kind of waiting work, built from real situations;
officers land there after signing in, auditors read it, everyone else is refused; the empty state."""
from grantportal.core.db import db
from grantportal.funding.models import TrancheStatus
from tests import factories as f


def _count(html, key):
    block = html.split(f'id="todo-{key}"')[1]
    return int(block.split('data-count="')[1].split('"')[0])


def test_officer_lands_on_the_home_after_signing_in(client, auth, officer):
    resp = auth.login(officer)
    assert resp.headers["Location"].endswith("/manage/")


def test_each_waiting_item_is_counted_and_links_to_where_the_officer_acts(client, auth, officer, waiting):
    auth.login(officer)
    html = client.get("/manage/").get_data(as_text=True)
    assert _count(html, "orgs") == 2 and "/manage/orgs/?status=pending" in html
    call = waiting["call"]
    assert _count(html, "screening") == 2
    assert f"/manage/calls/{call.id}/applications?status=submitted&amp;screening=pending" in html
    assert _count(html, "rounds") == 1 and f"/manage/rounds/{waiting['late'].id}" in html
    assert "复评" not in html and "旧轮次" not in html and "网络投票" not in html.split('id="todo-votes"')[0]
    assert _count(html, "votes") == 1 and f"/manage/votes/{waiting['vote'].id}" in html
    assert _count(html, "objections") == 1 and f"/manage/calls/{waiting['funded'].id}/objections" in html
    assert _count(html, "tranches") == 1 and f"/manage/calls/{waiting['funded'].id}/funding" in html
    assert _count(html, "reports") == 1 and "/manage/reports/awaiting-review" in html
    assert _count(html, "overdue") == 1 and "/manage/monitoring?overdue=1" in html
    assert _count(html, "supervision") == 1 and "/manage/supervision?status=pending" in html
    assert _count(html, "pledges") == 1 and "/manage/pledges?status=received" in html
    assert "暂无待办事项" not in html


def test_each_link_opens_a_page_for_the_officer(client, auth, officer, waiting):
    auth.login(officer)
    call, funded = waiting["call"], waiting["funded"]
    for url in ("/manage/orgs/?status=pending",
                f"/manage/calls/{call.id}/applications?status=submitted&screening=pending",
                f"/manage/rounds/{waiting['late'].id}", f"/manage/votes/{waiting['vote'].id}",
                f"/manage/calls/{funded.id}/objections",
                f"/manage/calls/{funded.id}/funding", "/manage/monitoring?overdue=1",
                "/manage/supervision?status=pending", "/manage/pledges?status=received"):
        assert client.get(url).status_code == 200, url
    page = client.get("/manage/reports/awaiting-review").get_data(as_text=True)
    assert f"/reports/{waiting['report'].id}" in page


def test_payable_count_follows_the_tranche_state(client, auth, officer, waiting):
    for t in waiting["contract"].tranches:
        t.status = TrancheStatus.PAID if t.status == TrancheStatus.PAYABLE else t.status
    db.session.commit()
    auth.login(officer)
    html = client.get("/manage/").get_data(as_text=True)
    assert 'id="todo-tranches"' not in html


def test_empty_state(client, auth, officer):
    auth.login(officer)
    html = client.get("/manage/").get_data(as_text=True)
    assert "暂无待办事项" in html and 'class="todo-list"' not in html


def test_auditor_reads_the_home_without_exports(client, auth, waiting):
    auth.login(f.UserFactory(auditor=True))
    html = client.get("/manage/").get_data(as_text=True)
    assert _count(html, "orgs") == 2 and "导出名单" not in html


def test_others_are_refused(client, auth):
    assert client.get("/manage/").status_code == 302
    auth.login(f.expert())
    assert client.get("/manage/").status_code == 403
