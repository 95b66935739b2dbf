"""draw public order: the order of a draw's public labels (专家A, 专家B, …), so that the public record replays it

A draw shuffles its candidates starting from a fixed order. Until now that order was the experts' account
ids, which the public record cannot print (they tell who is who across draws). From now on each draw
stores ``public_order``: every expert it considered, candidates and excluded, in a random order chosen at
draw time; the labels follow that order and the shuffle starts from it (review/panels/draw.py).

Draws made before this revision started from the id order, so their ``public_order`` is filled with the
ids sorted: every stored draw replays exactly as before. (Their labels therefore follow the id order
within each draw; no name, account or id is printed.)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 15:00:00.000000

"""
import json

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def _ids(value):
    if isinstance(value, str):  # JSON read back as text on some drivers
        value = json.loads(value)
    return [int(entry[0]) for entry in value or []]


def upgrade():
    with op.batch_alter_table('draw', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_order', sa.JSON(), nullable=True))
    draw = sa.table('draw', sa.column('id', sa.Integer), sa.column('candidates', sa.JSON),
                    sa.column('excluded', sa.JSON), sa.column('public_order', sa.JSON))
    conn = op.get_bind()
    rows = conn.execute(sa.select(draw.c.id, draw.c.candidates, draw.c.excluded)).all()
    for draw_id, candidates, excluded in rows:
        order = sorted(set(_ids(candidates)) | set(_ids(excluded)))
        conn.execute(draw.update().where(draw.c.id == draw_id).values(public_order=order))
    with op.batch_alter_table('draw', schema=None) as batch_op:
        batch_op.alter_column('public_order', existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table('draw', schema=None) as batch_op:
        batch_op.drop_column('public_order')
