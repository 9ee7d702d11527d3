"""drop two indexes another index already covers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:05:00

`ix_case_links_record_id` duplicated the unique index on case_links.record_id, and
`ix_findings_symptom` is the leading column of `ix_findings_symptom_case`. Every lookup they
served is served by the other index; each cost a rebuild after a bulk save (3.2M links at
a million returns).
"""
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_case_links_record_id', table_name='case_links')
    op.drop_index('ix_findings_symptom', table_name='findings')


def downgrade() -> None:
    op.create_index('ix_findings_symptom', 'findings', ['symptom'], unique=False)
    op.create_index('ix_case_links_record_id', 'case_links', ['record_id'], unique=False)
