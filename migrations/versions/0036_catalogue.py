"""catalogue: the year's 政府购买服务目录 and 职能转移目录 (issue 14), and the calls' links to their items

``catalogue`` is one catalogue of a year and kind (unique per year and kind), draft or published;
``catalogue_category`` its categories (name unique within the catalogue); ``catalogue_item`` its items with the
purchasing department, the undertaking organization's minimum grade, years registered and service field, and an
indicative budget NUMERIC(14,2) (name unique within the catalogue; index by category and position for the page).
``call_catalogue_item`` links a call to the items it buys under (primary key call, item; index item, call for
the public page's "what was bought under each item"). New, empty tables: nothing to backfill.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 03:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db

# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None

KIND = sa.Enum('purchase', 'transfer', name='cataloguekind', native_enum=False, length=32)
STATUS = sa.Enum('draft', 'published', name='cataloguestatus', native_enum=False, length=32)
GRADE = sa.Enum('5A', '4A', '3A', '2A', '1A', name='grade', native_enum=False, length=32)


def upgrade():
    op.create_table(
        'catalogue',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('kind', KIND, nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('status', STATUS, nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.Column('published_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_catalogue_created_by_id_user')),
        sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_catalogue_published_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue')),
        sa.UniqueConstraint('year', 'kind', name='uq_catalogue_year_kind'),
    )
    op.create_table(
        'catalogue_category',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('catalogue_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(['catalogue_id'], ['catalogue.id'],
                                name=op.f('fk_catalogue_category_catalogue_id_catalogue')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_category')),
        sa.UniqueConstraint('catalogue_id', 'name', name='uq_catalogue_category_name'),
    )
    op.create_table(
        'catalogue_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('catalogue_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('department', sa.String(length=80), nullable=False),
        sa.Column('service_field', sa.String(length=40), nullable=False),
        sa.Column('min_grade', GRADE, nullable=True),
        sa.Column('min_years_registered', sa.Integer(), nullable=False),
        sa.Column('budget', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.ForeignKeyConstraint(['catalogue_id'], ['catalogue.id'],
                                name=op.f('fk_catalogue_item_catalogue_id_catalogue')),
        sa.ForeignKeyConstraint(['category_id'], ['catalogue_category.id'],
                                name=op.f('fk_catalogue_item_category_id_catalogue_category')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_item')),
        sa.UniqueConstraint('catalogue_id', 'name', name='uq_catalogue_item_name'),
    )
    op.create_index('ix_catalogue_item_category', 'catalogue_item', ['category_id', 'position'], unique=False)
    op.create_table(
        'call_catalogue_item',
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_call_catalogue_item_call_id_call')),
        sa.ForeignKeyConstraint(['item_id'], ['catalogue_item.id'],
                                name=op.f('fk_call_catalogue_item_item_id_catalogue_item')),
        sa.PrimaryKeyConstraint('call_id', 'item_id', name=op.f('pk_call_catalogue_item')),
    )
    op.create_index('ix_call_catalogue_item_item', 'call_catalogue_item', ['item_id', 'call_id'], unique=False)


def downgrade():
    op.drop_index('ix_call_catalogue_item_item', table_name='call_catalogue_item')
    op.drop_table('call_catalogue_item')
    op.drop_index('ix_catalogue_item_category', table_name='catalogue_item')
    op.drop_table('catalogue_item')
    op.drop_table('catalogue_category')
    op.drop_table('catalogue')
