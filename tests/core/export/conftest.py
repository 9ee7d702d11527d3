import importlib.util
import pathlib

import pytest

from workbench.core import casework

_spec = importlib.util.spec_from_file_location(
    "casework_seed_for_export", pathlib.Path(__file__).parents[1] / "casework" / "seed.py")
seed = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seed)


@pytest.fixture
def worked(workbook):
    """Four cases with tags, an adjustment (-15.00), a note and a status change."""
    ids = seed.seed_cases(workbook, n=4)
    casework.add_tag(workbook, ids[:2], "restocking_fee", reason_code=True)
    casework.add_adjustment(workbook, ids[0], system="erp", field="amount", amount_from="99.99",
                            amount_to="84.99", reason_code="restocking_fee", journal_ref="JE-1",
                            comment="=cmd|' /C calc'!A0")
    casework.add_note(workbook, ids[1], "asked jane.doe@example.com for the receipt")
    casework.set_status(workbook, ids[2], "investigating")
    return ids
