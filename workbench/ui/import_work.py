"""The import dialog's work, without Qt: the default core calls (lazy imports: ingest is a
heavy import), detection of a batch of files, import + re-diagnosis, and ImportFailure text.
These run on the background worker; only plain results go back to the dialog."""

from __future__ import annotations

from pathlib import Path

from workbench.core.errors import ImportFailure, WorkbenchError


# --- default core calls (lazy imports: ingest is a heavy import) ------------------------------

def default_detect(path: Path):
    from workbench.core.ingest import detect_file

    return detect_file(path)


def default_import(workbook, paths, profiles=None, job=None):
    from workbench.core.ingest import import_files

    # keep_records: the written rows go to the re-diagnosis instead of being read back
    return import_files(workbook, paths, profiles=profiles, job=job, keep_records=True)


def default_reconcile(workbook, job=None, imported=None):
    """After an import: only the cases its records touch when the workbook held cases."""
    from workbench.core.incremental import reconcile_after_import
    from workbench.core.reconcile import reconcile

    if imported is None:
        return reconcile(workbook, job=job)
    return reconcile_after_import(workbook, imported, job=job)


def default_save_profile(profile) -> str:
    """Save as a TOML user profile; returns its path (what import_files accepts)."""
    from workbench.core.ingest import save_profile

    return str(save_profile(profile))


def import_and_reconcile(workbook, paths, profiles, *, import_fn, reconcile_fn, job=None):
    """The background work: import every file (all or nothing), then re-diagnose."""
    from workbench.core.jobs import ensure_job

    job = ensure_job(job)
    summary = import_fn(workbook, paths, profiles=profiles or None, job=job.sub(0.0, 0.6))
    job.check()
    result = reconcile_fn(workbook, job=job.sub(0.6, 1.0), imported=summary)   # takes over summary.records
    return summary, result


def failure_detail(exc: BaseException) -> dict:
    """The ImportFailure fields as a dict (empty for other errors)."""
    if not isinstance(exc, ImportFailure):
        return {}
    return {k: getattr(exc, k) for k in ("file", "row", "column", "value", "expected", "reason")}


def failure_text(exc: BaseException) -> str:
    d = failure_detail(exc)
    if not d:
        return str(exc)
    parts = [f"File: {d['file']}"]
    if d.get("row") is not None:
        parts.append(f"Row: {d['row']}")
    if d.get("column"):
        parts.append(f"Column: {d['column']}")
    if d.get("value") is not None:
        parts.append(f"Value: {d['value']!r}")
    if d.get("expected"):
        parts.append(f"Expected: {d['expected']}")
    return "\n".join([f"Import failed, nothing was written: {d['reason']}"] + parts)


def detect_all(paths, *, detect_fn, job=None):
    """[(path, Detection or None, error or None)] - the background part of adding files."""
    out = []
    for i, path in enumerate(paths):
        if job is not None:
            job.check()
            job.step(i / max(1, len(paths)), f"detecting {path.name}")
        try:
            out.append((path, detect_fn(path), None))
        except WorkbenchError as exc:
            out.append((path, None, exc))
    return out


def profile_choices() -> list[tuple[str, str]]:
    """(name, label) of every built-in and saved profile, for the 'read as' choice."""
    from workbench.core.ingest import all_profiles

    return [(p.name, f"{p.name} ({p.system})") for p in all_profiles()]


def profile_and_columns(name: str, headers: list[str]):
    """The named profile and its role -> header mapping on these headers."""
    from workbench.core.ingest import get_profile
    from workbench.core.ingest.profile import resolve_columns

    profile = get_profile(name)
    return profile, resolve_columns(profile, headers)
