"""The working-day calendar: each year confirmed from the State Council's notice, 公示 counted only on
confirmed years, across 元旦 and 春节 2027 with their make-up working days, and refused for a year nobody
confirmed — never a silent Monday–Friday."""
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from grantportal.awards.proposals import operations as award_ops
from grantportal.awards.proposals import publicity
from grantportal.awards.proposals.queries import proposal_of
from grantportal.awards.proposals.workflow import AwardRefused
from grantportal.calendar import operations as calendar_ops
from grantportal.calendar.models import CalendarDay, CalendarYear, DayKind
from grantportal.calendar.queries import confirmed_publicity_end
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.core.workdays import UnconfirmedYear, library_year
from tests import factories as f

BEIJING = timedelta(hours=8)

# 2027 as an officer enters it from the notice. The library (holidays 0.109) does not carry the 2027 notice
# yet, so these dates are the test's own arrangement in the notice's shape: 元旦 1–3 January (Friday to
# Sunday) with no make-up day; 春节 5–12 February off, Saturday 30 January and Saturday 20 February worked.
HOLIDAYS_2027 = [(date(2027, 1, 1), "元旦"), (date(2027, 1, 2), "元旦"), (date(2027, 1, 3), "元旦")] + [
    (date(2027, 2, 5) + timedelta(days=i), "春节") for i in range(8)]
WORKDAYS_2027 = [(date(2027, 1, 30), "春节调休上班"), (date(2027, 2, 20), "春节调休上班")]
NOTICE_2027 = "国务院办公厅关于2027年部分节假日安排的通知"


def beijing(*args):
    return (datetime(*args) - BEIJING).replace(tzinfo=UTC)


def confirm_2027():
    f.confirm_calendar(2026)
    calendar_ops.confirm_year(2027, HOLIDAYS_2027, WORKDAYS_2027, NOTICE_2027, None, None)
    db.session.commit()


def test_the_library_carries_the_2026_notice_with_its_make_up_days():
    holidays, workdays = library_year(2026)
    assert [d for d, _ in workdays] == [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
                                        date(2026, 9, 20), date(2026, 10, 10)]
    days_off = {d for d, _ in holidays}
    assert {date(2026, 1, 1), date(2026, 1, 2), date(2026, 2, 20), date(2026, 2, 23), date(2026, 10, 7)} <= days_off


def test_a_make_up_day_in_december_belongs_to_that_year():
    # 2007 元旦: 30 December 2006 to 1 January 2007 off, Saturday 30 December 2006 … as in the 2007 notice
    _, workdays = library_year(2006)
    assert date(2006, 12, 30) in {d for d, _ in workdays}


def test_a_publicity_in_an_unconfirmed_year_is_refused_with_the_year_to_confirm():
    f.confirm_calendar(2026)
    db.session.commit()
    with pytest.raises(UnconfirmedYear) as refused:
        confirmed_publicity_end(beijing(2026, 12, 30, 10, 0), 5)  # runs into January 2027
    assert refused.value.year == 2027
    assert "2027年的法定节假日安排尚未确认" in refused.value.message and "节假日安排" in refused.value.message
    # within 2026 it is counted
    assert confirmed_publicity_end(beijing(2026, 12, 7, 10, 0), 5) == beijing(2026, 12, 14, 17, 0)


def test_publicity_over_new_year_2027_skips_the_holiday():
    confirm_2027()
    # published Wednesday 30 December 2026: Thu 31 Dec, (1–3 Jan off), Mon 4, Tue 5, Wed 6, Thu 7
    assert confirmed_publicity_end(beijing(2026, 12, 30, 10, 0), 5) == beijing(2027, 1, 7, 17, 0)


