"""detect_file / read_file: one file -> detection, or a parsed canonical frame with its report."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from workbench.core.errors import ImportFailure, UnrecognisedFile
from workbench.core.ingest import reader, xlsx
from workbench.core.ingest.detect import MIN_CONFIDENCE, Detection, _header_scorer, candidate_tables, detect_tables, score
from workbench.core.ingest.normalise import apply_profile
from workbench.core.ingest.profile import Profile
from workbench.core.ingest.user_profiles import all_profiles, get_profile
from workbench.core.jobs import Job, ensure_job
from workbench.core.settings import BusinessSettings

DEFAULT_BUSINESS_TZ = BusinessSettings().timezone   # when the caller passes no business zone


@dataclass
class ParsedFile:
    path: Path
    sha256: str
    size: int
    profile: str
    system: str
    confidence: float
    records: pd.DataFrame            # canonical frame (core/canonical.py) + 'row_hash'
    rows_total: int
    rows_skipped: int
    skipped_by_kind: dict[str, int] = field(default_factory=dict)
    report: dict = field(default_factory=dict)
    raw_columns: list[str] = field(default_factory=list)   # headers, sorted: the order of each raw array


def file_sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def detect_file(path: str | Path, profiles: list[Profile] | None = None) -> Detection:
    """Score every profile (built-in and saved) on the file's header and first rows."""
    path = Path(path)
    profiles = profiles or all_profiles()
    return detect_tables(path, candidate_tables(path, profiles), profiles)


def unrecognised(det: Detection) -> UnrecognisedFile:
    guess = " ".join(f"--map {r}={c!r}" if " " in c else f"--map {r}={c}" for r, c in det.mapping.items())
    best = f"; closest profile {det.alternatives[0][0]} ({det.alternatives[0][1]:.2f})" if det.alternatives else ""
    return UnrecognisedFile(
        det.path.name,
        f"no import profile recognises this layout{best}. Map it once with: workbench profiles save NAME "
        f"--from {det.path.name} --system {det.system or 'SYSTEM'} {guess} (then import with --profile NAME), "
        f"or name a built-in profile with --profile")


def _choose_table(path: Path, profile: Profile) -> reader.RawTable:
    """The sheet/header row where this profile fits best (previews only)."""
    tables = candidate_tables(path, [profile])
    best = max(tables, key=lambda t: score(profile, t.headers, t.frame.head(reader.PREVIEW_ROWS))[0])
    return best


def read_file(path: str | Path, profile: Profile | str | None = None, job: Job | None = None,
              business_tz: str | None = None, digest: tuple[str, int] | None = None) -> ParsedFile:
    """Parse one file to canonical records. Raises ImportFailure (never writes anything).

    Without a profile the file is detected; a weak match raises UnrecognisedFile with the
    generic guess written as a ready `workbench profiles save` command. `digest`: the file's
    (sha256, size) when the caller has hashed it already.
    """
    path = Path(path)
    job = ensure_job(job)
    tz = business_tz or DEFAULT_BUSINESS_TZ
    if not path.exists():
        raise ImportFailure(path.name, "file not found", expected="an existing export file")
    job.step(0.0, f"reading {path.name}")
    if profile is None:
        det = detect_file(path)
        if det.profile is None or det.confidence < MIN_CONFIDENCE:
            raise unrecognised(det)
        prof, confidence = det.profile, det.confidence
        preview = reader.RawTable(path=path, headers=det.headers, frame=det.preview, rows=None,
                                  header_row=det.header_row, sheet=det.sheet)
    else:
        prof = get_profile(profile)
        preview = _choose_table(path, prof)
        confidence = score(prof, preview.headers, preview.frame.head(reader.PREVIEW_ROWS))[0]
    job.check()
    sha, size = digest or file_sha256(path)
    if xlsx.is_spreadsheet(path):
        table = xlsx.read_xlsx_table(path, preview.sheet, preview.header_row - 1)
    else:
        scorer = _header_scorer([prof])
        table = reader.read_csv_table(path, preview=False, scorer=scorer)
    job.check()
    job.step(0.5, f"parsing {path.name}")
    records, report = apply_profile(prof, table, business_tz=tz, consume=True)
    sheet, header_row = table.sheet, table.header_row
    del table           # the file's cell text: only the canonical frame and raw rows stay
    columns = report.pop("raw_columns")
    pa.default_memory_pool().release_unused()    # hand the parse's scratch memory back to the system
    skipped = report["skipped_by_kind"]
    report.update({"file": path.name, "sha256": sha, "size": size, "confidence": confidence,
                   "sheet": sheet, "header_row": header_row, "business_tz": tz})
    job.step(1.0, f"parsed {path.name}")
    return ParsedFile(path=path, sha256=sha, size=size, profile=prof.name, system=prof.system,
                      confidence=confidence, records=records, rows_total=report["rows_total"],
                      rows_skipped=sum(skipped.values()), skipped_by_kind=dict(skipped), report=report,
                      raw_columns=columns)
