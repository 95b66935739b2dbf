"""The main navigation (主导航) is decided by permissions, not by role names (issue 10): the links each
kind of user sees, in order, are the ones their pages' permissions allow; the page renders them without a query.

A long menu is grouped (grantportal/navigation.py): the staff — and anyone who sees more than the anonymous
visitor's fourteen entries — get their own links first and the public pages folded into one 公开信息 disclosure;
an anonymous visitor and a citizen keep the flat public menu. The signed-in user's name opens their own
account page: 我的账户, or a citizen's 我的参与."""
import re

import pytest

from grantportal.core.db import db
from grantportal.core.navigation import Entry, Fold, menu_for
from grantportal.core.notices import notify
from grantportal.core.roles import Role
from grantportal.navigation import ACCOUNT, FOLD, MENU, MINE, PUBLIC, STAFF
from tests import factories as f
from tests.permissions.test_matrix import sign_in
from tests.render import queries_while_rendering

PUBLIC_LINKS = [("/", "首页"), ("/calls/", "项目征集"), ("/catalogue/", "服务目录"), ("/votes/", "公众投票"),
                ("/results", "公示与结果"),
                ("/orgs/", "社会组织"), ("/projects/", "项目执行"), ("/statistics", "统计"), ("/data/", "数据开放"),
                ("/verify", "文书核验"), ("/help", "帮助")]
SIGNED_IN = [("/inbox", "站内消息")]
ORG = [("/org/", "我的机构"), ("/applications/", "我的申报"), ("/my/projects", "我的项目"),
       ("/my/supervision", "随手拍答复"), ("/my/pledges", "公众认捐"), ("/orgs/teams", "挂靠团队"),
       ("/objections/mine", "我的异议")]
EXPERT = [("/review/", "评审任务"), ("/expert/profile", "专家资料"), ("/expert/conflicts", "回避申报"),
          ("/objections/mine", "我的异议")]
OFFICER = [("/manage/", "待办"), ("/manage/calls/", "征集管理"), ("/manage/catalogue/", "服务目录"),
           ("/manage/monitoring", "项目监管"), ("/manage/third-parties", "第三方机构"),
           ("/manage/supervision", "随手拍监督"), ("/manage/pledges", "公众认捐"),
           ("/manage/orgs/", "机构管理"), ("/manage/experts/", "专家库"), ("/manage/calendar/", "节假日安排"),
           ("/audit/", "审计日志")]
ADMIN = [("/admin/users/", "账户管理"), ("/audit/", "审计日志")]
CITIZEN = [("/citizen/", "我的参与")]
THIRD_PARTY = [("/third-party/projects", "我的监管项目")]
# (the links shown directly, the links folded under 公开信息 or None for a flat menu)
EXPECTED = {
    "anonymous": (PUBLIC_LINKS + [("/login", "登录"), ("/citizen/login", "公众登录"), ("/register", "机构注册")], None),
    "citizen": (PUBLIC_LINKS + CITIZEN + SIGNED_IN, None),
    "org_member": (ORG + SIGNED_IN, PUBLIC_LINKS),
    "expert": (EXPERT + SIGNED_IN, PUBLIC_LINKS),
    "officer": (OFFICER + SIGNED_IN, PUBLIC_LINKS),
    "admin": (ADMIN + SIGNED_IN, PUBLIC_LINKS),
    "third_party": (PUBLIC_LINKS + THIRD_PARTY + SIGNED_IN, None),
}
EXPECTED["auditor"] = EXPECTED["officer"]
LINK = re.compile(r'<a href="([^"]*)"(?: class="([^"]*)")?(?: aria-current="page")?>([^<]*)')
FOLDED = re.compile(r'<details class="nav-fold">\s*<summary(?: class="nav-current")?>公开信息</summary>(.*?)</details>',
                    re.S)


def _links(html):
    """The menu's links, without the signed-in user's name (it links to their own account page)."""
    return [(href, text) for href, css, text in LINK.findall(html) if css != "nav-user"]


