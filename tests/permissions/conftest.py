"""The permission matrix's world, built once per test worker and restored before every row (world.py)."""
import pytest

from grantportal import create_app
from grantportal.core.db import db
from tests.conftest import _base_config, _empty_postgresql
from tests.permissions.world import build_world, restore_world, take_snapshot


@pytest.fixture(scope="session")
def world_snapshot(database, tmp_path_factory):
    where = tmp_path_factory.mktemp("world")
    if database["kind"] == "sqlite":
        url = f"sqlite:///{where / 'building.db'}"
        (where / "building.db").write_bytes(database["template"].read_bytes())
    else:
        url = database["url"]
    app = create_app(_base_config(where / "app", url))
    with app.app_context():
        snapshot = take_snapshot(build_world(), where)
    if database["kind"] == "postgresql":
        _empty_postgresql(app)  # the worker's database is every test's: leave it empty
    with app.app_context():
        db.engine.dispose()
    return snapshot


@pytest.fixture
def world(app, world_snapshot):
    """A fresh copy of build_world()'s world in this test's database."""
    return restore_world(world_snapshot)
