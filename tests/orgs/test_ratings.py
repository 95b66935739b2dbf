import json
from datetime import date

import pytest

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.orgs import operations as ops
from grantportal.orgs.models import Grade, Organization, RatingEnd, RatingRecord
from grantportal.orgs.queries import grade_in_force
from grantportal.orgs.tiers import default_validity, effective_tier, tier_label
from tests.factories import OrganizationFactory, RatingRecordFactory, UserFactory


def _fresh(org):
    db.session.expire_all()
    return db.session.get(Organization, org.id)


def test_default_validity_runs_from_next_january_for_five_years():
    assert default_validity(date(2024, 6, 1)) == (date(2025, 1, 1), date(2029, 12, 31))


@pytest.mark.parametrize("day,expected", [
    (date(2024, 12, 31), None),  # announced, not yet in force
    (date(2025, 1, 1), Grade.A4),
    (date(2029, 12, 31), Grade.A4),
    (date(2030, 1, 1), None),  # expired counts as unrated
])
def test_effective_tier_before_within_and_after_validity(day, expected):
    org = RatingRecordFactory(grade=Grade.A4, announced_on=date(2024, 6, 1)).org
    assert effective_tier(_fresh(org), day) == expected


def test_expired_grade_is_labelled_as_expired_and_never_rated_as_unrated():
    rated = RatingRecordFactory(announced_on=date(2018, 6, 1)).org
    assert tier_label(_fresh(rated), date(2026, 1, 1)) == "等级已过期"
    assert tier_label(OrganizationFactory(), date(2026, 1, 1)) == "未评级"


def test_lowering_ends_the_record_and_adds_the_lower_grade_to_the_original_end():
    record = RatingRecordFactory(grade=Grade.A4, announced_on=date(2024, 6, 1))
    officer = UserFactory(officer=True)
    lower = ops.lower_rating(record, Grade.A2, date(2026, 7, 1), "2025年度年检不合格", officer)
    db.session.commit()
    org = _fresh(record.org)
    assert effective_tier(org, date(2026, 6, 30)) == Grade.A4
    assert effective_tier(org, date(2026, 7, 1)) == Grade.A2
    assert effective_tier(org, date(2029, 12, 31)) == Grade.A2
    assert effective_tier(org, date(2030, 1, 1)) is None
    lower = db.session.get(RatingRecord, lower.id)
    assert lower.valid_until == date(2029, 12, 31)
    old = db.session.get(RatingRecord, record.id)
    assert old.end_kind == RatingEnd.LOWERED and old.end_reason == "2025年度年检不合格"


def test_revocation_makes_the_organization_unrated_from_that_day():
    record = RatingRecordFactory(grade=Grade.A5, announced_on=date(2024, 6, 1))
    ops.revoke_rating(record, date(2026, 3, 1), "列入严重违法失信名单", UserFactory(officer=True))
    db.session.commit()
    org = _fresh(record.org)
    assert effective_tier(org, date(2026, 2, 28)) == Grade.A5
    assert effective_tier(org, date(2026, 3, 1)) is None
    assert tier_label(org, date(2026, 3, 1)) == "未评级"


def test_an_ended_record_cannot_be_ended_again():
    record = RatingRecordFactory()
    ops.revoke_rating(record, date(2026, 3, 1), "撤销", None)
    with pytest.raises(ops.StateError):
        ops.lower_rating(record, Grade.A1, date(2026, 4, 1), "再降", None)


def test_grade_filter_matches_effective_tier():
    lowered = RatingRecordFactory(grade=Grade.A4, announced_on=date(2024, 6, 1))
    ops.lower_rating(lowered, Grade.A3, date(2026, 1, 1), "受到行政处罚", None)
    RatingRecordFactory(grade=Grade.A4, announced_on=date(2024, 6, 1))
    unrated = OrganizationFactory()
    db.session.commit()
    day = date(2026, 5, 1)

    def names(grade):
        return {o.id for o in db.session.scalars(db.select(Organization).where(grade_in_force(grade, day)))}

    assert lowered.org_id in names("3A") and lowered.org_id not in names("4A")
    assert unrated.id in names(None) and lowered.org_id not in names(None)
    for org in db.session.scalars(db.select(Organization)):
        grade = effective_tier(org, day)
        assert org.id in names(grade.value if grade else None)


