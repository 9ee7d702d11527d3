"""Diagnosis: symptom rules over linked cases, evidence, boundaries (issue 4)."""

from workbench.core.diagnose.catalog import BOUNDARIES, CATALOG, PRIORITY, SymptomInfo
from workbench.core.diagnose.run import Diagnosis, default_as_of, diagnose_cases

__all__ = ["BOUNDARIES", "CATALOG", "PRIORITY", "SymptomInfo", "Diagnosis", "diagnose_cases",
           "default_as_of"]
