"""The permission matrix's world, built once per test worker and restored before every row (world.py)."""
import pytest

from tests.permissions.world import build_world, built_once, restore_world


@pytest.fixture(scope="session")
def world_snapshot(database, tmp_path_factory):
    return built_once(database, tmp_path_factory, build_world)


@pytest.fixture
def world(app, world_snapshot):
    """A fresh copy of build_world()'s world in this test's database."""
    return restore_world(world_snapshot)
