"""Public pages kept as rendered for anonymous visitors (core/pagecache.py): a visitor never sees a page older than
the last change of public data; signed-in users, flashed messages and private writes are handled as the module
says. In this process's memory and in Redis."""
import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisDown

from grantportal.applications.models import AppStatus
from grantportal.core.db import db
from tests import factories as f

REDIS = "redis://127.0.0.1:6379/0"


def _kept(resp):
    return resp.headers.get("X-Page-Cache") == "hit"


@pytest.fixture
def org():
    org = f.OrganizationFactory(name="中山市明德长者服务中心")
    db.session.commit()
    return org


def test_a_public_page_is_kept_until_public_data_changes(client, org):
    first = client.get(f"/orgs/{org.id}")
    assert first.status_code == 200 and not _kept(first)
    again = client.get(f"/orgs/{org.id}")
    assert _kept(again) and again.data == first.data
    assert again.headers["Cache-Control"] == "no-cache" and again.headers["X-Request-ID"]

    org.name = "中山市明德长者综合服务中心"
    db.session.commit()
    changed = client.get(f"/orgs/{org.id}")
    assert not _kept(changed) and "中山市明德长者综合服务中心" in changed.get_data(as_text=True)


def test_each_address_is_its_own_page_and_errors_are_never_kept(client, org):
    client.get("/orgs/?tier=4A")
    assert not _kept(client.get("/orgs/?tier=5A"))
    assert _kept(client.get("/orgs/?tier=4A"))
    client.get("/orgs/?q=明德")
    assert not _kept(client.get("/orgs/?q=明德"))  # free-text searches are not kept
    assert client.get("/orgs/999999").status_code == 404
    assert not _kept(client.get("/orgs/999999"))


def test_a_page_asked_for_under_another_host_name_is_never_served_for_the_site(client, org):
    client.get(f"/orgs/{org.id}", headers={"Host": "evil.example"})
    assert not _kept(client.get(f"/orgs/{org.id}"))


def test_a_draft_saved_changes_no_public_page_but_a_submission_does(client, org):
    call = f.CallFactory()
    app_ = f.ApplicationFactory(call=call, org=org)
    db.session.commit()
    client.get("/calls/")
    app_.summary = "草稿里改了一句话。"
    db.session.commit()
    assert _kept(client.get("/calls/"))
    app_.status = AppStatus.SUBMITTED
    db.session.commit()
    assert not _kept(client.get("/calls/"))


def test_signed_in_users_and_waiting_messages_always_get_the_page_rendered(client, auth, org):
    client.get(f"/orgs/{org.id}")
    assert _kept(client.get(f"/orgs/{org.id}"))
    auth.login(f.UserFactory(officer=True))
    assert not _kept(client.get(f"/orgs/{org.id}"))
    auth.logout()
    with client.session_transaction() as s:
        s["_flashes"] = [("info", "已退出登录。")]
    assert not _kept(client.get(f"/orgs/{org.id}"))


def test_a_page_older_than_the_setting_is_rendered_again(make_app, org, monkeypatch):
    from grantportal.core import pagecache

    clock = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock[0])
    client = make_app(PAGE_CACHE_SECONDS=30).test_client()
    client.get(f"/orgs/{org.id}")
    clock[0] += 29
    assert _kept(client.get(f"/orgs/{org.id}"))
    clock[0] += 2
    assert not _kept(client.get(f"/orgs/{org.id}"))


def test_with_the_setting_at_zero_nothing_is_kept(make_app, org):
    client = make_app(PAGE_CACHE_SECONDS=0).test_client()
    client.get(f"/orgs/{org.id}")
    assert not _kept(client.get(f"/orgs/{org.id}"))


@pytest.fixture
def redis_app(make_app):
    try:
        Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except RedisDown:
        pytest.skip("Redis is not reachable at " + REDIS)
    return make_app(REDIS_URL=REDIS)


def test_in_redis_a_write_in_one_worker_is_seen_by_every_other_at_once(redis_app, make_app, org):
    worker_a, worker_b = redis_app, make_app(REDIS_URL=REDIS)
    a, b = worker_a.test_client(), worker_b.test_client()
    a.get(f"/orgs/{org.id}")
    assert _kept(b.get(f"/orgs/{org.id}"))  # kept by worker A, served by worker B
    with worker_a.app_context():
        db.session.get(type(org), org.id).name = "中山市明德长者关爱中心"
        db.session.commit()
    page = b.get(f"/orgs/{org.id}")
    assert not _kept(page) and "中山市明德长者关爱中心" in page.get_data(as_text=True)


def test_in_redis_an_unreachable_server_leaves_pages_rendered_and_says_so(make_app, org, caplog):
    client = make_app(REDIS_URL="redis://127.0.0.1:1/0").test_client()
    assert client.get(f"/orgs/{org.id}").status_code == 200
    assert not _kept(client.get(f"/orgs/{org.id}"))
    assert "page store unreachable" in caplog.text


def test_every_table_named_private_exists(app):
    from grantportal.core.pagecache import PRIVATE_COLUMNS, PRIVATE_TABLES

    tables = db.Model.metadata.tables
    assert PRIVATE_TABLES <= set(tables)
    assert all(columns <= set(tables[t].c.keys()) for t, columns in PRIVATE_COLUMNS.items())


def test_a_page_read_from_a_streaming_replica_is_never_kept(make_app, db_url, org):
    """The replica may not have replayed the write that moved the generation on: a page it served would be kept,
    stale, under the new generation (tests/core/test_streaming_replica.py shows it with a real standby)."""
    from tests.core.test_replica import _read_only_url

    client = make_app(REPLICA_DATABASE_URL=_read_only_url(db_url)).test_client()
    assert client.get(f"/orgs/{org.id}").status_code == 200
    assert not _kept(client.get(f"/orgs/{org.id}"))
