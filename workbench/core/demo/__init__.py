"""Demo data: a fictional retailer's returns across Loop, Stripe, NetSuite and Zendesk, written in
the vendors' export layouts with planted failures and the ground truth beside them.

    generate_demo(out_dir, returns=500, seed=1, months=1, start="2026-10", csv_only=None,
                  business_tz="America/New_York") -> DemoResult(files, truth, patterns, as_of, ...)
"""

from workbench.core.demo.generate import CSV_ONLY_ABOVE, DemoResult, generate_demo
from workbench.core.demo.layouts import HEADERS, file_name
from workbench.core.demo.truth import SYMPTOMS, TRUTH_HEADER

__all__ = ["CSV_ONLY_ABOVE", "DemoResult", "HEADERS", "SYMPTOMS", "TRUTH_HEADER", "file_name",
           "generate_demo"]
