"""公众投票 on a 375 px phone (issue 13): a visitor opens the vote from the menu, taps 投票 on a project, signs in as a
citizen with the SMS code the demo shows and comes back to the confirmation, taps 确认投票 and sees the receipt code;
我的参与 lists it. After the window the officer publishes the tally, and the citizen checks the receipt against the
published list. Screenshots: tests/screenshots/vote-*.png."""
from datetime import timedelta

import pytest

from grantportal.core.db import db, utcnow
from grantportal.votes import operations as ops
from grantportal.votes.models import Vote, VoteRound
from grantportal.votes.receipts import receipt_hash, shown
from tests import factories as f
from tests.browser.util import axe_violations, citizen_sign_in, fits_phone, html, shot
from tests.votes.conftest import make_vote

pytestmark = pytest.mark.browser


def test_a_citizen_votes_on_a_phone_and_checks_the_receipt(app, phone):
    app.config.update(SMS_SHOW_CODE=True, SMS_BACKEND="memory")
    call = f.CallFactory(name="“博爱100”公益创投活动", edition="第十三届")
    f.close_applications(call)
    apps = [f.screened_application(call, number=f"{call.code}-2026-{i:04d}", title=title,
                                   submitted_at=utcnow() - timedelta(days=30))
            for i, title in enumerate(("长者幸福食堂与居家探访计划", "困境儿童“四点半课堂”", "社区议事厅能力建设"), 1)]
    rnd, settings = make_vote(call, call.created_by, name="网络投票", per_day=2)
    choice = apps[1]

    # the menu's 公众投票, the vote, and 投票 on a project: first the citizen's sign-in, then back to confirm
    phone.goto("/")
    phone.click("nav >> text=公众投票")
    phone.click(f"main a:has-text('{call.title} · 网络投票')")
    assert choice.org.name in phone.inner_text(f"#project-{choice.id}")
    fits_phone(phone)
    assert axe_violations(phone) == []
    shot(phone, "vote-1-projects")
    phone.click(f"#project-{choice.id} a.button:has-text('投票')")
    citizen_sign_in(phone)
    phone.wait_for_url(f"**/votes/{rnd.id}/projects/{choice.id}")
    assert choice.title in phone.inner_text("main")
    fits_phone(phone)
    shot(phone, "vote-2-confirm")

    phone.click("main button:has-text('确认投票')")
    phone.wait_for_url("**/votes/mine/*")
    vote = db.session.scalar(db.select(Vote))
    assert vote.application_id == choice.id
    assert shown(vote.receipt) in phone.inner_text(".receipt-code") and "投票成功" in phone.inner_text("main")
    fits_phone(phone)
    assert axe_violations(phone) == []
    shot(phone, "vote-3-receipt")

    phone.goto("/citizen/")
    assert shown(vote.receipt) in phone.inner_text("main")
    phone.goto(f"/votes/{rnd.id}")
    assert "已投票" in phone.inner_text(f"#project-{choice.id}") and "您现在还可以投1票" in phone.inner_text("main")

    # after the window, the officer publishes the tally; the citizen checks the receipt in the published list
    rnd.closes_at = utcnow() - timedelta(minutes=1)
    ops.publish_tally(rnd, db.session.get(VoteRound, rnd.id), call.created_by, utcnow(), confirmed=True)
    db.session.commit()
    phone.goto(f"/votes/{rnd.id}")
    phone.click("main a:has-text('核对我的回执码')")
    phone.fill("#code", shown(vote.receipt).lower())
    phone.click("main button:has-text('核对')")
    found = phone.inner_text("main")
    assert "已在公布的清单中找到该票" in found and receipt_hash(settings.salt, vote.receipt) in found
    assert choice.title in found and "13912345678" not in html(phone)
    fits_phone(phone)
    assert axe_violations(phone) == []
    shot(phone, "vote-4-receipt-checked")
