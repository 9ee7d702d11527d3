"""raw rows as JSON arrays; headers once per import batch

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:55:00

A source row used to be stored as a JSON object {header: cell text}: at a million returns
the headers repeated in every row were most of the workbook's size and write time. Now
`import_batches.raw_columns` holds the file's headers once (sorted), `source_records.raw`
the row's cell texts as a JSON array in that order, and `row_hash` = sha256 of that array
text (still independent of the file's column order). This revision converts the rows of
existing workbooks (and their hashes, so a later overlapping export is matched correctly).
"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_CHUNK = 5_000


def _array_text(values: list) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def upgrade() -> None:
    op.add_column('import_batches', sa.Column('raw_columns', sa.Text(), nullable=True))
    conn = op.get_bind()
    batches = [b for (b,) in conn.execute(sa.text("SELECT id FROM import_batches ORDER BY id"))]
    for batch_id in batches:
        rows = conn.execute(sa.text("SELECT id, raw FROM source_records WHERE batch_id = :b ORDER BY id"),
                            {"b": batch_id}).all()
        parsed = []
        headers: set[str] = set()
        for rid, raw in rows:
            try:
                value = json.loads(raw)
            except ValueError:
                value = None
            if isinstance(value, dict):
                headers.update(value)
            parsed.append((rid, value))
        columns = sorted(headers)
        conn.execute(sa.text("UPDATE import_batches SET raw_columns = :c WHERE id = :b"),
                     {"c": _array_text(columns), "b": batch_id})
        updates = []
        for rid, value in parsed:
            if not isinstance(value, dict):
                continue
            text = _array_text([str(value.get(c, "")) for c in columns])
            updates.append({"raw": text, "h": hashlib.sha256(text.encode("utf-8")).hexdigest(), "id": rid})
        for i in range(0, len(updates), _CHUNK):
            conn.execute(sa.text("UPDATE source_records SET raw = :raw, row_hash = :h WHERE id = :id"),
                         updates[i:i + _CHUNK])


def downgrade() -> None:
    conn = op.get_bind()
    batches = conn.execute(sa.text("SELECT id, raw_columns FROM import_batches")).all()
    for batch_id, cols in batches:
        columns = json.loads(cols) if cols else None
        if not columns:
            continue
        rows = conn.execute(sa.text("SELECT id, raw FROM source_records WHERE batch_id = :b"), {"b": batch_id}).all()
        updates = []
        for rid, raw in rows:
            values = json.loads(raw)
            if not isinstance(values, list):
                continue
            text = json.dumps(dict(zip(columns, values)), ensure_ascii=False, separators=(",", ":"),
                              sort_keys=True)
            updates.append({"raw": json.dumps(dict(zip(columns, values)), ensure_ascii=False,
                                              separators=(",", ":")),
                            "h": hashlib.sha256(text.encode("utf-8")).hexdigest(), "id": rid})
        for i in range(0, len(updates), _CHUNK):
            conn.execute(sa.text("UPDATE source_records SET raw = :raw, row_hash = :h WHERE id = :id"),
                         updates[i:i + _CHUNK])
    with op.batch_alter_table('import_batches') as batch:
        batch.drop_column('raw_columns')
