from datetime import date

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.core.uscc import check_character
from grantportal.experts.forms import parse_any_uscc
from grantportal.experts.models import ExpertAffiliation, ExpertProfile
from tests.factories import ExpertAffiliationFactory, UserFactory, expert

COMPANY_FIRST17 = "91440101MA59ABCD1"  # a company's code (department 9): not a 社会组织
COMPANY_CODE = COMPANY_FIRST17 + check_character(COMPANY_FIRST17)


def _profile_form(**over):
    data = {"title": "高级社会工作师", "employer": "中山市社会工作协会", "fields": ["青少年服务"],
            "bio": "从事青少年社工督导十年。", "available": "0"}
    data.update(over)
    return data


def _affiliation_form(**over):
    data = {"org_name": "广州某科技有限公司", "org_uscc": "", "role": "顾问", "started_on": "2021-03-01",
            "ended_on": ""}
    data.update(over)
    return data


def test_expert_edits_own_profile_and_availability(client, auth):
    user = expert()
    auth.login(user)
    assert "副教授" in client.get("/expert/profile").get_data(as_text=True)
    assert client.post("/expert/profile", data=_profile_form()).status_code == 302
    profile = db.session.get(ExpertProfile, user.expert_profile.id)
    assert profile.title == "高级社会工作师" and profile.field_list == ["青少年服务"]
    assert not profile.available and not profile.drawable and profile.active
    assert db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "expert.update_own")).all()


def test_profile_errors_are_chinese_and_keep_what_was_typed(client, auth):
    auth.login(expert())
    resp = client.post("/expert/profile", data=_profile_form(title="", fields=[], available="maybe"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "请填写职称" in page and "请至少选择一个专业领域" in page and "请从选项中选择" in page
    assert "中山市社会工作协会" in page and "从事青少年社工督导十年" in page


def test_expert_account_without_profile_gets_one_switched_off_until_an_officer_activates_it(client, auth):
    user = UserFactory(expert=True)
    auth.login(user)
    assert "尚未建立" in client.get("/expert/profile").get_data(as_text=True)
    assert client.get("/expert/affiliations/new").status_code == 409
    assert client.post("/expert/profile", data=_profile_form(available="1")).status_code == 302
    profile = db.session.scalar(db.select(ExpertProfile).where(ExpertProfile.user_id == user.id))
    assert profile.available and not profile.active


def test_affiliation_with_a_bad_code_is_refused_in_chinese(client, auth):
    user = expert()
    auth.login(user)
    bad = COMPANY_FIRST17 + ("0" if COMPANY_CODE[-1] != "0" else "1")
    resp = client.post("/expert/affiliations/new", data=_affiliation_form(org_uscc=bad))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "校验位不正确" in page and bad in page
    resp = client.post("/expert/affiliations/new", data=_affiliation_form(org_uscc="91440101MA59ABCDO"))
    assert "应为18位" in resp.get_data(as_text=True)
    resp = client.post("/expert/affiliations/new", data=_affiliation_form(org_uscc="91440101MA59ABCDOX"))
    assert "不允许的字符：O" in resp.get_data(as_text=True)
    resp = client.post("/expert/affiliations/new", data=_affiliation_form(started_on="2024-01-01",
                                                                          ended_on="2023-01-01"))
    assert "结束日期不能早于起始日期" in resp.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ExpertAffiliation.id))) == 0


def test_affiliation_accepts_any_valid_code_not_only_civil_affairs(client, auth):
    user = expert()
    auth.login(user)
    typed = COMPANY_CODE.lower()[:9] + " " + COMPANY_CODE[9:]
    assert client.post("/expert/affiliations/new", data=_affiliation_form(org_uscc=typed)).status_code == 302
    (aff,) = db.session.scalars(db.select(ExpertAffiliation)).all()
    assert aff.org_uscc == COMPANY_CODE and aff.role == "顾问" and aff.ended_on is None
    assert parse_any_uscc("53100000500019795A") == "53100000500019795A"
    page = client.get("/expert/profile").get_data(as_text=True)
    assert "广州某科技有限公司" in page and COMPANY_CODE in page


def test_expert_edits_and_deletes_own_affiliation_and_the_audit_keeps_it(client, auth):
    user = expert()
    aff_id = ExpertAffiliationFactory(expert=user.expert_profile).id
    auth.login(user)
    assert "中山市某社会工作服务中心" in client.get(f"/expert/affiliations/{aff_id}/edit").get_data(as_text=True)
    resp = client.post(f"/expert/affiliations/{aff_id}/edit", data=_affiliation_form(
        org_name="中山市某社会工作服务中心", role="理事", started_on="2020-01-01", ended_on="2022-06-30"))
    assert resp.status_code == 302
    assert db.session.get(ExpertAffiliation, aff_id).ended_on == date(2022, 6, 30)
    assert client.post(f"/expert/affiliations/{aff_id}/delete").status_code == 302
    assert db.session.get(ExpertAffiliation, aff_id) is None
    actions = set(db.session.scalars(db.select(AuditEntry.action)
                                     .where(AuditEntry.object_type == "expert_affiliation")))
    assert {"expert.affiliation_update", "expert.affiliation_delete"} <= actions


def test_an_expert_cannot_open_another_experts_pages(client, auth):
    mine, theirs = expert(), expert()
    aff = ExpertAffiliationFactory(expert=theirs.expert_profile)
    auth.login(mine)
    assert client.get(f"/manage/experts/{theirs.expert_profile.id}").status_code == 403
    assert client.get(f"/manage/experts/{mine.expert_profile.id}").status_code == 403
    assert client.get(f"/expert/affiliations/{aff.id}/edit").status_code == 403
    assert client.post(f"/expert/affiliations/{aff.id}/edit", data=_affiliation_form()).status_code == 403
    assert client.post(f"/expert/affiliations/{aff.id}/delete").status_code == 403
    assert client.get("/expert/affiliations/99999/edit").status_code == 404
    assert db.session.get(ExpertAffiliation, aff.id) is not None


def test_other_roles_cannot_use_the_expert_pages(client, auth):
    auth.login(UserFactory(officer=True))
    assert client.get("/expert/profile").status_code == 403
    assert client.get("/expert/conflicts").status_code == 403
