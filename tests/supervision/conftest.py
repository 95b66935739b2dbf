"""随手拍 tests: one world per test module, built once (per test worker) and restored before each test with the
permission matrix's snapshot (tests/permissions/world.py): a call, a project in execution and a closed one, each with a
member of its organization, two officers and an auditor, two citizens. Helpers sign people in and file reports."""
import io
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from grantportal.core.db import db
from grantportal.funding.models import ContractStatus
from grantportal.supervision.models import SupervisionReport
from tests import factories as f
from tests.core.test_photos import phone_jpeg
from tests.funding.conftest import active_contract
from tests.permissions.test_matrix import sign_in
from tests.permissions.world import built_once, restore_world

REPORT_TEXT = "社区长者饭堂今天中午没有开门，门口贴的通知说暂停服务，但项目公示的服务时间是每天中午。"


def build_world():
    w = SimpleNamespace()
    call, awards = f.final_awards()
    w.call, w.officer = call, call.created_by
    w.officer2 = f.UserFactory(officer=True, name="李科长")
    w.auditor = f.UserFactory(auditor=True)
    w.contract = active_contract(awards[0], w.officer)
    w.closed = active_contract(awards[1], w.officer, status=ContractStatus.CLOSED)
    w.member = f.member_of(awards[0].application.org)
    w.other_member = f.member_of(awards[1].application.org)
    citizen, other = f.CitizenFactory(), f.CitizenFactory()
    w.citizen, w.citizen_phone, w.other_citizen = citizen.user, citizen.phone, other.user
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
    """``client`` signed in as ``user`` (a server-side session, as the site starts one)."""
    client.delete_cookie("gp_session")
    sign_in(client, user)
    return client


def photo(data=None, name="现场.jpg"):
    return (io.BytesIO(data if data is not None else phone_jpeg()), name)


def file_report(client, contract, text=REPORT_TEXT, place="幸福社区长者饭堂", photos=(), **more):
    """POST the 随手拍 form; returns the response."""
    data = {"text": text, "place": place, **more}
    if photos:
        data["photos"] = list(photos)
    return client.post(f"/projects/{contract.id}/supervision/new", data=data, content_type="multipart/form-data")


def reports():
    return db.session.scalars(sa.select(SupervisionReport).order_by(SupervisionReport.id)).all()


def field_error(html, name):
    """The error messages shown next to the field ``name`` (its .field block)."""
    block = re.search(rf'<div class="field [^"]*has-error">\s*<label for="{name}".*?</div>', html, re.S)
    return " ".join(re.findall(r'<p class="error" role="alert">([^<]*)</p>', block.group(0))) if block else ""
