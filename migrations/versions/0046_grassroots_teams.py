"""grassroots teams: 草根志愿团队 / 备案社区社会组织 applying through a supporting organization (issue 14)

``team`` is a team with its 备案编号 (unique), 镇街, leader (name and phone: personal data, masked in the audit
log and never on public pages; the leader's account, one team per account) and its supporting organization
with the organization's decision (待确认 / 已确认挂靠 / 已拒绝). ``application.team_id`` names the team as
项目执行团队 of an application whose applicant of record (``org_id``) is the supporting organization;
``application.support_return_reason`` why the supporting organization sent it back. ``call.teams_allowed``
(false for existing calls) and ``call.team_cap`` (元, NULL: no cap) are the call's settings. The new application
status 待支持机构确认 (``support_pending``) is a string code in the existing VARCHAR column: nothing to change.

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-07 06:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db

# revision identifiers, used by Alembic.
revision = '0046'
down_revision = '0045'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'team',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('filing_number', sa.String(length=40), nullable=False),
        sa.Column('district', sa.String(length=40), nullable=False),
        sa.Column('leader_name', sa.String(length=40), nullable=False),
        sa.Column('leader_phone', sa.String(length=20), nullable=False),
        sa.Column('leader_user_id', sa.Integer(), nullable=False),
        sa.Column('supporting_org_id', sa.Integer(), nullable=False),
        sa.Column('support_status', sa.Enum('pending', 'confirmed', 'declined', name='supportstatus',
                                            native_enum=False, length=32), nullable=False),
        sa.Column('support_decided_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('support_decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decline_reason', sa.Text(), nullable=True),
        sa.Column('created_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['leader_user_id'], ['user.id'], name=op.f('fk_team_leader_user_id_user')),
        sa.ForeignKeyConstraint(['supporting_org_id'], ['organization.id'],
                                name=op.f('fk_team_supporting_org_id_organization')),
        sa.ForeignKeyConstraint(['support_decided_by_id'], ['user.id'],
                                name=op.f('fk_team_support_decided_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_team')),
        sa.UniqueConstraint('filing_number', name=op.f('uq_team_filing_number')),
        sa.UniqueConstraint('leader_user_id', name=op.f('uq_team_leader_user_id')),
    )
    op.create_index(op.f('ix_team_supporting_org_id'), 'team', ['supporting_org_id'], unique=False)
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('support_return_reason', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_application_team_id'), ['team_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_application_team_id_team'), 'team', ['team_id'], ['id'])
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('teams_allowed', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('team_cap', sa.Numeric(precision=14, scale=2), nullable=True))


def downgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_column('team_cap')
        batch_op.drop_column('teams_allowed')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_application_team_id_team'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_application_team_id'))
        batch_op.drop_column('support_return_reason')
        batch_op.drop_column('team_id')
    op.drop_index(op.f('ix_team_supporting_org_id'), table_name='team')
    op.drop_table('team')
