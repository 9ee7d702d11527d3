"""Hashing a log: per-row hashes, per-table SHA-256, the manifest.

row_hash  = sha256(JSON [table, [canonical text of every column but row_hash, in order]])
            (row_no, the row's original 1-based position, is one of the hashed columns)
table sha = sha256 of the row hashes joined by newlines, in row order
manifest  = format, program version, exported_at/by, the audit chain head (seq, hash),
            the settings, and per table: columns, row count, sha256; plus `manifest_sha256`
            over all of that, so an edited manifest is caught too.

The scheme is keyless: it makes every casual or accidental edit visible and names the row.
Someone who recomputes every hash can forge a log; the defence is `verify --db WORKBOOK`,
which checks the manifest's chain head against the workbook's own audit chain.
"""

from __future__ import annotations

import hashlib
import json

from workbench import __version__
from workbench.core.export.cells import canonical
from workbench.core.export.tables import ROW_HASH, kind_of

FORMAT = "returns-workbench resolution log"
FORMAT_VERSION = 1


def row_hash(table: str, columns, values: dict) -> str:
    texts = [canonical(values.get(col), kind_of(col)) for col in columns if col != ROW_HASH]
    data = json.dumps([table, texts], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def table_hash(hashes) -> str:
    return hashlib.sha256("\n".join(hashes).encode("ascii", "replace")).hexdigest()


def _self_hash(manifest: dict) -> str:
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def build(*, fmt: str, exported_at: str, exported_by: str, workbook: str, chain_head: tuple[int, str],
          chain_ok: bool, settings: dict, mask_emails: bool, tables: dict,
          summary_sha256: str | None = None) -> dict:
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "file_type": fmt,
        "program": f"returns-workbench {__version__}", "exported_at": exported_at,
        "exported_by": exported_by, "workbook": workbook,
        "chain_head": {"seq": chain_head[0], "hash": chain_head[1]}, "chain_ok": chain_ok,
        "mask_emails": mask_emails, "settings": settings, "tables": tables,
    }
    if summary_sha256:
        manifest["summary_sha256"] = summary_sha256
    manifest["manifest_sha256"] = _self_hash(manifest)
    return manifest


def manifest_intact(manifest: dict) -> bool:
    return manifest.get("manifest_sha256") == _self_hash(manifest)


def dumps(manifest: dict) -> str:
    return json.dumps(manifest, sort_keys=True, separators=(",", ":"))
