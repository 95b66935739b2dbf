"""The site's main menu, in order, declared where the app is assembled: each entry opens one domain's page
and is shown exactly when that page's own ``can_*`` permission allows the user (core/navigation.py renders
it). A new page joins the menu here, with the permission its view requires."""
from flask import g

from grantportal.accounts.permissions import can_manage_users, can_register_account, can_sign_in
from grantportal.applications.permissions import can_list_own_applications
from grantportal.audit.permissions import can_view_audit_log
from grantportal.awards.objections.permissions import can_follow_own_objections
from grantportal.calendar.permissions import can_view_calendar
from grantportal.calls.permissions import can_manage_calls
from grantportal.core.navigation import Entry
from grantportal.core.permissions import can_view_public_pages
from grantportal.documents.permissions import can_verify_documents
from grantportal.experts.permissions import can_browse_pool, can_edit_own_profile, can_view_own_conflicts
from grantportal.inbox.permissions import can_list_notices
from grantportal.monitoring.permissions import can_list_own_projects, can_list_projects
from grantportal.orgs.permissions import can_browse_directory, can_review_orgs, can_view_my_org
from grantportal.review.scoring.permissions import can_view_worklist
from grantportal.workbench.permissions import can_view_workbench


def _unread_notices():
    """Counted before the view ran (inbox.views.count_unread), so the menu's badge needs no query."""
    return g.get("unread_notices")


MENU = [
    Entry("首页", "disclosure.index", can_view_public_pages),
    Entry("项目征集", "calls.public_list", can_view_public_pages),
    Entry("公示与结果", "disclosure.results", can_view_public_pages),
    Entry("社会组织", "orgs.directory", can_browse_directory),
    Entry("项目执行", "projects.index", can_view_public_pages),
    Entry("统计", "statistics.index", can_view_public_pages),
    Entry("数据开放", "opendata.index", can_view_public_pages),
    Entry("文书核验", "documents.verify_form", can_verify_documents),
    Entry("帮助", "disclosure.help", can_view_public_pages),
    # an organization's own pages
    Entry("我的机构", "orgs.mine", can_view_my_org),
    Entry("我的申报", "applications.mine", can_list_own_applications),
    Entry("我的项目", "monitoring.mine", can_list_own_projects),
    # an expert's own pages
    Entry("评审任务", "scoring.worklist", can_view_worklist),
    Entry("专家资料", "experts.profile", can_edit_own_profile),
    Entry("回避申报", "experts.conflicts", can_view_own_conflicts),
    Entry("我的异议", "objections.mine", can_follow_own_objections),
    # the staff's pages (auditors read them)
    Entry("待办", "workbench.home", can_view_workbench),
    Entry("征集管理", "calls.manage", can_manage_calls),
    Entry("项目监管", "monitoring.manage", can_list_projects),
    Entry("机构管理", "orgs.manage", can_review_orgs),
    Entry("专家库", "experts.pool", can_browse_pool),
    Entry("节假日安排", "calendar.index", can_view_calendar),
    # the system administrator's
    Entry("账户管理", "accounts.users", can_manage_users),
    Entry("审计日志", "audit.index", can_view_audit_log),
    # every signed-in user; visitors sign in or register
    Entry("站内消息", "inbox.index", can_list_notices, css="nav-inbox", count=_unread_notices),
    Entry("登录", "accounts.login", can_sign_in),
    Entry("机构注册", "accounts.register", can_register_account),
]
