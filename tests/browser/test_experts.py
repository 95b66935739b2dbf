"""The expert pool pages in a real browser on a 375-px phone: the officer's list and record, the
expert's profile and conflict declaration (picking one organization among several)."""
from datetime import date

import pytest

from grantportal.core.db import db
from grantportal.experts.models import Conflict
from tests.browser.util import fits_phone, html, shot
from tests.factories import (
    PASSWORD,
    AssignmentFactory,
    ExpertAffiliationFactory,
    OrganizationFactory,
    UserFactory,
    expert,
)

pytestmark = pytest.mark.browser


def _sign_in(page, username):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_officer_pool_pages_fit_a_phone(phone):
    UserFactory(officer=True, username="officer1")
    user = expert(user_name="欧阳晓明", employer="中山大学社会学与人类学学院（珠海校区）社会工作系")
    ExpertAffiliationFactory(expert=user.expert_profile, org_uscc=OrganizationFactory().uscc,
                             org_name="中山市石岐区阳光社会工作服务中心", ended_on=date(2024, 12, 31))
    AssignmentFactory(expert=user)
    expert(user_name="李梅")
    _sign_in(phone, "officer1")
    phone.goto("/manage/experts/")
    fits_phone(phone)
    shot(phone, "experts-pool-phone")
    phone.click("text=欧阳晓明")
    phone.wait_for_load_state()
    fits_phone(phone)
    shot(phone, "experts-detail-phone")


def test_expert_declares_a_conflict_on_a_phone(phone):
    OrganizationFactory(name="中山市石岐区阳光社会工作服务中心")
    target = OrganizationFactory(name="中山市东区阳光长者服务中心")
    expert(user_username="expert1")
    _sign_in(phone, "expert1")
    phone.goto("/expert/profile")
    fits_phone(phone)
    shot(phone, "experts-profile-phone")
    phone.goto("/expert/conflicts/new")
    phone.fill("#org_query", "阳光")
    phone.fill("#reason", "本人配偶在该中心任职")
    phone.click("button[type=submit].primary")
    phone.wait_for_load_state()
    assert "找到多个匹配的机构" in html(phone)
    fits_phone(phone)
    shot(phone, "experts-conflict-pick-phone")
    phone.check(f"input[name=org_pick][value='{target.id}']")
    phone.click("button[type=submit].primary")
    phone.wait_for_url("**/expert/conflicts")
    fits_phone(phone)
    shot(phone, "experts-conflicts-phone")
    (conflict,) = db.session.scalars(db.select(Conflict)).all()
    assert conflict.org_id == target.id
