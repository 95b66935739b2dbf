"""Bad input on satisfaction surveys (issue 13): missing ratings re-render with a Chinese message next to each
field, keeping what was chosen and typed; a second answer from the same phone is refused and nothing is counted
twice (also when two submits meet the unique index); outside the window the page says why; staff and
organization accounts are refused with the reason; a bad window is refused next to its field."""
import re

import sqlalchemy as sa

from grantportal.core.db import db, utcnow
from grantportal.core.timeutil import local_today
from grantportal.surveys import operations as ops
from grantportal.surveys.models import Survey, SurveyAnswer
from tests.surveys.conftest import FULL, answer, answers, as_user, make_survey


def test_missing_ratings_are_named_next_to_their_fields_and_answers_kept(client, world):
    w = world
    survey = make_survey(w.contract, w.officer)
    as_user(client, w.citizen)
    resp = answer(client, survey, attitude="4", overall="5", comment="希望增加服务次数")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "请为“服务及时性”选择1至5分。" in html and "请为“服务人员专业性”选择1至5分。" in html
    assert "请为“服务态度”选择1至5分。" not in html
    assert re.search(r'<input[^>]*checked[^>]*value="4"|<input[^>]*value="4"[^>]*checked', html)
    assert "希望增加服务次数" in html
    assert answers() == []
    resp = answer(client, survey, **{**FULL, "attitude": "9"})
    assert resp.status_code == 400 and "请为“服务态度”选择1至5分。" in resp.get_data(as_text=True)
    assert answers() == []


def test_one_answer_per_phone(client, world):
    w = world
    survey = make_survey(w.contract, w.officer)
    as_user(client, w.citizen)
    assert answer(client, survey, **FULL).status_code == 303
    resp = answer(client, survey, **{**FULL, "overall": "1"})
    assert resp.status_code == 409 and "您已填写过本问卷" in resp.get_data(as_text=True)
    assert len(answers()) == 1 and answers()[0].ratings["overall"] == 5


def test_two_submits_at_once_meet_the_unique_index(client, world, monkeypatch):
    w = world
    survey = make_survey(w.contract, w.officer)
    db.session.add(SurveyAnswer(survey_id=survey.id, citizen_id=w.citizen.id, answered_at=utcnow(),
                                ratings={"overall": 5}, comments={}))
    db.session.commit()
    monkeypatch.setattr(ops, "has_answered", lambda survey, user: False)  # the other request's row not yet seen
    as_user(client, w.citizen)
    resp = answer(client, survey, **FULL)
    assert resp.status_code == 409 and "您已填写过本问卷" in resp.get_data(as_text=True)
    assert len(answers()) == 1


def test_outside_the_window(client, world):
    w = world
    pending = make_survey(w.contract, w.officer, opens=2, closes=5)
    ended = make_survey(w.contract, w.officer, opens=-5, closes=-1)
    as_user(client, w.citizen)
    resp = client.get(f"/surveys/{pending.id}")
    assert resp.status_code == 409 and "开始填写，请届时再来" in resp.get_data(as_text=True)
    resp = answer(client, ended, **FULL)
    assert resp.status_code == 409 and "不再接受填写" in resp.get_data(as_text=True)
    assert answers() == []


def test_staff_and_organization_accounts_are_refused(client, world):
    w = world
    survey = make_survey(w.contract, w.officer)
    for user in (w.officer, w.member):
        as_user(client, user)
        resp = answer(client, survey, **FULL)
        assert resp.status_code == 403 and "公众账户" in resp.get_data(as_text=True)
    assert answers() == []


def test_a_bad_window_is_refused_next_to_its_field(client, world):
    w = world
    as_user(client, w.officer)
    today = local_today()
    resp = client.post(f"/manage/projects/{w.contract.id}/surveys", data={
        "title": "长者饭堂服务满意度调查", "opens_at": f"{today.isoformat()}T18:00",
        "closes_at": f"{today.isoformat()}T08:00"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "结束时间须晚于开始时间" in html and "长者饭堂服务满意度调查" in html
    resp = client.post(f"/manage/projects/{w.contract.id}/surveys", data={"title": "", "opens_at": "明天",
                                                                         "closes_at": ""})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "请按“年-月-日 时:分”填写日期和时间" in html
    assert db.session.scalar(sa.select(sa.func.count(Survey.id))) == 0
