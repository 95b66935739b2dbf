"""Batch screening (批量资格审查): the officer confirms, in one step, the applications whose automatic checks
all pass; each is recorded, audited and told as a decision of its own, and nothing else is touched."""
import re

import sqlalchemy as sa

from grantportal.applications.models import Application, AppStatus, Screening
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.core.notices import Notice
from tests import factories as f
from tests.applications.helpers import eligible_org, text


def _world():
    call = f.CallFactory()
    members, passing = [], []
    for i in (1, 2):
        org = eligible_org()
        members.append(f.member_of(org))
        passing.append(f.ApplicationFactory(call=call, org=org, status=AppStatus.SUBMITTED,
                                            number=f"B-2026-000{i}"))
    unverified = f.OrganizationFactory()  # no rating, no 年检 record: the checks fail
    failing = f.ApplicationFactory(call=call, org=unverified, status=AppStatus.SUBMITTED, number="B-2026-0003")
    return call, members, passing, failing


def _page(client, call):
    resp = client.get(f"/manage/calls/{call.id}/applications/screen-batch")
    assert resp.status_code == 200
    page = text(resp)
    return page, dict(re.findall(r'name="(digest-\d+)" value="([^"]*)"', page)), \
        re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', page)


def _status(app):
    return db.session.scalar(sa.select(Application.screening).where(Application.id == app.id))


def test_the_officer_confirms_the_passing_applications_in_one_step(client, signed_in_officer):
    call, members, passing, failing = _world()
    list_page = text(client.get(f"/manage/calls/{call.id}/applications"))
    assert "批量资格审查（待审查 3 份）" in list_page
    page, digests, _ = _page(client, call)
    assert "自动审查全部符合（2 份）" in page and "需逐份审查（1 份）" in page
    assert set(digests) == {f"digest-{a.id}" for a in passing}

    ids = [str(a.id) for a in passing]
    resp = client.post(f"/manage/calls/{call.id}/applications/screen-batch", data={"items": ids, **digests})
    assert resp.status_code == 200 and "请勾选确认后再提交" in text(resp)
    assert all(_status(a) == Screening.PENDING for a in passing), "nothing is saved without the confirmation"

    resp = client.post(f"/manage/calls/{call.id}/applications/screen-batch",
                       data={"items": ids, "confirm": "y", **digests})
    assert resp.status_code == 302
    assert "已确认 2 份申报书通过资格审查，向申报机构发出站内通知 2 条" in text(client.get(resp.headers["Location"]))
    assert [_status(a) for a in passing] == [Screening.PASSED, Screening.PASSED]
    assert _status(failing) == Screening.PENDING
    audited = db.session.scalars(sa.select(AuditEntry.object_id).where(AuditEntry.action == "application.screen",
                                                                      AuditEntry.object_type == "application"))
    assert sorted(map(str, audited)) == sorted(ids)
    for member in members:
        titles = db.session.scalars(sa.select(Notice.title).where(Notice.user_id == member.id)).all()
        assert titles == ["资格审查通过"]


def test_an_application_whose_checks_changed_after_the_page_was_shown_is_left_for_review(client, signed_in_officer):
    call, _members, passing, _failing = _world()
    _page_text, digests, _ = _page(client, call)
    digests[f"digest-{passing[0].id}"] = "0" * 16  # its checks read differently now
    resp = client.post(f"/manage/calls/{call.id}/applications/screen-batch",
                       data={"items": [str(a.id) for a in passing], "confirm": "y", **digests},
                       follow_redirects=True)
    assert "已确认 1 份" in text(resp) and "另有 1 份" in text(resp)
    assert [_status(a) for a in passing] == [Screening.PENDING, Screening.PASSED]


def test_an_application_with_a_failing_check_cannot_be_slipped_into_the_batch(client, signed_in_officer):
    call, _members, passing, failing = _world()
    _page_text, digests, _ = _page(client, call)
    resp = client.post(f"/manage/calls/{call.id}/applications/screen-batch",
                       data={"items": [str(passing[0].id), str(failing.id)], "confirm": "y", **digests})
    assert resp.status_code == 200 and "请从列表中选择" in text(resp)
    assert _status(failing) == Screening.PENDING and _status(passing[0]) == Screening.PENDING


def test_with_nothing_to_confirm_the_page_says_so(client, signed_in_officer):
    call = f.CallFactory()
    page, digests, _ = _page(client, call)
    assert "没有自动审查全部符合、等待确认的申报书" in page and not digests