def test_publicity_over_spring_festival_2027_counts_its_make_up_saturdays():
    confirm_2027()
    # Friday 29 January: Saturday 30 January is worked, so one working day ends then
    assert confirmed_publicity_end(beijing(2027, 1, 29, 10, 0), 1) == beijing(2027, 1, 30, 17, 0)
    # Thursday 4 February: 5–12 off, 13–14 weekend, then Mon 15 … Fri 19
    assert confirmed_publicity_end(beijing(2027, 2, 4, 10, 0), 5) == beijing(2027, 2, 19, 17, 0)
    # 中山's 7 days: Saturday 20 February (make-up) is the sixth, Monday 22 the seventh
    assert confirmed_publicity_end(beijing(2027, 2, 4, 10, 0), 7) == beijing(2027, 2, 22, 17, 0)


def test_publishing_a_proposal_is_refused_until_the_year_is_confirmed(officer):
    call, _apps = f.ranked_call([dict(total=90)])
    award_ops.generate(call, call.created_by, utcnow())
    proposal = proposal_of(call)
    db.session.commit()
    f.confirm_calendar(2026)
    db.session.commit()
    when = beijing(2026, 12, 30, 10, 0)
    with pytest.raises(AwardRefused) as refused:
        publicity.publish(proposal, call.created_by, when, 5)
    assert "2027年的法定节假日安排尚未确认" in refused.value.message
    db.session.rollback()
    confirm_2027()
    proposal = proposal_of(call)
    publicity.publish(proposal, call.created_by, when, 5)
    db.session.commit()
    assert proposal.ends_at == beijing(2027, 1, 7, 17, 0) and proposal.calendar_warning is None


def test_officer_confirms_2027_from_the_notice_and_it_is_audited(client, auth):
    auth.login(f.UserFactory(officer=True))
    page = client.get("/manage/calendar/2027").get_data(as_text=True)
    assert "未确认" in page and "尚未收录2027年的通知" in page and "2027-02-06" in page
    resp = client.post("/manage/calendar/2027", data={
        "holidays": "\n".join(f"{d.isoformat()} {n}" for d, n in HOLIDAYS_2027),
        "workdays": "2027-01-30 春节调休上班\n2027-02-20 春节调休上班",
        "notice_title": NOTICE_2027, "notice_number": "国办发明电〔2026〕1号", "checked": "y"})
    assert resp.status_code == 302
    year = db.session.get(CalendarYear, 2027)
    assert (year.notice_title, year.notice_number) == (NOTICE_2027, "国办发明电〔2026〕1号")
    kinds = {d.day: d.kind for d in db.session.scalars(db.select(CalendarDay).where(CalendarDay.year == 2027))}
    assert kinds[date(2027, 1, 30)] == DayKind.WORKDAY and kinds[date(2027, 2, 12)] == DayKind.HOLIDAY
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "calendar.year_confirm")
                              .order_by(AuditEntry.id.desc()))
    assert entry is not None and json.loads(entry.after)
    page = client.get("/manage/calendar/2027").get_data(as_text=True)
    assert "已确认" in page and NOTICE_2027 in page


@pytest.mark.parametrize("workdays, message", [
    ("2027-02-22 调休", "本来就是工作日"),  # a Monday
    ("2028-01-01", "不在2027年内"),
    ("2027-02-30", "不是有效日期"),
])
def test_a_wrong_day_is_refused_next_to_its_field(client, auth, workdays, message):
    auth.login(f.UserFactory(officer=True))
    resp = client.post("/manage/calendar/2027", data={
        "holidays": "2027-01-01 元旦", "workdays": workdays, "notice_title": NOTICE_2027, "checked": "y"})
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert db.session.get(CalendarYear, 2027) is None


def test_confirming_needs_the_notice_and_the_check(client, auth):
    auth.login(f.UserFactory(officer=True))
    resp = client.post("/manage/calendar/2027", data={"holidays": "2027-01-01 元旦", "notice_title": ""})
    html = resp.get_data(as_text=True)
    assert "请填写所依据通知的标题" in html and "请逐日核对后勾选确认" in html
    assert db.session.get(CalendarYear, 2027) is None
