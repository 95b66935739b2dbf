"""Drafting an application: who may start one, saving incomplete drafts, budget rows, bad input."""
from decimal import Decimal

from grantportal.applications.models import Application, AppStatus
from grantportal.core.db import db
from grantportal.orgs.models import OrgStatus
from tests import factories as f
from tests.applications.helpers import eligible_org, form, text


def _only_application():
    return db.session.scalars(db.select(Application)).one()


def test_member_saves_an_incomplete_draft_and_totals_are_computed_on_the_server(client, auth):
    call = f.CallFactory()
    user = f.member_of(eligible_org())
    auth.login(user)
    data = form(title="", summary="", lines=[("活动经费", "食材", "1000.50", "grant"),
                                            ("场地费", "自有场地", "500", "matched")])
    data.update({"total_budget": "1", "requested_amount": "999999", "matched_amount": "0"})  # ignored
    resp = client.post(f"/calls/{call.id}/apply", data=data)
    assert resp.status_code == 302
    app = _only_application()
    assert app.status == AppStatus.DRAFT and app.number is None and app.title == ""
    assert (app.total_budget, app.requested_amount, app.matched_amount) == (
        Decimal("1500.50"), Decimal("1000.50"), Decimal("500.00"))
    page = text(client.get(f"/applications/{app.id}/edit"))
    assert "¥1,500.50" in page and "33.32%" in page


def test_unverified_organization_may_draft(client, auth):
    call = f.CallFactory()
    user = f.member_of(f.OrganizationFactory(status=OrgStatus.PENDING))
    auth.login(user)
    page = text(client.get(f"/calls/{call.id}/apply"))
    assert "尚未通过认证" in page
    assert client.post(f"/calls/{call.id}/apply", data=form()).status_code == 302
    assert _only_application().status == AppStatus.DRAFT


def test_member_without_an_organization_is_sent_to_register_one(client, auth):
    call = f.CallFactory()
    auth.login(f.UserFactory())
    resp = client.get(f"/calls/{call.id}/apply")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/org/register")
    resp = client.get("/applications/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/org/register")


def test_no_new_draft_outside_the_apply_stage(client, auth):
    closed = f.CallFactory(setup__stages={"open_days": -20, "close_days": -1})
    not_yet = f.CallFactory(setup__stages={"open_days": 2, "close_days": 20})
    auth.login(f.member_of(eligible_org()))
    for call in (closed, not_yet):
        resp = client.get(f"/calls/{call.id}/apply")
        assert resp.status_code == 302 and f"/calls/{call.id}" in resp.headers["Location"]
        assert client.post(f"/calls/{call.id}/apply", data=form()).status_code == 302
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 0


def test_draft_call_is_not_found(client, auth):
    from grantportal.calls.models import CallStatus

    call = f.CallFactory(status=CallStatus.DRAFT, published_at=None)
    auth.login(f.member_of(eligible_org()))
    assert client.get(f"/calls/{call.id}/apply").status_code == 404


def test_add_row_redisplays_the_form_with_one_more_row_and_keeps_input(client, auth):
    call = f.CallFactory()
    auth.login(f.member_of(eligible_org()))
    data = form(title="我的项目", lines=[("活动经费", "食材", "100", "grant")])
    data.pop("save")
    data["add_row"] = "增加一行"
    resp = client.post(f"/calls/{call.id}/apply", data=data)
    page = text(resp)
    assert resp.status_code == 200
    assert 'name="budget-1-item"' in page and 'value="我的项目"' in page
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 0


def test_bad_amounts_are_refused_next_to_the_field_and_input_is_kept(client, auth):
    call = f.CallFactory()
    auth.login(f.member_of(eligible_org()))
    cases = {"１２３": "半角数字", "1e5": "格式不正确", "-1": "不能为负数", "123.456": "两位小数",
             "100000001": "不能超过1亿元", "0": "须大于0"}
    for amount, message in cases.items():
        resp = client.post(f"/calls/{call.id}/apply",
                           data=form(title="保留的标题", lines=[("活动经费", "食材", amount, "grant")]))
        page = text(resp)
        assert resp.status_code == 200, amount
        assert message in page, amount
        assert 'value="保留的标题"' in page and f'value="{amount}"' in page
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 0


def test_a_started_budget_row_must_be_complete(client, auth):
    call = f.CallFactory()
    auth.login(f.member_of(eligible_org()))
    page = text(client.post(f"/calls/{call.id}/apply", data=form(lines=[("", "食材", "", "grant")])))
    assert "请选择费用类别" in page and "请填写金额" in page


def test_full_width_beneficiary_count_is_refused(client, auth):
    call = f.CallFactory()
    auth.login(f.member_of(eligible_org()))
    page = text(client.post(f"/calls/{call.id}/apply", data=form(target_count="２００")))
    assert "半角数字" in page


def test_editing_a_draft_replaces_its_budget_lines(client, auth):
    user = f.member_of(eligible_org())
    app = f.ApplicationFactory(org=user.org, created_by=user)
    auth.login(user)
    resp = client.post(f"/applications/{app.id}/edit", data=form(app, title="新名称", lines=[
        ("活动经费", "食材", "60000", "grant"), ("宣传费", "海报", "40000", "matched")]))
    assert resp.status_code == 302
    app = db.session.get(Application, app.id)
    assert app.title == "新名称" and len(app.budget_lines) == 2
    assert app.total_budget == Decimal("100000.00") and app.matched_amount == Decimal("40000.00")


def test_an_edit_on_a_stale_page_is_refused_with_409_and_overwrites_nothing(client, auth):
    user = f.member_of(eligible_org())
    app = f.ApplicationFactory(org=user.org, created_by=user)
    auth.login(user)
    stale = form(app, title="旧页面的修改")
    assert client.post(f"/applications/{app.id}/edit", data=form(app, title="较新的内容")).status_code == 302
    resp = client.post(f"/applications/{app.id}/edit", data=stale)
    assert resp.status_code == 409
    assert "不是最新内容" in text(resp) and 'value="旧页面的修改"' in text(resp)
    assert db.session.get(Application, app.id).title == "较新的内容"


def test_a_draft_cannot_be_edited_after_the_deadline(client, auth):
    user = f.member_of(eligible_org())
    call = f.CallFactory(setup__stages={"open_days": -20, "close_days": -1})
    app = f.ApplicationFactory(call=call, org=user.org, created_by=user, title="原标题")
    auth.login(user)
    resp = client.get(f"/applications/{app.id}/edit")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/applications/{app.id}")
    resp = client.post(f"/applications/{app.id}/edit", data=form(app, title="截止后修改"))
    assert resp.status_code == 409 and "截止" in text(resp)
    assert db.session.get(Application, app.id).title == "原标题"


def test_max_applications_per_org_counts_drafts_but_not_withdrawn(client, auth):
    user = f.member_of(eligible_org())
    call = f.CallFactory(max_applications_per_org=1)
    first = f.ApplicationFactory(call=call, org=user.org, created_by=user)
    auth.login(user)
    resp = client.post(f"/calls/{call.id}/apply", data=form())
    assert resp.status_code == 409 and "已达上限1份" in text(resp)
    first.status = AppStatus.WITHDRAWN
    db.session.commit()
    assert client.post(f"/calls/{call.id}/apply", data=form()).status_code == 302
