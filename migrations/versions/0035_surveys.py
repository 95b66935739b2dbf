"""surveys: satisfaction surveys (满意度调查) of the people a funded project serves (issue 13)

``survey`` is a questionnaire on a project (contract) with its window (UTC) and its questions as JSON, and an
officer's early close with its reason; ``survey_answer`` is one citizen's answer (ratings and free text as JSON),
unique per (citizen, survey): one answer per verified phone. Indexes: a project's surveys by end of window (its
public page); a survey's answers (the results). New, empty tables: nothing to backfill.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 02:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db

# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'survey',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('questions', sa.JSON(), nullable=False),
        sa.Column('opens_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.Column('closes_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.Column('closed_early_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('close_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_survey_contract_id_contract')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_survey_created_by_id_user')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_survey_closed_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey')),
    )
    op.create_index('ix_survey_contract_closes', 'survey', ['contract_id', 'closes_at'], unique=False)
    op.create_table(
        'survey_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('citizen_id', sa.Integer(), nullable=False),
        sa.Column('answered_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.Column('ratings', sa.JSON(), nullable=False),
        sa.Column('comments', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_answer_survey_id_survey')),
        sa.ForeignKeyConstraint(['citizen_id'], ['user.id'], name=op.f('fk_survey_answer_citizen_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answer')),
        sa.UniqueConstraint('citizen_id', 'survey_id', name='uq_survey_answer_citizen_survey'),
    )
    op.create_index('ix_survey_answer_survey', 'survey_answer', ['survey_id'], unique=False)


def downgrade():
    op.drop_index('ix_survey_answer_survey', table_name='survey_answer')
    op.drop_table('survey_answer')
    op.drop_index('ix_survey_contract_closes', table_name='survey')
    op.drop_table('survey')
