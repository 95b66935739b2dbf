"""The inbox (站内消息): each user sees only their own notices, newest first, unread marked; marking one or
all read; the unread count in the navigation; another user's notice is a 404."""
import re
from datetime import timedelta

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.core.notices import Notice
from tests import factories as f


def _notice(user, title, minutes_ago=0, **kw):
    return f.NoticeFactory(user=user, title=title, created_at=utcnow() - timedelta(minutes=minutes_ago), **kw)


def _count_in_nav(html):
    match = re.search(r'class="nav-inbox"(?: aria-current="page")?>站内消息'
                      r'(?:<span class="nav-count"[^>]*>(\d+)</span>)?</a>', html)
    assert match, "the navigation has no 站内消息 link"
    return int(match.group(1) or 0)


def test_a_user_sees_only_their_own_notices_newest_first_with_unread_marked(client, auth):
    me, other = f.member_of(f.OrganizationFactory()), f.member_of(f.OrganizationFactory())
    _notice(me, "资格审查结果：通过", minutes_ago=30)
    _notice(me, "申报已受理", minutes_ago=60, read_at=utcnow())
    _notice(other, "别人的机构登记被退回")
    auth.login(me)
    html = client.get("/inbox").get_data(as_text=True)
    assert html.index("资格审查结果：通过") < html.index("申报已受理")
    assert "别人的机构登记被退回" not in html
    assert html.count('class="badge info">未读') == 1
    assert _count_in_nav(html) == 1


def test_marking_one_notice_read_follows_its_link_and_is_audited(client, auth):
    me = f.member_of(f.OrganizationFactory())
    notice = _notice(me, "申报已受理", link="/applications/7")
    auth.login(me)
    resp = client.post(f"/inbox/{notice.id}/read", data={"go": "1"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/applications/7")
    assert db.session.get(Notice, notice.id).read_at is not None
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "notice.read")) is not None
    assert _count_in_nav(client.get("/inbox").get_data(as_text=True)) == 0


def test_a_link_to_another_site_is_never_followed(client, auth):
    me = f.member_of(f.OrganizationFactory())
    notice = _notice(me, "可疑链接", link="//evil.example/x")
    auth.login(me)
    resp = client.post(f"/inbox/{notice.id}/read", data={"go": "1"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/inbox?page=1")


def test_mark_all_read_marks_only_the_users_own_notices(client, auth):
    me, other = f.member_of(f.OrganizationFactory()), f.member_of(f.OrganizationFactory())
    mine = [_notice(me, f"消息{i}") for i in range(3)]
    theirs = _notice(other, "别人的消息")
    auth.login(me)
    resp = client.post("/inbox/read-all", follow_redirects=True)
    assert "已将3条消息标为已读" in resp.get_data(as_text=True)
    assert all(db.session.get(Notice, n.id).read_at is not None for n in mine)
    assert db.session.get(Notice, theirs.id).read_at is None


def test_another_users_notice_cannot_be_marked_read(client, auth):
    me, other = f.member_of(f.OrganizationFactory()), f.member_of(f.OrganizationFactory())
    theirs = _notice(other, "别人的消息")
    auth.login(me)
    assert client.post(f"/inbox/{theirs.id}/read").status_code == 404
    assert db.session.get(Notice, theirs.id).read_at is None


def test_an_empty_inbox_says_so(client, auth):
    auth.login(f.UserFactory(expert=True))
    html = client.get("/inbox").get_data(as_text=True)
    assert "暂无消息" in html and "全部标为已读" not in html


def test_the_inbox_is_paged(client, auth):
    me = f.member_of(f.OrganizationFactory())
    for i in range(25):
        _notice(me, f"第{i}条消息", minutes_ago=i)
    auth.login(me)
    first = client.get("/inbox").get_data(as_text=True)
    second = client.get("/inbox?page=2").get_data(as_text=True)
    assert "第0条消息" in first and "第24条消息" not in first
    assert "第24条消息" in second and "第 2 / 2 页" in second
    assert _count_in_nav(second) == 25


def test_visitors_have_no_inbox_and_no_count(client):
    assert client.get("/inbox").status_code == 302
    assert "nav-inbox" not in client.get("/").get_data(as_text=True)
