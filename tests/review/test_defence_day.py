"""答辩日 (issue 14): the officer draws the running order at random (logged, replayable, redrawn only with a
reason), schedules a day's slots in one form, organizations are told their slot and see it on their
application's page, attendance is recorded and a no-show is not scored but shown as 答辩缺席."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.core.notices import Notice
from grantportal.core.timeutil import to_local
from grantportal.review.defence.order import replay, running_order
from grantportal.review.models import Attendance, DefenceDraw, DefenceSlot, RoundKind
from grantportal.review.results.aggregate import round_results
from tests import factories as f


@pytest.fixture
def day(signed_in_officer):
    """A defence round under way with four entering applications, each organization with one member."""
    call = f.CallFactory(created_by=signed_in_officer)
    rnd = f.ReviewRoundFactory(call=call, name="答辩复评", kind=RoundKind.DEFENCE)
    apps = [f.screened_application(call) for _ in range(4)]
    members = {a.id: f.member_of(a.org) for a in apps}
    db.session.commit()
    return rnd, apps, members


def _day_form(**kw):
    local_day = to_local(utcnow() + timedelta(days=3)).date()
    data = {"day": local_day.isoformat(), "first_start": "09:00", "minutes": "20", "break_minutes": "5",
            "count": "", "venue": "市民政局三楼会议室", "meeting_link": "", "bring": "汇报PPT、机构证书复印件"}
    data.update(kw)
    return data


def _draw(client, rnd, reason=""):
    return client.post(f"/manage/rounds/{rnd.id}/defence/draw", data={"reason": reason})


def _slots(rnd):
    return db.session.scalars(sa.select(DefenceSlot).where(DefenceSlot.round_id == rnd.id)
                              .order_by(DefenceSlot.starts_at)).all()


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.nodb
def test_running_order_depends_only_on_seed_and_entrants():
    seed = "0123456789abcdef0123456789abcdef"
    order = running_order([5, 3, 9, 1], seed)
    assert sorted(order) == [1, 3, 5, 9]
    assert order == running_order([1, 9, 3, 5], seed)  # the entrants' order does not matter


def test_draw_is_logged_with_seed_and_replays(client, day):
    rnd, apps, _ = day
    assert _draw(client, rnd).status_code == 302
    draw = db.session.scalars(sa.select(DefenceDraw)).one()
    assert sorted(draw.entrants) == sorted(a.id for a in apps)
    assert replay(draw) == (draw.order, True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "defence.draw")) >= 1
    page = client.get(f"/manage/rounds/{rnd.id}/defence").get_data(as_text=True)
    assert draw.seed in page and "按种子复算一致" in page


def test_redraw_needs_a_reason_and_keeps_the_earlier_draw(client, day):
    rnd, _, _ = day
    _draw(client, rnd)
    resp = _draw(client, rnd)
    assert resp.status_code == 200
    assert "重新抽签须填写理由" in resp.get_data(as_text=True)
    assert _count(DefenceDraw) == 1
    assert _draw(client, rnd, reason="一家机构对抽签过程提出异议，现场重新抽签").status_code == 302
    draws = db.session.scalars(sa.select(DefenceDraw).order_by(DefenceDraw.id)).all()
    assert len(draws) == 2 and draws[0].reason is None and draws[1].reason.startswith("一家机构")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "defence.redraw")) >= 1


def test_day_is_scheduled_in_running_order_and_organizations_are_told(client, day):
    rnd, apps, members = day
    _draw(client, rnd)
    resp = client.post(f"/manage/rounds/{rnd.id}/defence/day", data=_day_form())
    assert resp.status_code == 302, resp.get_data(as_text=True)
    draw = db.session.scalars(sa.select(DefenceDraw)).one()
    slots = _slots(rnd)
    assert [s.application_id for s in slots] == draw.order
    first = to_local(slots[0].starts_at)
    assert (first.hour, first.minute) == (9, 0)
    assert slots[1].starts_at - slots[0].starts_at == timedelta(minutes=25)  # 20 minutes + 5 minutes' break
    assert slots[0].starts_at.utcoffset() == timedelta(0) and slots[0].starts_at.hour == 1  # stored in UTC
    for slot in slots:
        notice = db.session.scalars(sa.select(Notice).where(Notice.user_id == members[slot.application_id].id)).one()
        assert "答辩时段通知" in notice.title
        assert f"{to_local(slot.starts_at):%H:%M}" in notice.body and "市民政局三楼会议室" in notice.body
        assert "汇报PPT" in notice.body
    # the organization sees its slot on its application's page
    client.post("/logout")
    target = apps[0]
    f_client = client
    f_client.post("/login", data={"username": members[target.id].username, "password": f.PASSWORD})
    page = f_client.get(f"/applications/{target.id}").get_data(as_text=True)
    slot = next(s for s in slots if s.application_id == target.id)
    assert "答辩安排" in page and slot.when in page and "市民政局三楼会议室" in page


def test_part_of_a_day_then_the_rest_on_another_day(client, day):
    rnd, _, _ = day
    _draw(client, rnd)
    assert client.post(f"/manage/rounds/{rnd.id}/defence/day", data=_day_form(count="2")).status_code == 302
    later = to_local(utcnow() + timedelta(days=4)).date().isoformat()
    assert client.post(f"/manage/rounds/{rnd.id}/defence/day", data=_day_form(day=later)).status_code == 302
    draw = db.session.scalars(sa.select(DefenceDraw)).one()
    assert [s.application_id for s in _slots(rnd)] == draw.order


@pytest.mark.parametrize(("kw", "field", "message"), [
    ({"day": ""}, "day", "请填写答辩日期"),
    ({"first_start": ""}, "first_start", "请填写第一场开始时间"),
    ({"first_start": "9点"}, "first_start", "请按“时:分”填写时间"),
    ({"minutes": "0"}, "minutes", "请填写5到240之间的整数"),
    ({"venue": "", "meeting_link": ""}, "venue", "请填写答辩地点或线上会议链接"),
    ({"meeting_link": "javascript:alert(1)"}, "meeting_link", "请填写以 http:// 或 https:// 开头的会议链接"),
    ({"count": "9"}, "count", "尚未安排的申报只有4个"),
])
def test_bad_day_input_is_refused_next_to_its_field(client, day, kw, field, message):
    rnd, _, _ = day
    _draw(client, rnd)
    resp = client.post(f"/manage/rounds/{rnd.id}/defence/day", data=_day_form(**kw))
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)
    assert _count(DefenceSlot) == 0


def test_slot_outside_the_rounds_window_is_refused(client, day):
    rnd, _, _ = day
    _draw(client, rnd)
    too_late = to_local(rnd.closes_at + timedelta(days=1)).date().isoformat()
    resp = client.post(f"/manage/rounds/{rnd.id}/defence/day", data=_day_form(day=too_late))
    assert resp.status_code == 200
    assert "答辩时段须在本轮评审时间内" in resp.get_data(as_text=True)
    assert _count(DefenceSlot) == 0


def test_two_applicants_in_one_slot_is_refused(client, day):
    rnd, _, _ = day
    _draw(client, rnd)
    client.post(f"/manage/rounds/{rnd.id}/defence/day", data=_day_form(count="2"))
    resp = client.post(f"/manage/rounds/{rnd.id}/defence/day",
                       data=_day_form(first_start="09:10", venue="第二会议室"))
    assert resp.status_code == 200
    assert "同一时段不能安排两个申报" in resp.get_data(as_text=True)
    assert _count(DefenceSlot) == 2


def test_overlapping_slots_at_one_venue_are_refused(client, day, signed_in_officer):
    rnd, _, _ = day
    other_call = f.CallFactory(created_by=signed_in_officer)
    other = f.ReviewRoundFactory(call=other_call, name="路演", kind=RoundKind.DEFENCE)
    f.screened_application(other_call)
    _draw(client, rnd)
    _draw(client, other)
    assert client.post(f"/manage/rounds/{rnd.id}/defence/day", data=_day_form()).status_code == 302
    resp = client.post(f"/manage/rounds/{other.id}/defence/day", data=_day_form(first_start="09:30"))
    assert resp.status_code == 200
    assert "该场地在" in resp.get_data(as_text=True) and "已有其他答辩安排" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DefenceSlot)
                             .where(DefenceSlot.round_id == other.id)) == 0
    # the same time in another room is fine
    assert client.post(f"/manage/rounds/{other.id}/defence/day",
                       data=_day_form(first_start="09:30", venue="第二会议室")).status_code == 302


def test_no_show_is_not_scored_and_shown_as_absent(client, day):
    rnd, apps, members = day
    first = f.ReviewRoundFactory(call=rnd.call, name="初评", position=0)  # every project has a first-round score
    rnd.position = 1
    panel = f.expert_pool(3)
    for a in apps:
        for e in panel:
            f.submitted_review(f.AssignmentFactory(round=rnd, application=a, expert=e))
            f.submitted_review(f.AssignmentFactory(round=first, application=a, expert=e))
    _draw(client, rnd)
    client.post(f"/manage/rounds/{rnd.id}/defence/day", data=_day_form())
    slots = _slots(rnd)
    absent, present = slots[0], slots[1]
    resp = client.post(f"/manage/defence-slots/{present.id}/attendance", data={"note": "迟到十分钟"})
    assert resp.status_code == 400 and "场次未登记" in resp.get_data(as_text=True)  # the day page, nothing recorded
    assert "答辩日安排" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(DefenceSlot, present.id).attendance == Attendance.PENDING
    assert client.post(f"/manage/defence-slots/{present.id}/attendance", data={"status": "present"}).status_code == 302
    resp = client.post(f"/manage/defence-slots/{absent.id}/attendance", data={"status": "absent", "note": "未到场"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(DefenceSlot, absent.id).attendance == Attendance.ABSENT
    results = round_results(rnd)
    assert absent.application_id not in results  # not a silent zero: no round score at all
    assert present.application_id in results
    page = client.get(f"/manage/rounds/{rnd.id}/results").get_data(as_text=True)
    assert "答辩缺席（本轮不计分）" in page.split("<main")[1]  # in the page's content, not its title
    assert "答辩缺席" not in page.split("<title>")[1].split("</title>")[0]
    ranking = client.get(f"/manage/calls/{rnd.call_id}/ranking").get_data(as_text=True)
    assert "答辩缺席" in ranking  # the call's ranking says why that round has no score
    notice = db.session.scalars(sa.select(Notice).where(Notice.user_id == members[absent.application_id].id)
                                .order_by(Notice.id.desc())).first()
    assert "答辩缺席登记" in notice.title and "本轮不计分" in notice.body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "defence.attendance")) >= 2
    # the order can no longer be redrawn once attendance is recorded
    assert _draw(client, rnd, reason="重抽").status_code == 409


def test_expert_worklist_shows_the_running_order(client, day):
    rnd, apps, _ = day
    expert_user = f.expert()
    for a in apps:
        f.AssignmentFactory(round=rnd, application=a, expert=expert_user)
    _draw(client, rnd)
    client.post(f"/manage/rounds/{rnd.id}/defence/day", data=_day_form())
    slots = _slots(rnd)
    client.post("/logout")
    client.post("/login", data={"username": expert_user.username, "password": f.PASSWORD})
    page = client.get("/review/").get_data(as_text=True)
    assert "答辩顺序" in page
    numbers = [s.application.display_number for s in slots]
    positions = [page.index(n) for n in numbers]
    assert positions == sorted(positions)  # listed in the running order
    assert slots[0].when in page


def test_other_rounds_have_no_defence_page(client, signed_in_officer):
    rnd = f.ReviewRoundFactory(call=f.CallFactory(created_by=signed_in_officer))
    assert client.get(f"/manage/rounds/{rnd.id}/defence").status_code == 404


def test_redraw_after_scheduling_keeps_the_times_and_follows_the_new_order(client, day):
    rnd, _, members = day
    _draw(client, rnd)
    client.post(f"/manage/rounds/{rnd.id}/defence/day", data=_day_form())
    times = [s.starts_at for s in _slots(rnd)]
    before = {s.id: s.application_id for s in _slots(rnd)}
    assert _draw(client, rnd, reason="抽签时一家机构代表未到场，经各方同意重新抽签").status_code == 302
    db.session.expire_all()
    latest = db.session.scalars(sa.select(DefenceDraw).order_by(DefenceDraw.id.desc())).first()
    slots = _slots(rnd)
    assert [s.starts_at for s in slots] == times
    assert [s.application_id for s in slots] == latest.order
    moved = [s for s in slots if before[s.id] != s.application_id]
    for slot in moved:
        titles = db.session.scalars(sa.select(Notice.title).where(Notice.user_id == members[slot.application_id].id))
        assert any("答辩时段调整" in t for t in titles)
