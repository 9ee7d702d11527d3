"""drop the index on source_records.batch_id

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 02:00:00

No query looks records up by batch (reconcile reads the records of other batches with
NOT IN, a scan either way; superseded rows are found through (is_current, system); batches
are never deleted), while the index was rebuilt by a full scan of source_records after
every bulk import - the widest table, 1.7 GB at a million returns.
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_source_records_batch_id', table_name='source_records')


def downgrade() -> None:
    op.create_index('ix_source_records_batch_id', 'source_records', ['batch_id'], unique=False)
