"""Officers create and edit calls through the form."""
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from grantportal.calls.models import Call, CallKind, CallStatus, Level, StageKind
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.orgs.models import Grade
from tests import factories as f
from tests.calls.formdata import call_form


def only_call():
    return db.session.scalars(sa.select(Call)).one()


def call_count():
    return db.session.scalar(sa.select(sa.func.count(Call.id)))


def test_new_call_form_offers_the_default_rubric_and_blank_rows(client, signed_in_officer):
    html = client.get("/manage/calls/new").get_data(as_text=True)
    for name in ("需求分析", "项目设计", "创新性", "可行性", "团队能力", "预算合理性", "可持续性"):
        assert f'value="{name}"' in html
    assert 'name="criteria-0-max_points" type="text" value="15"' in html or 'value="15"' in html
    assert 'name="criteria-8-name"' in html  # blank rows below the defaults
    assert "增加一行" in html
    assert 'name="stages-2-enabled"' in html  # 公众投票 can be switched off
    assert 'name="stages-0-enabled"' not in html  # 征集申报 cannot


def test_officer_creates_a_call_with_levels_stages_documents_and_rubric(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form())
    assert resp.status_code == 302, resp.get_data(as_text=True)
    call = only_call()
    assert resp.headers["Location"].endswith(f"/manage/calls/{call.id}/edit")
    assert call.status == CallStatus.DRAFT
    assert call.title == "第十二届“博爱100”公益创投活动"
    assert (call.code, call.year, call.kind) == ("BA100", 2030, CallKind.VENTURE)
    assert call.category_list == ["养老服务", "助残服务", "社区治理"]
    assert call.min_grade == Grade.A3 and call.max_applications_per_org == 2
    assert call.created_by_id == signed_in_officer.id

    assert [lv.level for lv in call.levels] == [Level.CITY, Level.TOWN]
    city = call.level(Level.CITY)
    assert (city.budget_total, city.min_grant, city.max_grant, city.min_match_percent) == (
        Decimal("800000.00"), Decimal("30000.00"), Decimal("80000.00"), Decimal("40.00"))
    assert call.level(Level.TOWN).budget_total == Decimal("300000.50")

    # 2030-12-01 17:00 typed in Beijing time is stored as 09:00 UTC
    assert call.deadline == datetime(2030, 12, 1, 9, 0, tzinfo=UTC)
    assert call.opens_at == datetime(2030, 11, 1, 1, 0, tzinfo=UTC)
    assert call.reference_date == date(2030, 12, 1)  # default: the deadline's date
    kinds = {s.kind: s for s in call.stages}
    assert set(kinds) == set(StageKind)
    assert not kinds[StageKind.VOTE].enabled and not kinds[StageKind.DEFENCE].enabled
    assert kinds[StageKind.REVIEW].enabled and kinds[StageKind.REVIEW].closes_at.hour == 9

    assert [(d.name, d.required) for d in call.documents] == [("项目申报书", True), ("上年度财务审计报告", False)]
    assert call.rubric_total == 100 and len(call.criteria) == 7
    assert call.criteria[1].name == "项目设计" and call.criteria[1].max_points == 25

    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "call")).all()
    assert actions == ["call.create"]


def test_the_call_keeps_its_rule_for_an_overdue_rectification(client, signed_in_officer):
    assert client.post("/manage/calls/new", data=call_form()).status_code == 302
    assert client.post("/manage/calls/new", data=call_form(
        code="BA101", rectification_overdue_terminates="y")).status_code == 302
    rules = dict(db.session.execute(sa.select(Call.code, Call.rectification_overdue_terminates)).all())
    assert rules == {"BA100": False, "BA101": True}


def test_rubric_that_does_not_sum_to_100_is_refused_and_input_kept(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form(**{"criteria-0-max_points": "20"}))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "各项满分合计应为100分，目前为105分。" in html
    assert 'value="20"' in html and 'value="第十二届"' in html and "面向全市社会组织" in html
    assert call_count() == 0