def _nav(html):
    """The navigation's HTML, the links shown directly, and those folded under 公开信息 (None when flat)."""
    nav = html[html.index('<nav class="nav'):html.index("</nav>")]
    folded = FOLDED.search(nav)
    if folded is None:
        return nav, _links(nav), None
    return nav, _links(nav.replace(folded.group(0), "")), _links(folded.group(1))


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_kind_of_user_sees_exactly_their_links(client, auth, app, role):
    user = None
    if role == "citizen":  # signed in by SMS code (tests/citizens): here a session of their own, as the matrix does
        user = f.CitizenFactory().user
        sign_in(client, user)
    elif role != "anonymous":
        user = (f.member_of() if role == "org_member" else f.UserFactory(role=Role.THIRD_PARTY)
                if role == "third_party" else f.UserFactory(**{role: True}))
        auth.login(user)
    with queries_while_rendering(app) as seen:
        resp = client.get("/help")
    assert resp.status_code == 200 and seen == []
    nav, direct, folded = _nav(resp.get_data(as_text=True))
    assert (direct, folded) == EXPECTED[role]
    for href, _text in direct + (folded or []):  # a menu is shown only when its page lets the user in
        assert client.get(href).status_code == 200, href
    if folded is None:  # flat: no 菜单 button either
        assert nav.startswith('<nav class="nav" ') and "<details" not in nav
    else:  # the whole menu behind 菜单 (shown open on a wide screen by the stylesheet)
        assert nav.startswith('<nav class="nav nav-grouped" ')
        assert re.search(r'<details class="nav-menu">\s*<summary class="nav-toggle">.*菜单</summary>', nav)
    if user is None:
        assert "退出" not in nav and "nav-user" not in nav
    else:
        own = "/citizen/" if role == "citizen" else "/account"
        me = f'<a href="{own}" class="nav-user">{user.name}<span class="nav-role">（{user.role.label}）</span></a>'
        assert me in nav
        assert '<button type="submit" class="link">退出</button>' in nav


def test_the_menu_groups_are_as_declared():
    groups = {}
    for entry in MENU:
        groups.setdefault(entry.group, []).append(entry.label)
    assert groups == {
        PUBLIC: ["首页", "项目征集", "服务目录", "公众投票", "公示与结果", "社会组织", "项目执行", "统计", "数据开放",
                 "文书核验", "帮助"],
        MINE: ["我的机构", "我的申报", "我的项目", "我的监管项目", "随手拍答复", "公众认捐", "挂靠团队", "我的草根团队",
               "评审任务", "专家资料", "回避申报", "我的异议", "我的参与"],
        STAFF: ["待办", "征集管理", "服务目录", "项目监管", "第三方机构", "随手拍监督", "公众认捐",
                "机构管理", "专家库", "节假日安排", "账户管理", "审计日志"],
        ACCOUNT: ["站内消息", "登录", "公众登录", "机构注册"],
    }
    assert (PUBLIC, MINE, STAFF, ACCOUNT) == ("公开信息", "我的", "管理", "账户")
    assert FOLD == Fold(PUBLIC, for_groups=frozenset({STAFF}), above=14)


def test_a_menu_folds_for_the_staff_and_for_a_long_menu_only(app):
    def entry(label, group, allowed=True):
        return Entry(label, "disclosure.help", lambda user: allowed, group)

    fold = Fold("公开", for_groups=frozenset({"管理"}), above=5)
    public = [entry(label, "公开") for label in "甲乙丙"]
    with app.test_request_context("/help"):
        flat = menu_for(public + [entry("登录", "账户")], None, fold, "disclosure.help")
        assert not flat.folded and [link.label for link in flat.links] == ["甲", "乙", "丙", "登录"]
        assert all(link.current for link in flat.links)  # each opens /help, this request's page

        staff = menu_for(public + [entry("待办", "管理"), entry("消息", "账户")], None, fold)  # five: the staff
        assert [(g.label, g.folded, [link.label for link in g.links]) for g in staff.groups] == [
            ("管理", False, ["待办"]), ("账户", False, ["消息"]), ("公开", True, ["甲", "乙", "丙"])]
        assert not any(link.current for link in staff.links)

        mine = [entry(label, "我的") for label in ("我的一", "我的二", "我的三")]
        long = menu_for(public + mine, None, fold)  # six: more than five
        assert long.folded and [g.label for g in long.groups] == ["我的", "公开"]
        hidden = menu_for(public + [entry("待办", "管理", allowed=False)], None, fold)
        assert not hidden.folded  # an entry the user may not open does not count


def test_the_current_page_is_marked_also_inside_the_fold(client, auth):
    auth.login(f.UserFactory(officer=True))
    nav, _direct, _folded = _nav(client.get("/help").get_data(as_text=True))
    assert '<a href="/help" aria-current="page">帮助</a>' in nav
    assert '<summary class="nav-current">公开信息</summary>' in nav
    nav, _direct, _folded = _nav(client.get("/manage/calls/").get_data(as_text=True))
    assert '<a href="/manage/calls/" aria-current="page">征集管理</a>' in nav
    assert "<summary>公开信息</summary>" in nav and nav.count('aria-current="page"') == 1


def test_the_inbox_link_counts_unread_notices(client, auth, app):
    user = f.UserFactory()
    for i in range(3):
        notify(user, f"通知{i}")
    db.session.commit()
    auth.login(user)
    nav, _direct, _folded = _nav(client.get("/calls/").get_data(as_text=True))
    assert '<a href="/inbox" class="nav-inbox">站内消息<span class="nav-count" aria-label="3条未读">3</span></a>' in nav
