import importlib.util
import pathlib

import pytest

_spec = importlib.util.spec_from_file_location("casework_seed", pathlib.Path(__file__).with_name("seed.py"))
seed = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seed)


@pytest.fixture
def cases(workbook):
    return seed.seed_cases(workbook)
