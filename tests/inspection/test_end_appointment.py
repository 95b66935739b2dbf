"""An appointment ended early (提前结束): the officer gives the reason and the date it ends; from that date the
agency's staff lose its projects (the pages answer 403 and 我的监管项目 no longer lists them) while other agencies
and other appointments keep theirs; what the staff drafted stays readable to the officer; they are told in the
inbox and the audit log keeps the before and after. Bad input re-renders the form and changes nothing."""
import json
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.core.timeutil import format_date, local_today
from grantportal.inspection import operations as ops
from grantportal.inspection.models import Appointment, EvaluationKind, WorkStatus
from grantportal.inspection.queries import is_appointed, supervised_projects
from tests.inspection.conftest import as_user, notices, visit_data

REASON = "该机构监管人员变动，无法按期开展实地检查。"


def text(resp):
    return resp.get_data(as_text=True)


def _appointment(world):
    (appointment,) = db.session.scalars(sa.select(Appointment).where(Appointment.agency_id == world.agency.id)).all()
    return appointment


def _end_url(appointment):
    return f"/manage/third-parties/appointments/{appointment.id}/end"


def _drafts(world):
    """A draft visit and a draft 中期评估 of the appointed agency on its project."""
    visit = ops.save_visit(world.contract, world.inspector, visit_data(), utcnow())
    evaluation = ops.save_evaluation(world.contract, world.inspector, EvaluationKind.MIDTERM,
                                     ops.EvaluationData(scores=[ops.ScoreData(Decimal(80))] * 3), utcnow())
    db.session.commit()
    return visit, evaluation


def test_an_appointment_ended_early_closes_its_projects_to_the_agencys_staff(world, client):
    visit, evaluation = _drafts(world)
    appointment = _appointment(world)
    title = world.contract.award.application.title
    as_user(client, world.officer)
    form = text(client.get(_end_url(appointment)))
    assert "提前结束的理由" in form and f'value="{local_today().isoformat()}"' in form  # the date: today unless said
    resp = client.post(_end_url(appointment), data={"ended_on": local_today().isoformat(), "reason": REASON})
    assert resp.status_code == 303

    page = text(client.get(resp.headers["Location"]))
    assert "已提前结束" in page and REASON in page and format_date(local_today()) in page
    (notice,) = notices(world.inspector, "委托监管已提前结束")
    assert REASON in notice.body and title in notice.body
    (entry,) = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "inspection.appointment.end"))
    assert entry.object_type == "inspection_appointment" and entry.actor_id == world.officer.id
    assert json.loads(entry.before)["ended_on"] is None
    assert json.loads(entry.after)["ended_on"] == local_today().isoformat()
    assert json.loads(entry.after)["end_reason"] == REASON

    as_user(client, world.inspector)
    assert title not in text(client.get("/third-party/projects"))
    for url in (f"/third-party/projects/{world.contract.id}", f"/third-party/projects/{world.contract.id}/visits/new",
                f"/third-party/projects/{world.contract.id}/evaluations/new?kind=final",
                f"/third-party/visits/{visit.id}", f"/third-party/evaluations/{evaluation.id}",
                f"/projects/{world.contract.id}/timeline"):
        assert client.get(url).status_code == 403, url
    resp = client.post(f"/third-party/evaluations/{evaluation.id}",
                       data={"scores-0-score": "90", "scores-1-score": "90", "scores-2-score": "90", "save": "1"})
    assert resp.status_code == 403

    # the drafts stay as they were, readable to the officer
    as_user(client, world.officer)
    project = text(client.get(f"/third-party/projects/{world.contract.id}"))
    assert "草稿" in project and "自" in project and "起提前结束" in project
    assert "张某某（项目负责人）" in text(client.get(f"/third-party/visits/{visit.id}"))
    assert client.get(f"/third-party/evaluations/{evaluation.id}").status_code == 200
    db.session.expire_all()
    assert visit.status == evaluation.status == WorkStatus.DRAFT


def test_ending_one_appointment_leaves_other_agencies_and_appointments(world):
    today = local_today()
    ops.appoint(world.agency_b, world.officer, today, today + timedelta(days=90), call=world.call)
    db.session.commit()
    ops.end_appointment(_appointment(world), world.officer, today, REASON, utcnow())
    db.session.commit()
    assert not is_appointed(world.inspector, world.contract)
    assert supervised_projects(world.agency) == []
    assert is_appointed(world.outsider, world.contract) and is_appointed(world.outsider, world.other)
    assert {c.id for c in supervised_projects(world.agency_b)} == {world.contract.id, world.other.id}
    assert not notices(world.outsider, "委托监管已提前结束")
    # the same agency appointed to the call as well keeps the project through that appointment
    ops.appoint(world.agency, world.officer, today, today + timedelta(days=30), call=world.call)
    db.session.commit()
    assert is_appointed(world.inspector, world.contract)


def test_an_end_date_ahead_keeps_the_appointment_until_that_date(world):
    today = local_today()
    ops.end_appointment(_appointment(world), world.officer, today + timedelta(days=7), REASON, utcnow())
    db.session.commit()
    assert is_appointed(world.inspector, world.contract)
    assert is_appointed(world.inspector, world.contract, today=today + timedelta(days=6))
    assert not is_appointed(world.inspector, world.contract, today=today + timedelta(days=7))
    assert supervised_projects(world.agency, today=today + timedelta(days=7)) == []


def test_bad_input_shows_the_form_again_and_ends_nothing(world, client):
    appointment = _appointment(world)
    as_user(client, world.officer)
    url = _end_url(appointment)
    no_reason = client.post(url, data={"ended_on": local_today().isoformat(), "reason": "  "})
    assert no_reason.status_code == 400 and "请填写提前结束的理由。" in text(no_reason)
    no_date = client.post(url, data={"ended_on": "", "reason": REASON})
    assert no_date.status_code == 400 and "请填写结束日期。" in text(no_date) and REASON in text(no_date)
    before = client.post(url, data={"ended_on": (appointment.starts_on - timedelta(days=1)).isoformat(),
                                    "reason": REASON})
    assert before.status_code == 400 and "结束日期不能早于委托开始日期" in text(before)
    after = client.post(url, data={"ended_on": (appointment.ends_on + timedelta(days=1)).isoformat(),
                                   "reason": REASON})
    assert after.status_code == 400 and "结束日期不能晚于原定委托结束日期" in text(after)
    db.session.expire_all()
    assert appointment.ended_on is None and appointment.end_reason is None
    assert is_appointed(world.inspector, world.contract)
    assert not notices(world.inspector, "委托监管已提前结束")

    assert client.post(url, data={"ended_on": local_today().isoformat(), "reason": REASON}).status_code == 303
    again = client.post(url, data={"ended_on": local_today().isoformat(), "reason": REASON})
    assert again.status_code == 409 and "不能再次结束" in text(again)
    assert len(notices(world.inspector, "委托监管已提前结束")) == 1
    # only the officer ends an appointment
    as_user(client, world.auditor)
    assert client.get(url).status_code == 403
