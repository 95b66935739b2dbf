"""Who sees which applications: own organization only; staff all; experts and the public none."""
import json

from grantportal.applications.models import AppStatus, Screening
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from tests import factories as f
from tests.applications.helpers import eligible_org, form, ready, text


def test_member_lists_only_their_organizations_applications_with_next_action(client, auth):
    user, mine = ready(title="本机构的项目")
    ready(member=False, title="别人的项目")
    auth.login(user)
    page = text(client.get("/applications/"))
    assert "本机构的项目" in page and "别人的项目" not in page
    assert "继续填写并提交" in page and "草稿" in page


def test_empty_list_points_to_open_calls(client, auth):
    f.CallFactory(edition="第九届")
    auth.login(f.member_of(eligible_org()))
    page = text(client.get("/applications/"))
    assert "还没有申报项目" in page and "第九届" in page and "在线申报" in page


def test_another_organizations_application_is_forbidden_and_an_unknown_id_not_found(client, auth):
    user, _ = ready()
    _, theirs = ready(member=False, status=AppStatus.SUBMITTED, number="O-2026-0001")
    auth.login(user)
    for url in (f"/applications/{theirs.id}", f"/applications/{theirs.id}/edit",
                f"/applications/{theirs.id}/withdraw"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/applications/{theirs.id}/edit", data=form(theirs)).status_code == 403
    assert client.post(f"/applications/{theirs.id}/withdraw", data={"version": "1"}).status_code == 403
    assert client.get("/applications/999999").status_code == 404


def test_experts_and_the_public_see_none_of_these_pages(client, auth):
    _, app = ready(member=False, status=AppStatus.SUBMITTED, number="O-2026-0002")
    resp = client.get(f"/applications/{app.id}")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    auth.login(f.UserFactory(expert=True))
    assert client.get(f"/applications/{app.id}").status_code == 403
    assert client.get(f"/manage/calls/{app.call_id}/applications").status_code == 403


def test_officer_lists_a_calls_applications_with_filters(client, auth):
    call = f.CallFactory(max_applications_per_org=5)
    _, passed = ready(call=call, member=False, status=AppStatus.SUBMITTED, number="L-2026-0001",
                      screening=Screening.PASSED, title="已通过的项目")
    _, pending = ready(call=call, member=False, status=AppStatus.SUBMITTED, number="L-2026-0002",
                       title="待审查的项目")
    ready(call=call, member=False, title="草稿项目")
    auth.login(f.UserFactory(officer=True))
    page = text(client.get(f"/manage/calls/{call.id}/applications"))
    assert "已通过的项目" in page and "待审查的项目" in page and "草稿项目" not in page
    page = text(client.get(f"/manage/calls/{call.id}/applications?screening=passed"))
    assert "已通过的项目" in page and "待审查的项目" not in page
    page = text(client.get(f"/manage/calls/{call.id}/applications?status=draft"))
    assert "草稿项目" in page and "已通过的项目" not in page
    assert client.get(f"/manage/calls/{call.id}/applications?page=999999999").status_code == 200
    assert client.get("/manage/calls/999999/applications").status_code == 404


def test_call_list_orders_by_number_unnumbered_last_and_totals_each_filter(client, auth, app):
    call = f.CallFactory(max_applications_per_org=10)
    for number, title, status, screening in [
            ("N-2026-0002", "编号二", AppStatus.SUBMITTED, Screening.PASSED),
            (None, "撤回的草稿", AppStatus.WITHDRAWN, Screening.PENDING),
            ("N-2026-0001", "编号一", AppStatus.SUBMITTED, Screening.PENDING),
            ("N-2026-0003", "编号三", AppStatus.RETURNED, Screening.PENDING),
            (None, "未提交的草稿", AppStatus.DRAFT, Screening.PENDING)]:
        ready(call=call, member=False, status=status, screening=screening, number=number, title=title)
    auth.login(f.UserFactory(officer=True))
    app.config["PAGE_SIZE"] = 2
    page = text(client.get(f"/manage/calls/{call.id}/applications"))
    assert page.index("编号一") < page.index("编号二") and "共 4 条" in page and "未提交的草稿" not in page
    assert "草稿 1 份" in page and "已提交 2 份" in page and "退回修改 1 份" in page and "已撤回 1 份" in page
    page = text(client.get(f"/manage/calls/{call.id}/applications?page=2"))
    assert page.index("编号三") < page.index("撤回的草稿")
    page = text(client.get(f"/manage/calls/{call.id}/applications?screening=pending"))
    assert "共 3 条" in page and "编号二" not in page
    page = text(client.get(f"/manage/calls/{call.id}/applications?status=submitted&screening=pending"))
    assert "编号一" in page and "编号二" not in page and "编号三" not in page


def test_call_list_runs_a_fixed_number_of_queries(client, auth, app):
    import sqlalchemy as sa

    call = f.CallFactory(max_applications_per_org=30)
    for _ in range(6):
        ready(call=call, member=False, status=AppStatus.SUBMITTED)
    auth.login(f.UserFactory(officer=True))
    statements = []

    def count(*args, **kw):
        statements.append(args[2] if len(args) > 2 else "")

    with app.app_context():
        from grantportal.core.db import db as database

        engine = database.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(f"/manage/calls/{call.id}/applications")
        few = len(statements)
        for _ in range(6):
            ready(call=call, member=False, status=AppStatus.SUBMITTED)
        statements.clear()
        client.get(f"/manage/calls/{call.id}/applications")
        assert len(statements) == few
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_every_change_is_in_the_audit_log_under_its_name(client, auth):
    user = f.member_of(eligible_org())
    call = f.CallFactory()
    auth.login(user)
    client.post(f"/calls/{call.id}/apply", data=form(title="审计测试"))
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "application.create",
                                                          AuditEntry.object_type == "application"))
    assert json.loads(entry.after)["title"] == "审计测试" and entry.actor_id == user.id
    lines = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "application.create",
                                                           AuditEntry.object_type == "budget_line")).all()
    assert len(lines) == 3