def test_officer_adds_a_rating_with_validity_prefilled_and_editable(client, auth):
    org = OrganizationFactory()
    auth.login(UserFactory(officer=True))
    page = client.get(f"/manage/orgs/{org.id}/ratings/new").get_data(as_text=True)
    assert 'type="date"' in page and "-01-01" in page and "-12-31" in page
    resp = client.post(f"/manage/orgs/{org.id}/ratings/new", data={
        "grade": "3A", "announced_on": "2025-11-20", "valid_from": "", "valid_until": "", "note": "中民评〔2025〕8号"})
    assert resp.status_code == 302
    record = db.session.scalar(db.select(RatingRecord).where(RatingRecord.org_id == org.id))
    assert (record.valid_from, record.valid_until) == (date(2026, 1, 1), date(2030, 12, 31))
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "org.rating_add"))
    assert json.loads(entry.after)["grade"] == "3A"


def test_validity_must_not_end_before_it_starts(client, auth):
    org = OrganizationFactory()
    auth.login(UserFactory(officer=True))
    resp = client.post(f"/manage/orgs/{org.id}/ratings/new", data={
        "grade": "3A", "announced_on": "2025-11-20", "valid_from": "2026-01-01", "valid_until": "2025-01-01"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "有效期止不能早于有效期起" in body and 'value="2025-11-20"' in body
    assert db.session.scalar(db.select(RatingRecord).where(RatingRecord.org_id == org.id)) is None


def test_officer_lowers_through_the_page_and_only_lower_grades_are_offered(client, auth):
    record = RatingRecordFactory(grade=Grade.A3, announced_on=date(2024, 6, 1))
    auth.login(UserFactory(officer=True))
    page = client.get(f"/manage/ratings/{record.id}/lower").get_data(as_text=True)
    assert 'value="2A"' in page and 'value="4A"' not in page
    bad = client.post(f"/manage/ratings/{record.id}/lower", data={"grade": "4A", "on": "2026-06-01", "reason": "x"})
    assert bad.status_code == 200 and "Not a valid choice" not in bad.get_data(as_text=True)
    resp = client.post(f"/manage/ratings/{record.id}/lower",
                       data={"grade": "1A", "on": "2026-06-01", "reason": "连续两年年检基本合格"})
    assert resp.status_code == 302
    assert client.get(f"/manage/ratings/{record.id}/lower").status_code == 409
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "org.rating_lower")).all()
    update = next(e for e in entries if e.before)
    assert json.loads(update.after)["end_kind"] == "lowered"


def test_officer_revokes_through_the_page_and_the_org_page_shows_unrated(client, auth):
    record = RatingRecordFactory(grade=Grade.A4, announced_on=date(2023, 6, 1))
    auth.login(UserFactory(officer=True))
    resp = client.post(f"/manage/ratings/{record.id}/revoke", data={"on": "2024-02-01", "reason": "严重违法"})
    assert resp.status_code == 302
    body = client.get(f"/manage/orgs/{record.org_id}").get_data(as_text=True)
    assert "撤销等级" in body and "未评级" in body


# the 2026 rule: validity from 1 January after the announcement to 31 December of the fifth year

@pytest.mark.parametrize("announced, valid", [
    (date(2025, 6, 30), (date(2026, 1, 1), date(2030, 12, 31))),  # the 3A of issue 11, not 2027–2031
    (date(2025, 12, 31), (date(2026, 1, 1), date(2030, 12, 31))),  # the last day of a year
    (date(2026, 1, 1), (date(2027, 1, 1), date(2031, 12, 31))),  # the first day of the next
    (date(2026, 3, 1), (date(2027, 1, 1), date(2031, 12, 31))),  # the day the 2026 revision came into force
    (date(2028, 2, 29), (date(2029, 1, 1), date(2033, 12, 31))),
])
def test_validity_runs_from_the_january_after_the_announcement(announced, valid):
    assert default_validity(announced) == valid