@pytest.mark.parametrize("typed, message", [
    ("１２３", "请使用半角数字"),
    ("1e5", "金额格式不正确"),
    ("-1", "金额不能为负数"),
    ("123.456", "最多保留两位小数"),
])
def test_bad_amounts_are_refused_next_to_the_field(client, signed_in_officer, typed, message):
    resp = client.post("/manage/calls/new", data=call_form(**{"levels-0-budget_total": typed}))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert message in html
    assert f'value="{typed}"' in html  # what was typed stays in the box
    field_block = html.split('name="levels-0-budget_total"')[1].split('class="field')[0]
    assert message in field_block  # the message is right after the field
    assert call_count() == 0


def test_minimum_above_maximum_is_refused(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form(**{"levels-0-min_grant": "90000"}))
    assert "单个项目资助上限不能低于下限。" in resp.get_data(as_text=True)
    assert call_count() == 0


def test_maximum_above_level_budget_is_refused(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form(**{"levels-0-max_grant": "900000"}))
    assert "单个项目资助上限不能超过该层级总预算。" in resp.get_data(as_text=True)
    assert call_count() == 0


def test_at_least_one_level_is_needed(client, signed_in_officer):
    blank = {f"levels-{i}-{k}": "" for i in range(3)
             for k in ("budget_total", "min_grant", "max_grant", "min_match_percent")}
    resp = client.post("/manage/calls/new", data=call_form(**blank))
    assert "至少设置一个资助层级" in resp.get_data(as_text=True)
    assert call_count() == 0


def test_the_same_level_twice_is_refused(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form(**{"levels-1-level": "city"}))
    assert "该层级已填写过" in resp.get_data(as_text=True)


def test_stage_closing_before_it_opens_is_refused(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form(**{"stages-0-closes_at": "2030-10-01T17:00"}))
    html = resp.get_data(as_text=True)
    assert "结束时间应晚于开始时间。" in html
    assert 'value="2030-10-01T17:00"' in html
    assert call_count() == 0


def test_stages_must_follow_each_other(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form(**{"stages-1-opens_at": "2030-11-20T09:00"}))
    assert "不能早于上一阶段“征集申报”的结束时间" in resp.get_data(as_text=True)
    assert call_count() == 0


def test_optional_stage_switched_on_is_saved_in_order(client, signed_in_officer):
    data = call_form(**{"stages-2-enabled": "y", "stages-2-opens_at": "2030-12-10T18:00",
                        "stages-2-closes_at": "2030-12-11T08:00"})
    assert client.post("/manage/calls/new", data=data).status_code == 302
    vote = only_call().stage(StageKind.VOTE)
    assert vote is not None and vote.closes_at == datetime(2030, 12, 11, 0, 0, tzinfo=UTC)


def test_half_filled_stage_and_bad_numbers_are_explained(client, signed_in_officer):
    data = call_form(**{"stages-3-closes_at": "", "year": "２０３０", "criteria-0-max_points": "abc",
                        "code": "博爱"})
    html = client.post("/manage/calls/new", data=data).get_data(as_text=True)
    assert "请同时填写开始和结束时间" in html
    assert "请使用半角数字填写整数" in html
    assert "编号前缀为2–12位半角字母或数字" in html
    assert call_count() == 0


