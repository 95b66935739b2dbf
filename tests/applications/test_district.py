"""服务镇街 on the 申报书: a choice from the city's list (core/districts.py), optional in a draft, required at
submission; an application from before the field existed shows 未填写."""
from grantportal.applications.models import Application, AppStatus
from grantportal.core.db import db
from tests import factories as f
from tests.applications.helpers import SIGNED, form, ready, text


def _get(app):
    return db.session.get(Application, app.id)


def _submit(client, app):
    return client.post(f"/applications/{app.id}/submit", data={"version": str(_get(app).version), **SIGNED})


def test_a_draft_saves_without_a_district_and_submission_asks_for_it(client, auth):
    user, app = ready(district=None)
    auth.login(user)
    page = text(client.get(f"/applications/{app.id}"))
    assert "服务镇街" in page and "（未填写）" in page
    assert client.post(f"/applications/{app.id}/edit", data=form(app, district="")).status_code == 302
    body = text(_submit(client, app))
    assert "请选择“服务镇街”" in body and _get(app).status == AppStatus.DRAFT
    assert client.post(f"/applications/{app.id}/edit", data=form(_get(app), district="港口镇")).status_code == 302
    assert _get(app).district == "港口镇"
    assert _submit(client, app).status_code == 302
    assert _get(app).status == AppStatus.SUBMITTED


def test_the_form_offers_the_citys_list_and_refuses_another_name(client, auth):
    user, app = ready(district="小榄镇")
    auth.login(user)
    page = client.get(f"/applications/{app.id}/edit").get_data(as_text=True)
    assert '<option selected value="小榄镇">' in page or '<option value="小榄镇" selected>' in page
    resp = client.post(f"/applications/{app.id}/edit", data=form(app, district="东升镇"))
    assert resp.status_code == 200 and "请从列表中选择" in text(resp)
    assert _get(app).district == "小榄镇"


def test_a_deployment_with_its_own_list(app, client, auth):
    app.config["DISTRICTS"] = ("香洲区", "金湾区", "斗门区")
    user, application = ready(district=None)
    auth.login(user)
    page = client.get(f"/applications/{application.id}/edit").get_data(as_text=True)
    assert "金湾区" in page and "小榄镇" not in page
    assert client.post(f"/applications/{application.id}/edit",
                       data=form(application, district="金湾区")).status_code == 302
    assert _get(application).district == "金湾区"


def test_new_application_records_its_district(client, auth):
    user, _ = ready()
    auth.login(user)
    call = f.CallFactory()
    assert client.post(f"/calls/{call.id}/apply", data=form(district="三角镇")).status_code == 302
    created = db.session.scalar(db.select(Application).where(Application.call_id == call.id))
    assert created.district == "三角镇"