def test_a_grade_announced_mid_2025_is_in_force_until_the_end_of_2030_and_not_after():
    record = RatingRecordFactory(grade=Grade.A3, announced_on=date(2025, 6, 30))
    db.session.commit()
    org = _fresh(record.org)
    assert effective_tier(org, date(2025, 12, 31)) is None  # announced, not yet in force
    assert effective_tier(org, date(2026, 1, 1)) == Grade.A3
    assert effective_tier(org, date(2030, 12, 31)) == Grade.A3
    assert effective_tier(org, date(2031, 1, 1)) is None and tier_label(org, date(2031, 1, 1)) == "等级已过期"


def _post_rating(client, org, **data):
    return client.post(f"/manage/orgs/{org.id}/ratings/new", data={"grade": "3A", "note": "", **data})


def test_a_validity_left_from_another_announcement_date_is_refused_not_stored(client, auth):
    """The trap of issue 11: the form was pre-filled for today and the officer changed only 公告日期."""
    org = OrganizationFactory()
    auth.login(UserFactory(officer=True))
    resp = _post_rating(client, org, announced_on="2025-06-30", valid_from="2027-01-01", valid_until="2031-12-31")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "按公告日期2025-06-30计算，有效期应为2026-01-01至2030-12-31" in html and "调整理由" in html
    assert db.session.scalar(db.select(RatingRecord).where(RatingRecord.org_id == org.id)) is None


def test_an_override_of_the_validity_is_kept_with_its_reason_and_audited(client, auth):
    org = OrganizationFactory()
    auth.login(UserFactory(officer=True))
    resp = _post_rating(client, org, announced_on="2025-06-30", valid_from="2025-07-01", valid_until="2030-06-30",
                        validity_reason="公告载明有效期自2025年7月1日起五年")
    assert resp.status_code == 302
    record = db.session.scalar(db.select(RatingRecord).where(RatingRecord.org_id == org.id))
    assert (record.valid_from, record.valid_until) == (date(2025, 7, 1), date(2030, 6, 30))
    assert record.validity_reason == "公告载明有效期自2025年7月1日起五年"
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "org.rating_add"))
    assert json.loads(entry.after)["validity_reason"] == "公告载明有效期自2025年7月1日起五年"
    assert "公告载明有效期自2025年7月1日起五年" in client.get(f"/manage/orgs/{org.id}").get_data(as_text=True)


def test_the_computed_validity_needs_no_reason(client, auth):
    org = OrganizationFactory()
    auth.login(UserFactory(officer=True))
    resp = _post_rating(client, org, announced_on="2025-06-30", valid_from="2026-01-01", valid_until="2030-12-31",
                        validity_reason="多余的理由")
    assert resp.status_code == 302
    record = db.session.scalar(db.select(RatingRecord).where(RatingRecord.org_id == org.id))
    assert (record.valid_from, record.valid_until, record.validity_reason) == (
        date(2026, 1, 1), date(2030, 12, 31), None)


def test_the_form_previews_the_validity_and_the_server_recomputes_it_for_a_new_date(client, auth):
    org = OrganizationFactory()
    auth.login(UserFactory(officer=True))
    page = client.get(f"/manage/orgs/{org.id}/ratings/new").get_data(as_text=True)
    assert "按公告日期计算：" in page and "js/rating_validity.js" in page and 'data-validity-url="' in page
    answer = client.get("/manage/orgs/ratings/validity?announced_on=2025-06-30").get_json()
    assert (answer["valid_from"], answer["valid_until"]) == ("2026-01-01", "2030-12-31")
    assert client.get("/manage/orgs/ratings/validity?announced_on=2025-13-01").status_code == 400
