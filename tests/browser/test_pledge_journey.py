"""公众认捐 on a 375 px phone (issue 13): a visitor opens a project in execution, taps 我要认捐, signs in as a
citizen with the SMS code the demo shows and comes back to the form, first types a zero amount (refused next to
the field, the rest kept), then pledges 2,000 元 anonymously and sees it waiting for the organization; once
received and verified, the project's page lists it as 爱心人士 with the total. Screenshots:
tests/screenshots/pledge-*.png."""

import pytest
import sqlalchemy as sa

from grantportal.core.db import db, utcnow
from grantportal.core.timeutil import local_today
from grantportal.pledges.models import Pledge, PledgeStatus
from grantportal.pledges.operations import verify
from tests import factories as f
from tests.browser.util import axe_violations, citizen_sign_in, fits_phone, html, shot
from tests.funding.conftest import active_contract

pytestmark = pytest.mark.browser


def test_a_citizen_pledges_on_a_project_page(app, phone):
    app.config.update(SMS_SHOW_CODE=True, SMS_BACKEND="memory")
    call, (award, _other) = f.final_awards()
    contract = active_contract(award, call.created_by)
    title = award.application.title

    # a visitor on the project's page: 我要认捐 asks for the citizen sign-in first, then comes back
    phone.goto(f"/projects/{contract.id}")
    assert "暂无已核实到账的认捐" in phone.inner_text("#pledges")
    phone.click("#pledges a.button:has-text('我要认捐')")
    citizen_sign_in(phone)
    phone.wait_for_url(f"**/projects/{contract.id}/pledges/new")
    assert title in phone.inner_text("main")

    # zero is refused next to the amount, the chosen display kept
    phone.fill("#amount", "0")
    phone.check("input[name=display][value=anonymous]")
    phone.click("main button:has-text('提交认捐')")
    error = phone.inner_text(".field.has-error")
    assert "认捐金额不能为0元" in error
    assert phone.is_checked("input[name=display][value=anonymous]")
    fits_phone(phone)
    assert axe_violations(phone) == []
    shot(phone, "pledge-1-zero-refused")

    phone.fill("#amount", "2000")
    phone.click("main button:has-text('提交认捐')")
    phone.wait_for_url("**/pledges/*")
    main = phone.inner_text("main")
    assert "认捐已登记" in main and "已认捐，待机构确认到账" in main and "爱心人士" in main
    fits_phone(phone)
    assert axe_violations(phone) == []
    shot(phone, "pledge-2-pledged")
    item = db.session.scalar(sa.select(Pledge))
    assert item.status == PledgeStatus.PLEDGED and item.anonymous and str(item.amount) == "2000.00"
    assert item.reference in main

    # still not public: the project's page lists only verified pledges
    phone.goto(f"/projects/{contract.id}")
    assert "暂无已核实到账的认捐" in phone.inner_text("#pledges")

    # received (as the organization confirms it) and verified by the officer: now listed as 爱心人士, with the total
    item.status, item.received_amount, item.received_on = PledgeStatus.RECEIVED, item.amount, local_today()
    verify(item, call.created_by, utcnow())
    db.session.commit()
    phone.goto(f"/projects/{contract.id}")
    listed = phone.inner_text("#pledges")
    assert "爱心人士" in listed and "¥2,000.00" in listed and "已核实到账的认捐 1 笔" in listed
    assert "13912345678" not in html(phone)
    phone.locator("#pledges").scroll_into_view_if_needed()
    fits_phone(phone)
    assert axe_violations(phone) == []
    shot(phone, "pledge-3-public-list", full_page=False)