def test_add_row_button_shows_one_more_row_and_saves_nothing(client, signed_in_officer):
    data = call_form(add_row="criteria", **{"criteria-0-max_points": "14"})
    resp = client.post("/manage/calls/new", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'name="criteria-8-name"' in html and 'name="criteria-9-name"' not in html
    assert 'value="14"' in html
    assert "目前为" not in html and "flash-error" not in html  # no validation yet
    assert call_count() == 0


def test_code_is_unique_within_a_year(client, signed_in_officer):
    f.CallFactory(code="BA100", year=2030)
    html = client.post("/manage/calls/new", data=call_form()).get_data(as_text=True)
    assert "同一年度已有征集使用此编号前缀" in html


def test_officer_edits_a_draft_and_rows_are_updated_in_place(client, signed_in_officer):
    client.post("/manage/calls/new", data=call_form())
    call = only_call()
    criterion_ids = [c.id for c in call.criteria]
    form = call_form(**{"summary": "修订后的公告。", "levels-1-max_grant": "25000",
                        "documents-1-name": "", "documents-1-description": "",
                        "criteria-0-max_points": "10", "criteria-1-max_points": "30"})
    for i, cid in enumerate(criterion_ids):
        form[f"criteria-{i}-id"] = str(cid)
    resp = client.post(f"/manage/calls/{call.id}/edit", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    call = only_call()
    assert call.summary == "修订后的公告。"
    assert call.level(Level.TOWN).max_grant == Decimal("25000.00")
    assert [d.name for d in call.documents] == ["项目申报书"]
    assert [c.id for c in call.criteria] == criterion_ids
    assert (call.criteria[0].max_points, call.criteria[1].max_points) == (10, 30)
    assert "call.update" in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_edit_form_shows_stored_times_in_beijing_time(client, signed_in_officer):
    client.post("/manage/calls/new", data=call_form())
    html = client.get(f"/manage/calls/{only_call().id}/edit").get_data(as_text=True)
    assert 'value="2030-12-01T17:00"' in html
    assert 'value="800000.00"' in html


def test_published_call_may_correct_dates_and_summary(client, signed_in_officer):
    call = f.CallFactory(created_by=signed_in_officer, code="BA200", year=2030)
    data = call_form(code="BA200", summary="更正：延长申报时间。", **{"stages-0-closes_at": "2030-12-01T20:00"})
    resp = client.post(f"/manage/calls/{call.id}/edit", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    call = db.session.get(Call, call.id)
    assert call.status == CallStatus.PUBLISHED
    assert call.deadline == datetime(2030, 12, 1, 12, 0, tzinfo=UTC)
    assert call.summary == "更正：延长申报时间。"


def test_published_call_cannot_lose_its_apply_dates(client, signed_in_officer):
    call = f.CallFactory(created_by=signed_in_officer, code="BA200", year=2030)
    data = call_form(code="BA200", **{"stages-0-opens_at": "", "stages-0-closes_at": ""})
    html = client.post(f"/manage/calls/{call.id}/edit", data=data).get_data(as_text=True)
    assert "申报开始和截止时间不能为空" in html


def test_levels_rubric_and_code_are_locked_once_applications_exist(client, signed_in_officer):
    call = f.CallFactory(created_by=signed_in_officer, code="BA300", year=2030)
    f.ApplicationFactory(call=call)
    html = client.get(f"/manage/calls/{call.id}/edit").get_data(as_text=True)
    assert "已锁定" in html and "资助层级的预算与额度、评分标准和编号前缀已锁定" in html
    assert 'name="levels-0-budget_total"' not in html
    assert 'name="criteria-0-name"' not in html and 'name="code"' not in html

    data = call_form(code="HACK", summary="仅更正公告。", **{
        "levels-0-max_grant": "1", "criteria-0-max_points": "99", "documents-2-name": "补充材料"})
    resp = client.post(f"/manage/calls/{call.id}/edit", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    call = db.session.get(Call, call.id)
    assert call.summary == "仅更正公告。" and call.code == "BA300"
    assert call.level(Level.CITY).max_grant == Decimal("80000.00")
    assert call.level(Level.TOWN) is not None  # the form's levels were ignored, not applied
    assert call.rubric_total == 100 and call.criteria[0].max_points == 15
    assert "补充材料" in [d.name for d in call.documents]


def test_closed_call_cannot_be_edited(client, signed_in_officer):
    call = f.CallFactory(created_by=signed_in_officer, status=CallStatus.CLOSED)
    resp = client.get(f"/manage/calls/{call.id}/edit")
    assert resp.status_code == 409
    assert "已结束的征集不能再修改" in resp.get_data(as_text=True)


def test_unknown_call_id_is_404(client, signed_in_officer):
    assert client.get("/manage/calls/999999/edit").status_code == 404


def test_a_document_already_uploaded_against_cannot_be_removed(client, signed_in_officer):
    from grantportal.applications.models import Attachment
    from tests.permissions.world import stored_pdf

    call = f.CallFactory(created_by=signed_in_officer, code="BA400", year=2030)
    doc = call.documents[0]
    application = f.ApplicationFactory(call=call)
    db.session.add(Attachment(application_id=application.id, document_id=doc.id, file_id=stored_pdf().id))
    db.session.commit()
    data = call_form(code="BA400", **{"documents-0-id": str(doc.id), "documents-0-name": "",
                                      "documents-0-description": ""})
    resp = client.post(f"/manage/calls/{call.id}/edit", data=data)
    assert resp.status_code == 200
    assert "不能删除" in resp.get_data(as_text=True)
    assert db.session.get(Call, call.id).documents[0].name == "项目申报书"
