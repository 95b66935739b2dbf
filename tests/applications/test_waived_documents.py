"""Tier rule "documents waived for 4A and above": the waived document is not required of a 4A
organization, still required of a 3A one, and the form says so."""
from grantportal.applications.eligibility import completeness_problems
from grantportal.orgs.models import Grade
from tests import factories as f
from tests.applications.helpers import eligible_org, text

WAIVE = {"waive_documents_for_4a": ["项目申报书"]}


def _app(grade, tier_rules=WAIVE):
    org = f.OrganizationFactory()
    f.RatingRecordFactory(org=org, grade=grade)
    call = f.CallFactory(tier_rules=tier_rules)
    return f.ApplicationFactory(call=call, org=org)


def test_a_4a_organization_need_not_upload_the_waived_document():
    assert "请上传必备材料“项目申报书”。" not in completeness_problems(_app(Grade.A4))


def test_a_3a_organization_must_still_upload_it():
    assert "请上传必备材料“项目申报书”。" in completeness_problems(_app(Grade.A3))


def test_without_the_rule_every_grade_uploads_it():
    assert "请上传必备材料“项目申报书”。" in completeness_problems(_app(Grade.A5, tier_rules=None))


def test_the_form_tells_a_4a_organization_the_document_is_waived(client, auth):
    org = eligible_org()  # 4A in force
    user = f.member_of(org)
    call = f.CallFactory(tier_rules=WAIVE)
    auth.login(user)
    page = text(client.get(f"/calls/{call.id}/apply"))
    assert "按本次征集规则免交" in page
