"""诚信承诺书 (issue 14): every application carries its call's integrity pledge, signed by the organization's
representative when submitting — the name typed, the box ticked; the text as signed, the signer and the time are
kept and printed on the 申报回执; a pledge not signed submits nothing and keeps what was typed; a breach recorded
later bars the organization for three years."""
from datetime import date, timedelta

import sqlalchemy as sa

from grantportal.applications import eligibility as el
from grantportal.applications.models import Application, AppStatus
from grantportal.calls.integrity import DEFAULT_PLEDGE, pledge_text, text_version
from grantportal.calls.models import Call
from grantportal.core.db import db
from grantportal.orgs.models import SanctionKind
from tests import factories as f
from tests.applications.helpers import SIGNED, ready, text
from tests.calls.formdata import call_form
from tests.documents.conftest import poppler

TODAY = date(2026, 11, 22)


def _submit(client, app, **data):
    return client.post(f"/applications/{app.id}/submit", data={"version": str(app.version), **data})


def test_the_page_shows_the_calls_pledge_with_the_legal_representative_as_signer(client, auth):
    user, app = ready()
    auth.login(user)
    html = text(client.get(f"/applications/{app.id}"))
    assert "诚信承诺书" in html and "不转包、不违法分包" in html  # the default text
    assert f'value="{app.org.legal_rep}"' in client.get(f"/applications/{app.id}").get_data(as_text=True)
    assert f"承诺书文本版本：{text_version(DEFAULT_PLEDGE)}" in html


def test_a_pledge_not_ticked_or_not_signed_submits_nothing_and_keeps_the_name(client, auth):
    user, app = ready()
    auth.login(user)
    resp = _submit(client, app, pledge_signer="陈嘉慧琳")
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "请阅读诚信承诺书并勾选确认后再提交" in page and 'value="陈嘉慧琳"' in page
    resp = _submit(client, app, pledge_signer="  ", pledge_agree="y")
    assert resp.status_code == 400 and "请填写签署诚信承诺书的法定代表人或其授权代表的姓名" in text(resp)
    stored = db.session.get(Application, app.id)
    assert stored.status == AppStatus.DRAFT and stored.number is None and stored.pledge_signed_at is None


def test_the_signed_pledge_is_kept_as_signed_and_printed_on_the_receipt(client, auth, tmp_path):
    call = f.CallFactory(integrity_pledge="本机构承诺申报材料真实有效。\n本机构承诺项目资金专款专用。")
    user, app = ready(call=call)
    auth.login(user)
    assert _submit(client, app, **SIGNED).status_code == 302
    stored = db.session.get(Application, app.id)
    assert stored.pledge_signer == SIGNED["pledge_signer"] and stored.pledge_signed_at is not None
    assert stored.pledge_text == call.integrity_pledge
    call.integrity_pledge = "改写后的承诺书。"  # a later change of the call's wording does not alter what was signed
    db.session.commit()
    assert "陈嘉慧琳 于" in text(client.get(f"/applications/{app.id}"))
    pdf = client.get(f"/applications/{app.id}/receipt.pdf").get_data()
    flat = "".join(poppler("pdftotext", pdf, tmp_path).split())
    assert "诚信承诺书" in flat and "本机构承诺项目资金专款专用。" in flat and "改写后" not in flat
    assert "陈嘉慧琳" in flat and text_version("本机构承诺申报材料真实有效。\n本机构承诺项目资金专款专用。") in flat


def test_a_breached_pledge_bars_the_organization_for_three_years():
    org = f.OrganizationFactory()
    f.SanctionFactory(org=org, kind=SanctionKind.BREACH, decided_on=TODAY - timedelta(days=400),
                      reason="申报材料中的服务人次与实际不符。")
    check = el.check_breach(org, TODAY)
    assert not check.passed and "违反诚信承诺" in check.reason and "未满3年" in check.reason
    assert "no_breach" in [c.code for c in el.org_checks(org, f.CallFactory(), TODAY) if not c.passed]
    old = f.OrganizationFactory()
    f.SanctionFactory(org=old, kind=SanctionKind.BREACH, decided_on=date(2023, 11, 1))
    assert el.check_breach(old, TODAY).passed


def test_the_officer_words_the_calls_pledge_in_the_call_form(client, auth):
    officer = f.UserFactory(officer=True)
    auth.login(officer)
    html = client.get("/manage/calls/new").get_data(as_text=True)
    assert "不转包、不违法分包" in html  # a new call's form starts with the default wording
    resp = client.post("/manage/calls/new", data=call_form(integrity_pledge="本机构承诺所报服务人次真实。"))
    assert resp.status_code == 302, text(resp)[:500]
    call = db.session.scalar(sa.select(Call).where(Call.code == "BA100"))
    assert pledge_text(call) == "本机构承诺所报服务人次真实。"
    resp = client.post("/manage/calls/new", data=call_form(code="BA101", integrity_pledge=""))
    assert resp.status_code == 302
    assert pledge_text(db.session.scalar(sa.select(Call).where(Call.code == "BA101"))) == DEFAULT_PLEDGE
