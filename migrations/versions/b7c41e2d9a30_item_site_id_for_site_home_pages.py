"""item.site_id (the column's site) and ix_item_site_list for a site's newest items

Revision ID: b7c41e2d9a30
Revises: 973aed08e11a
Create Date: 2026-11-28 03:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c41e2d9a30'
down_revision = '973aed08e11a'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its reference in place; a batch copy of the
        # table would have to drop `item`, which other tables reference.
        op.execute("ALTER TABLE item ADD COLUMN site_id INTEGER CONSTRAINT fk_item_site_id_site REFERENCES site (id)")
    else:
        op.add_column('item', sa.Column('site_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_item_site_id_site', 'item', 'site', ['site_id'], ['id'])
    op.execute("UPDATE item SET site_id = (SELECT site_column.site_id FROM site_column"
               " WHERE site_column.id = item.column_id)")
    op.create_index('ix_item_site_list', 'item', ['site_id', 'status', 'first_published_at', 'id', 'expires_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_item_site_list', table_name='item')
    if op.get_bind().dialect.name == "sqlite":  # (SQLite refuses while foreign keys are enforced)
        op.execute("ALTER TABLE item DROP COLUMN site_id")
    else:
        op.drop_constraint('fk_item_site_id_site', 'item', type_='foreignkey')
        op.drop_column('item', 'site_id')
