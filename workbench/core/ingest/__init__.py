"""Ingest: vendor profiles, detection, mapping, strict per-column parsing, loading.

Public API (see docs/ARCHITECTURE.md, "Ingest"):
    detect_file(path) -> Detection
    read_file(path, profile=None, job=None, business_tz=None) -> ParsedFile
    import_files(workbook, paths, profiles=None, job=None, business_tz=None, keep_records=False) -> ImportSummary
        # .files .touched_record_ids .flagged_case_ids .batch_ids; keep_records=True: .records =
        # the rows written (rid = source_records.id + the columns reconcile.read_records gives)
    all_profiles(), get_profile(name|path), make_profile(...), save_profile(profile), ROLES
"""

from workbench.core.ingest.detect import MIN_CONFIDENCE, Detection, guess_mapping
from workbench.core.ingest.load import FileImport, ImportSummary, import_files
from workbench.core.ingest.profile import ROLES, Profile, RowFilter
from workbench.core.ingest.read import ParsedFile, detect_file, read_file
from workbench.core.ingest.user_profiles import (
    ProfileError,
    all_profiles,
    get_profile,
    make_profile,
    save_profile,
    saved_profiles,
    to_toml,
)

__all__ = [
    "Detection", "FileImport", "ImportSummary", "MIN_CONFIDENCE", "ParsedFile", "Profile",
    "ProfileError", "ROLES", "RowFilter", "all_profiles", "detect_file", "get_profile",
    "guess_mapping", "import_files", "make_profile", "read_file", "save_profile",
    "saved_profiles", "to_toml",
]
