from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from grantportal.core.db import db
from grantportal.core.search import in_models


def test_models_and_migrations_agree():
    """The schema built by the migrations is exactly what the models describe."""
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": in_models})
        diff = compare_metadata(ctx, db.metadata)
    assert diff == [], f"run `flask db migrate`: the migrations miss {diff}"
