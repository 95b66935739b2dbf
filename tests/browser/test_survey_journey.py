"""满意度调查 on a 375 px phone (issue 13): a visitor opens a project with an open survey, taps 填写满意度问卷, signs
in as a citizen with the SMS code the demo shows and comes back to the questionnaire; first submits it with two
ratings missing (each named next to its question, the rest kept), then completes it and is thanked; opening it
again says it was already answered; 我的参与 lists it under 我的问卷. Screenshots: tests/screenshots/survey-*.png."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from grantportal.core.db import db, utcnow
from grantportal.surveys.models import DEFAULT_QUESTIONS, Survey, SurveyAnswer
from tests import factories as f
from tests.browser.util import axe_violations, citizen_sign_in, fits_phone, shot
from tests.funding.conftest import active_contract

pytestmark = pytest.mark.browser


def test_a_citizen_answers_a_survey_on_a_phone(app, phone):
    app.config.update(SMS_SHOW_CODE=True, SMS_BACKEND="memory")
    call, (award, _other) = f.final_awards()
    contract = active_contract(award, call.created_by)
    now = utcnow()
    survey = Survey(contract_id=contract.id, title="长者饭堂服务满意度调查",
                    questions=[dict(q) for q in DEFAULT_QUESTIONS], opens_at=now - timedelta(days=1),
                    closes_at=now + timedelta(days=7),
                    created_by_id=call.created_by.id)
    db.session.add(survey)
    db.session.commit()

    phone.goto(f"/projects/{contract.id}")
    phone.click("#surveys a.button:has-text('填写满意度问卷')")
    citizen_sign_in(phone)
    phone.wait_for_url(f"**/surveys/{survey.id}")
    assert "长者饭堂服务满意度调查" in phone.inner_text("main")

    phone.check("input[name=attitude][value='5']")
    phone.check("input[name=usefulness][value='4']")
    phone.check("input[name=overall][value='5']")
    phone.fill("#comment", "希望周末也能开放")
    phone.click("main button:has-text('提交问卷')")
    errors = phone.inner_text("main")
    assert "请为“服务及时性”选择1至5分。" in errors and "请为“服务人员专业性”选择1至5分。" in errors
    assert phone.is_checked("input[name=attitude][value='5']") and phone.input_value("#comment") == "希望周末也能开放"
    fits_phone(phone)
    assert axe_violations(phone) == []
    shot(phone, "survey-1-missing-ratings")

    phone.check("input[name=timeliness][value='4']")
    phone.check("input[name=professionalism][value='5']")
    phone.click("main button:has-text('提交问卷')")
    phone.wait_for_selector("#answered")
    assert "问卷已提交" in phone.inner_text("main") and "您已填写过本问卷" in phone.inner_text("main")
    fits_phone(phone)
    assert axe_violations(phone) == []
    shot(phone, "survey-2-thanks")
    (row,) = db.session.scalars(sa.select(SurveyAnswer)).all()
    assert row.ratings == {"attitude": 5, "timeliness": 4, "usefulness": 4, "professionalism": 5, "overall": 5}

    phone.goto("/citizen/")
    assert "长者饭堂服务满意度调查" in phone.inner_text("main")
    fits_phone(phone)
    shot(phone, "survey-3-participation")
