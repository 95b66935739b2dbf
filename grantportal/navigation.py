"""The site's main menu, in order, declared where the app is assembled: each entry opens one domain's page
and is shown exactly when that page's own ``can_*`` permission allows the user (core/navigation.py renders
it). A new page joins the menu here, with the permission its view requires and its group.

The groups: 公开信息 (the public pages), 我的 (an organization's, an expert's or a citizen's own pages), 管理 (the
staff's and the administrator's pages) and 账户 (the inbox, signing in — accounts and citizens —, registering).
The staff — and anyone who sees more than the anonymous visitor's fourteen entries — get their own links first
and 公开信息 folded into one disclosure (FOLD); an anonymous visitor keeps the flat public menu. The signed-in
user's name links to their own account page (ACCOUNT_PAGES)."""
from flask import g

from grantportal.accounts.permissions import (
    can_manage_own_account,
    can_manage_users,
    can_register_account,
    can_sign_in,
)
from grantportal.applications.permissions import can_list_own_applications
from grantportal.audit.permissions import can_view_audit_log
from grantportal.awards.objections.permissions import can_follow_own_objections
from grantportal.calendar.permissions import can_view_calendar
from grantportal.calls.permissions import can_manage_calls
from grantportal.catalogue.permissions import can_list_catalogues
from grantportal.citizens.permissions import can_sign_in_as_citizen, can_view_participation
from grantportal.core.navigation import Entry, Fold
from grantportal.core.permissions import can_view_public_pages
from grantportal.documents.permissions import can_verify_documents
from grantportal.experts.permissions import can_browse_pool, can_edit_own_profile, can_view_own_conflicts
from grantportal.inbox.permissions import can_list_notices
from grantportal.inspection.permissions import can_list_agencies, can_list_supervised_projects
from grantportal.monitoring.permissions import can_list_own_projects, can_list_projects
from grantportal.orgs.permissions import can_browse_directory, can_review_orgs, can_view_my_org
from grantportal.pledges.permissions import can_list_org_pledges, can_list_pledges
from grantportal.review.scoring.permissions import can_view_worklist
from grantportal.supervision.permissions import can_list_org_supervision_reports, can_list_supervision_reports
from grantportal.teams.permissions import can_list_supported_teams, can_view_my_team
from grantportal.workbench.permissions import can_view_workbench


def _unread_notices():
    """Counted before the view ran (inbox.views.count_unread), so the menu's badge needs no query."""
    return g.get("unread_notices")


PUBLIC, MINE, STAFF, ACCOUNT = "公开信息", "我的", "管理", "账户"

MENU = [
    Entry("首页", "disclosure.index", can_view_public_pages, PUBLIC),
    Entry("项目征集", "calls.public_list", can_view_public_pages, PUBLIC),
    Entry("服务目录", "catalogue.years", can_view_public_pages, PUBLIC),
    Entry("公众投票", "votes.index", can_view_public_pages, PUBLIC),
    Entry("公示与结果", "disclosure.results", can_view_public_pages, PUBLIC),
    Entry("社会组织", "orgs.directory", can_browse_directory, PUBLIC),
    Entry("项目执行", "projects.index", can_view_public_pages, PUBLIC),
    Entry("统计", "statistics.index", can_view_public_pages, PUBLIC),
    Entry("数据开放", "opendata.index", can_view_public_pages, PUBLIC),
    Entry("文书核验", "documents.verify_form", can_verify_documents, PUBLIC),
    Entry("帮助", "disclosure.help", can_view_public_pages, PUBLIC),
    # an organization's own pages
    Entry("我的机构", "orgs.mine", can_view_my_org, MINE),
    Entry("我的申报", "applications.mine", can_list_own_applications, MINE),
    Entry("我的项目", "monitoring.mine", can_list_own_projects, MINE),
    # a third party's (第三方机构) own page
    Entry("我的监管项目", "inspection.mine", can_list_supervised_projects, MINE),
    Entry("随手拍答复", "supervision.org_list", can_list_org_supervision_reports, MINE),
    Entry("公众认捐", "pledges.org_list", can_list_org_pledges, MINE),
    Entry("挂靠团队", "teams.supported", can_list_supported_teams, MINE),
    # a grassroots team's leader (an organization account without an organization)
    Entry("我的草根团队", "teams.mine", can_view_my_team, MINE),
    # an expert's own pages
    Entry("评审任务", "scoring.worklist", can_view_worklist, MINE),
    Entry("专家资料", "experts.profile", can_edit_own_profile, MINE),
    Entry("回避申报", "experts.conflicts", can_view_own_conflicts, MINE),
    Entry("我的异议", "objections.mine", can_follow_own_objections, MINE),
    # a citizen's (公众) own page
    Entry("我的参与", "citizens.home", can_view_participation, MINE),
    # the staff's pages (auditors read them)
    Entry("待办", "workbench.home", can_view_workbench, STAFF),
    Entry("征集管理", "calls.manage", can_manage_calls, STAFF),
    Entry("服务目录", "catalogue.manage", can_list_catalogues, STAFF),
    Entry("项目监管", "monitoring.manage", can_list_projects, STAFF),
    Entry("第三方机构", "inspection.agencies", can_list_agencies, STAFF),
    Entry("随手拍监督", "supervision.queue", can_list_supervision_reports, STAFF),
    Entry("公众认捐", "pledges.queue", can_list_pledges, STAFF),
    Entry("机构管理", "orgs.manage", can_review_orgs, STAFF),
    Entry("专家库", "experts.pool", can_browse_pool, STAFF),
    Entry("节假日安排", "calendar.index", can_view_calendar, STAFF),
    # the system administrator's
    Entry("账户管理", "accounts.users", can_manage_users, STAFF),
    Entry("审计日志", "audit.index", can_view_audit_log, STAFF),
    # every signed-in user; visitors sign in or register
    Entry("站内消息", "inbox.index", can_list_notices, ACCOUNT, css="nav-inbox", count=_unread_notices),
    Entry("登录", "accounts.login", can_sign_in, ACCOUNT),
    Entry("公众登录", "citizens.login", can_sign_in_as_citizen, ACCOUNT),
    Entry("机构注册", "accounts.register", can_register_account, ACCOUNT),
]

FOLD = Fold(PUBLIC, for_groups=frozenset({STAFF}), above=14)

# where the signed-in user's name links to: the first of these pages they may open
ACCOUNT_PAGES = [
    Entry("我的参与", "citizens.home", can_view_participation, ACCOUNT),
    Entry("我的账户", "accounts.account", can_manage_own_account, ACCOUNT),
]
