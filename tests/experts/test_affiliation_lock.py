"""An expert cannot edit away the affiliation that keeps them out of a running review."""
from grantportal.core.db import db
from grantportal.experts.models import ExpertAffiliation
from tests import factories as f


def test_affiliation_behind_a_running_review_cannot_be_deleted_or_edited(client, auth):
    call = f.CallFactory()
    app = f.screened_application(call)
    f.ReviewRoundFactory(call=call)
    expert = f.expert()
    aff = f.ExpertAffiliationFactory(expert=expert.expert_profile, org_uscc=app.org.uscc, org_name=app.org.name)
    auth.login(expert)
    resp = client.post(f"/expert/affiliations/{aff.id}/delete")
    assert resp.status_code == 409 and "评审结束前不能删除或修改" in resp.get_data(as_text=True)
    assert db.session.get(ExpertAffiliation, aff.id) is not None


def test_an_unrelated_affiliation_can_be_deleted(client, auth):
    expert = f.expert()
    aff_id = f.ExpertAffiliationFactory(expert=expert.expert_profile, org_uscc=None).id
    auth.login(expert)
    assert client.post(f"/expert/affiliations/{aff_id}/delete").status_code in (302, 303)
    assert db.session.get(ExpertAffiliation, aff_id) is None
