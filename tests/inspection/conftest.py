"""Third-party supervision tests: one world per test module, built once (per test worker) and restored before each
test (tests/permissions/world.py): a call with two funded projects in progress, each with a member of its
organization; an officer and an auditor; agency A appointed to the first project only, with an inspector; agency B
appointed to nothing, with its own inspector. The contracts carry three 绩效目标."""
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from grantportal.core.db import db, utcnow
from grantportal.core.notices import Notice
from grantportal.core.timeutil import local_today
from grantportal.core.uscc import make_uscc
from grantportal.inspection import operations as ops
from grantportal.inspection.models import CheckResult
from tests import factories as f
from tests.funding.conftest import active_contract
from tests.monitoring.conftest import png_bytes
from tests.permissions.test_matrix import sign_in
from tests.permissions.world import built_once, restore_world

TARGETS = "直接服务社区长者200人次\n开展健康讲座与探访活动48场\n培育志愿者30名"
FINDINGS = "服务台账缺少3月份探访记录\n志愿者培训未按计划开展"


def agency(officer, name, serial):
    return ops.create_agency(officer, ops.AgencyData(name, make_uscc("1", "442000", serial, department="9"),
                                                     "陈经理", "0760-88123456"))


def build_world():
    w = SimpleNamespace()
    call, awards = f.final_awards()
    w.call, w.officer = call, call.created_by
    w.auditor = f.UserFactory(auditor=True)
    w.contract = active_contract(awards[0], w.officer)
    w.other = active_contract(awards[1], w.officer)
    for contract in (w.contract, w.other):
        contract.deliverables = TARGETS
    w.member = f.member_of(awards[0].application.org)
    w.other_member = f.member_of(awards[1].application.org)
    w.agency = agency(w.officer, "中山市明德社会工作评估中心", 71001)
    w.agency_b = agency(w.officer, "中山市公益项目评估研究院", 71002)
    w.inspector = ops.add_staff(w.agency, w.officer, "inspector_a", "周检查", "Jiancha-2026!x", "13800000001")
    w.outsider = ops.add_staff(w.agency_b, w.officer, "inspector_b", "吴评估", "Pinggu-2026!x", "13800000002")
    today = local_today()
    ops.appoint(w.agency, w.officer, today - timedelta(days=30), today + timedelta(days=365), contract=w.contract)
    db.session.commit()
    return w


@pytest.fixture(scope="module")
def world_snapshot(database, tmp_path_factory):
    return built_once(database, tmp_path_factory, build_world)


@pytest.fixture
def world(app, world_snapshot):
    """A fresh copy of the module's world in this test's database."""
    return restore_world(world_snapshot)


def as_user(client, user):
    client.delete_cookie("gp_session")
    sign_in(client, user)
    return client


def notices(user, title=None):
    query = sa.select(Notice).where(Notice.user_id == user.id)
    if title:
        query = query.where(Notice.title == title)
    return db.session.scalars(query.order_by(Notice.id)).all()


def visit_data(results=None, findings=FINDINGS, people="张某某（项目负责人）\n李某（社工）",
               place="幸福社区长者服务站"):
    results = results or [CheckResult.MEETS] * len(ops.CHECKLIST)
    return ops.VisitData(utcnow() - timedelta(hours=2), place, findings, people,
                         [ops.CheckData(r, "") for r in results])


def visit_form(results=None, findings=FINDINGS, people="张某某（项目负责人）", submit=False, photos=()):
    """The visit page's form data: every checklist row judged ``results`` (values), or 符合."""
    results = results or ["meets"] * len(ops.CHECKLIST)
    data = {"visited_at": "2026-03-12T09:30", "place": "幸福社区长者服务站", "findings": findings,
            "people_met": people, ("submit" if submit else "save"): "1"}
    for i, r in enumerate(results):
        if r:
            data[f"checks-{i}-result"] = r
        data[f"checks-{i}-note"] = ""
    if photos:
        data["photos"] = list(photos)
    return data


def photo(data=None, name="现场.png"):
    return (io.BytesIO(png_bytes() if data is None else data), name)
