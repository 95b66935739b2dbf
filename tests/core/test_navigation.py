"""The main navigation (主导航) is decided by permissions, not by role names (issue 10): the links each
kind of user sees, in order, are the ones their pages' permissions allow. The expectations are the menus as
the template drew them from role names before (same links, same order); the page renders them without a query."""
import re

import pytest

from grantportal.core.db import db
from grantportal.core.notices import notify
from tests import factories as f
from tests.render import queries_while_rendering

PUBLIC = [("/", "首页"), ("/calls/", "项目征集"), ("/results", "公示与结果"), ("/orgs/", "社会组织"),
          ("/projects/", "项目执行"), ("/statistics", "统计"), ("/data/", "数据开放"), ("/verify", "文书核验"),
          ("/help", "帮助")]
SIGNED_IN = [("/inbox", "站内消息")]
EXPECTED = {
    "anonymous": PUBLIC + [("/login", "登录"), ("/register", "机构注册")],
    "org_member": PUBLIC + [("/org/", "我的机构"), ("/applications/", "我的申报"), ("/my/projects", "我的项目"),
                            ("/objections/mine", "我的异议")] + SIGNED_IN,
    "expert": PUBLIC + [("/review/", "评审任务"), ("/expert/profile", "专家资料"), ("/expert/conflicts", "回避申报"),
                        ("/objections/mine", "我的异议")] + SIGNED_IN,
    "officer": PUBLIC + [("/manage/", "待办"), ("/manage/calls/", "征集管理"), ("/manage/monitoring", "项目监管"),
                         ("/manage/orgs/", "机构管理"), ("/manage/experts/", "专家库"),
                         ("/manage/calendar/", "节假日安排"), ("/audit/", "审计日志")] + SIGNED_IN,
    "admin": PUBLIC + [("/admin/users/", "账户管理"), ("/audit/", "审计日志")] + SIGNED_IN,
}
EXPECTED["auditor"] = EXPECTED["officer"]
LINK = re.compile(r'<a href="([^"]*)"(?: class="[^"]*")?>([^<]*)')


def _nav(html):
    nav = html[html.index('<nav class="nav"'):html.index("</nav>")]
    return nav, [(href, text) for href, text in LINK.findall(nav) if not href.startswith("/account")]


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_kind_of_user_sees_exactly_their_links(client, auth, app, role):
    user = None
    if role != "anonymous":
        user = f.member_of() if role == "org_member" else f.UserFactory(**{role: True})
        auth.login(user)
    with queries_while_rendering(app) as seen:
        resp = client.get("/calls/")
    assert resp.status_code == 200 and seen == []
    nav, links = _nav(resp.get_data(as_text=True))
    assert links == EXPECTED[role]
    for href, _text in links:  # a menu is shown only when its page lets the user in
        assert client.get(href).status_code == 200, href
    if user is None:
        assert "退出" not in nav and "nav-user" not in nav
    else:
        me = f'<a href="/account" class="nav-user">{user.name}<span class="nav-role">（{user.role.label}）</span></a>'
        assert me in nav
        assert '<button type="submit" class="link">退出</button>' in nav


def test_the_inbox_link_counts_unread_notices(client, auth, app):
    user = f.UserFactory()
    for i in range(3):
        notify(user, f"通知{i}")
    db.session.commit()
    auth.login(user)
    nav, _links = _nav(client.get("/calls/").get_data(as_text=True))
    assert '<a href="/inbox" class="nav-inbox">站内消息<span class="nav-count" aria-label="3条未读">3</span></a>' in nav
