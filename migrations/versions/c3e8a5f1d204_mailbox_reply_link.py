"""mailbox_reply_link: signed single-use e-mail decision links for reply review steps

Revision ID: c3e8a5f1d204
Revises: b7c41e2d9a30
Create Date: 2026-11-28 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e8a5f1d204'
down_revision = 'b7c41e2d9a30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mailbox_reply_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['step_id'], ['mailbox_reply_step.id'],
                            name=op.f('fk_mailbox_reply_link_step_id_mailbox_reply_step')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_mailbox_reply_link_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailbox_reply_link')),
    sa.UniqueConstraint('nonce', name=op.f('uq_mailbox_reply_link_nonce'))
    )
    with op.batch_alter_table('mailbox_reply_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailbox_reply_link_step_id'), ['step_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mailbox_reply_link_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mailbox_reply_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailbox_reply_link_user_id'))
        batch_op.drop_index(batch_op.f('ix_mailbox_reply_link_step_id'))
    op.drop_table('mailbox_reply_link')
