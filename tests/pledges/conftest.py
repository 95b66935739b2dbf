"""Public pledge tests: 随手拍's world (tests/supervision/conftest.py), built once per test module (per test worker) and
restored before each test. Helpers pledge and confirm receipt."""
import io
import re

import pytest
import sqlalchemy as sa

from grantportal.core.db import db
from grantportal.core.notices import Notice
from grantportal.core.timeutil import local_today
from grantportal.pledges.models import Pledge
from tests.permissions.world import TINY_PDF, built_once, restore_world
from tests.supervision.conftest import as_user, build_world, field_error  # noqa: F401  (shared helpers and world)

COMPANY_USCC = "91442000MA4UHTUG52"  # an enterprise (工商, 企业) in 广东 that passes every check of GB 32100


@pytest.fixture(scope="module")
def world_snapshot(database, tmp_path_factory):
    return built_once(database, tmp_path_factory, build_world)


@pytest.fixture
def world(app, world_snapshot):
    """A fresh copy of the module's world in this test's database."""
    return restore_world(world_snapshot)


def pledge(client, contract, amount="2000", **more):
    """POST the pledge form (an individual, named 陈先生 by default); returns the response."""
    data = {"amount": amount, "donor_kind": "individual", "display": "named", "public_name": "陈先生", **more}
    return client.post(f"/projects/{contract.id}/pledges/new", data=data)


def evidence(data=TINY_PDF, name="银行回单.pdf"):
    return (io.BytesIO(data), name)


def confirm(client, item, amount="2000", received_on=None, file=None, **more):
    """POST the organization's confirmation of receipt; returns the response."""
    data = {"received_on": (received_on or local_today()).isoformat() if not isinstance(received_on, str)
            else received_on, "amount": amount, **more}
    if file is not False:
        data["evidence"] = file or evidence()
    return client.post(f"/my/pledges/{item.id}", data=data, content_type="multipart/form-data")


def pledges():
    return db.session.scalars(sa.select(Pledge).order_by(Pledge.id)).all()


def notices_of(user):
    return db.session.scalars(sa.select(Notice).where(Notice.user_id == user.id).order_by(Notice.id)).all()


def section(html, ident):
    """The part of a page from the element with ``id=ident`` to the end of its section."""
    start = html.index(f'id="{ident}"')
    return html[start:html.index("</section>", start)]


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
