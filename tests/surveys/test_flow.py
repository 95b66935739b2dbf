"""Satisfaction surveys end to end (issue 13): the officer opens a survey on a project in execution (audited); the
project's public page links to it while open; citizens answer once per phone; the officer sees counts, means
(Decimal, two places), the distribution and the free text masked; the organization sees the aggregate only; the
public page shows counts and means once the survey is closed with enough answers, never an answer or a phone; the
citizen finds it under 我的参与; closing early needs a reason and is audited."""
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.core.timeutil import local_today
from grantportal.surveys.models import Survey, SurveyAnswer
from grantportal.surveys.queries import PUBLIC_MIN_ANSWERS, results_of
from tests import factories as f
from tests.surveys.conftest import FULL, answer, as_user, make_survey


def audited(action):
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_officer_opens_citizens_answer_and_results_are_shown(client, world):
    w = world
    as_user(client, w.officer)
    today = local_today()
    resp = client.post(f"/manage/projects/{w.contract.id}/surveys", data={
        "title": "长者饭堂服务满意度调查", "opens_at": f"{(today - timedelta(days=1)).isoformat()}T08:00",
        "closes_at": f"{(today + timedelta(days=14)).isoformat()}T18:00"})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    survey = db.session.scalar(sa.select(Survey))
    assert [q["text"] for q in survey.questions][:5] == ["服务态度", "服务及时性", "服务内容实用性", "服务人员专业性",
                                                          "总体满意度"]
    assert audited("survey.open") == 1
    poster = client.get(f"/surveys/{survey.id}/poster").get_data(as_text=True)
    assert "data:image/svg+xml" in poster and f"/surveys/{survey.id}" in poster

    page = client.get(f"/projects/{w.contract.id}").get_data(as_text=True)
    assert f'href="/surveys/{survey.id}"' in page

    as_user(client, w.citizen)
    resp = answer(client, survey, **FULL, comment=f"服务很好，有事请打{w.citizen_phone}")
    assert resp.status_code == 303
    as_user(client, w.other_citizen)
    assert answer(client, survey, **{**FULL, "attitude": "2"}).status_code == 303
    assert audited("survey.answer") == 2

    as_user(client, w.officer)
    html = client.get(f"/manage/surveys/{survey.id}").get_data(as_text=True)
    assert "2 份" in html and "3.50" in html and "服务很好" in html and w.citizen_phone not in html
    # the results are at hand where the officer grades the project's evaluation
    evaluate = client.get(f"/manage/projects/{w.contract.id}/evaluate").get_data(as_text=True)
    section = evaluate[evaluate.index("服务对象满意度"):]
    assert "长者饭堂服务满意度调查" in section and "2 份答卷" in section and "3.50" in section
    assert f'href="/manage/surveys/{survey.id}"' in section and "服务很好" not in section
    result = results_of(survey)
    assert result.items[0].mean == Decimal("3.50") and dict(result.items[0].distribution) == {1: 0, 2: 1, 3: 0,
                                                                                               4: 0, 5: 1}
    # the organization sees the aggregate, not the free text
    as_user(client, w.member)
    html = client.get(f"/manage/surveys/{survey.id}").get_data(as_text=True)
    assert "3.50" in html and "服务很好" not in html
    listing = client.get(f"/manage/projects/{w.contract.id}/surveys").get_data(as_text=True)
    assert f'href="/manage/surveys/{survey.id}"' in listing and "2 份" in listing and "发起调查" not in listing


def test_the_public_page_shows_means_only_once_closed_with_enough_answers(client, world):
    w = world
    survey = make_survey(w.contract, w.officer)
    for i in range(PUBLIC_MIN_ANSWERS):
        as_user(client, f.CitizenFactory().user)
        assert answer(client, survey, **{**FULL, "overall": "4" if i % 2 else "5"}).status_code == 303
    page = client.get(f"/projects/{w.contract.id}").get_data(as_text=True)
    assert "4.50" not in page  # still open: nothing published

    as_user(client, w.officer)
    resp = client.post(f"/manage/surveys/{survey.id}/close", data={"reason": ""})
    assert resp.status_code == 400 and "请写明提前结束的理由" in resp.get_data(as_text=True)
    assert client.post(f"/manage/surveys/{survey.id}/close",
                       data={"reason": "服务点装修，提前结束。"}).status_code == 303
    assert audited("survey.close_early") == 1
    client.get("/logout")
    page = client.get(f"/projects/{w.contract.id}").get_data(as_text=True)
    assert f"共收到有效问卷 {PUBLIC_MIN_ANSWERS} 份" in page and "4.50" in page
    assert f'href="/surveys/{survey.id}"' not in page


def test_a_closed_survey_with_few_answers_stays_unpublished(client, world):
    w = world
    make_survey(w.contract, w.officer, opens=-3, closes=-1)
    page = client.get(f"/projects/{w.contract.id}").get_data(as_text=True)
    assert "暂无公布的满意度调查结果" in page


def test_the_citizen_sees_answered_surveys_under_participation(client, world):
    w = world
    survey = make_survey(w.contract, w.officer)
    as_user(client, w.citizen)
    answer(client, survey, **FULL)
    html = client.get("/citizen/").get_data(as_text=True)
    assert "我的问卷" in html and "长者饭堂服务满意度调查" in html and "已提交" in html
    assert 'href="/surveys/mine"' not in html  # one answer: nothing more to list


def test_the_citizen_lists_every_answered_survey_past_the_latest_five(client, world):
    w = world
    for i in range(7):
        survey = make_survey(w.contract, w.officer)
        survey.title = f"第{i + 1}季度服务满意度调查"
        db.session.add(SurveyAnswer(survey_id=survey.id, citizen_id=w.citizen.id,
                                    answered_at=utcnow() - timedelta(days=7 - i), ratings={}, comments={}))
    db.session.commit()
    as_user(client, w.citizen)
    html = client.get("/citizen/").get_data(as_text=True)
    assert 'href="/surveys/mine"' in html and "第7季度" in html and "第1季度" not in html  # the latest five
    page = client.get("/surveys/mine").get_data(as_text=True)
    assert all(f"第{i}季度服务满意度调查" in page for i in range(1, 8))
    assert page.index("第7季度") < page.index("第1季度")  # newest first
    as_user(client, f.CitizenFactory().user)
    assert "您还没有填写过满意度问卷" in client.get("/surveys/mine").get_data(as_text=True)


def test_no_survey_on_a_project_not_in_execution(client, world):
    w = world
    as_user(client, w.officer)
    today = local_today()
    resp = client.post(f"/manage/projects/{w.closed.id}/surveys", data={
        "title": "调查", "opens_at": f"{today.isoformat()}T08:00",
        "closes_at": f"{(today + timedelta(days=3)).isoformat()}T18:00"})
    assert resp.status_code == 409 and "不在执行期内" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Survey.id))) == 0
