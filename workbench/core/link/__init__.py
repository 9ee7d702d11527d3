"""Linking: reference normalisation, convention learning, records -> cases (issue 4)."""

from workbench.core.link.linker import LinkResult, link_records, prepare
from workbench.core.link.refs import describe_drift, learn_convention, order_key, refund_key, split_ref

__all__ = ["LinkResult", "link_records", "prepare", "split_ref", "order_key", "refund_key",
           "learn_convention", "describe_drift"]
