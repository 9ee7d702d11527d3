"""The array machinery under the linker: id -> position lookups, key codes, record order."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from workbench.core.diagnose import diagnose_cases
from workbench.core.link import link_records
from workbench.core.link.frame import records_frame
from workbench.core.link.positions import Positions, take
from workbench.core.link.prepare import _factorize_keys


@pytest.mark.parametrize("ids", [np.arange(5, 15), np.array([3, 7, 9, 20]), np.array([9, 3, 20, 7]),
                                 np.array([], dtype=np.int64), np.array([4])])
def test_positions_of_ids_contiguous_sorted_or_not(ids):
    wanted = np.array([3, 9, 20, 5, 14, 100, -1, 4])
    expected = [list(ids).index(x) if x in list(ids) else -1 for x in wanted]
    assert Positions(ids).of(wanted).tolist() == expected


def test_take_keeps_dtype_and_fills_missing():
    s = pd.Series(pd.array(["a", None, "c"], dtype="string"))
    got = take(s, np.array([2, -1, 0, 1]))
    assert got.dtype == s.dtype
    assert got.tolist()[0] == "c" and got.tolist()[2] == "a"
    assert pd.isna(got[1]) and pd.isna(got[3])
    amounts = pd.Series(pd.array([5, None], dtype="Int64"))
    assert take(amounts, np.array([0, -1])).tolist() == [5, pd.NA]


def test_key_codes_numbers_and_text_never_collide():
    keys = pa.array(["84213", "84213", "084213", "1001", "EUGCX4FL", None, "1001", "0", "eugcx4fl"])
    codes, values = _factorize_keys(keys)
    assert codes[0] == codes[1] and codes[3] == codes[6]
    assert codes[2] != codes[0]          # a leading zero is different text: not the same key
    assert codes[5] == -1
    assert len(set(codes[[0, 2, 3, 4, 7, 8]])) == 6
    # the codes name the values they came from
    decoded = [values[c].as_py() if c >= 0 else None for c in codes]
    assert decoded == keys.to_pylist()


def _month():
    at = "2026-10-03T14:00:00Z"
    rows = [dict(rid=1, system="portal", profile="loop", record_id="84213", order_ref="#1001", amount_minor=9999,
                 customer="a@x.com", stage="refunded", occurred_at=at, approved_at=at, currency="USD"),
            dict(rid=2, system="portal", profile="loop", record_id="84214", order_ref="#1002", amount_minor=5000,
                 customer="b@x.com", stage="refunded", occurred_at=at, approved_at=at, currency="USD"),
            dict(rid=10, system="processor", profile="stripe", record_id="re_A", return_ref="84213",
                 amount_minor=9999, occurred_at="2026-10-03T15:00:00Z", stage="refunded", currency="usd"),
            dict(rid=11, system="processor", profile="stripe", record_id="re_B", return_ref="84213",
                 amount_minor=9999, occurred_at="2026-10-03T15:00:30Z", stage="refunded", currency="usd"),
            dict(rid=20, system="erp", profile="netsuite", record_id="CM1", return_ref="84214", amount_minor=4000,
                 occurred_at="2026-10-04T15:00:00Z", stage="credited", currency="USD"),
            dict(rid=30, system="support", profile="zendesk", record_id="555", return_ref="84214",
                 occurred_at="2026-10-03T00:00:00Z", stage="open", status_raw="open")]
    return records_frame(rows)


def test_records_in_any_row_order_link_and_diagnose_the_same():
    records = _month()
    shuffled = records.iloc[[4, 1, 5, 0, 3, 2]].reset_index(drop=True)
    a, b = link_records(records), link_records(shuffled)
    key = ["rid", "anchor", "system", "rule", "is_duplicate"]
    assert (a.links[key].sort_values("rid").astype(str).values.tolist()
            == b.links[key].sort_values("rid").astype(str).values.tolist())
    assert a.keys.loc[20, "key_return"] == b.keys.loc[20, "key_return"] == "84214"
    da, db = diagnose_cases(records, a), diagnose_cases(shuffled, b)
    assert sorted(zip(da.findings["anchor"], da.findings["symptom"])) == \
        sorted(zip(db.findings["anchor"], db.findings["symptom"]))
    # the retried processor refund is a duplicate; the ERP credit is the portal amount less a
    # scheduled fee; everything is younger than the latency window (as-of = the latest event)
    assert sorted(zip(da.findings["anchor"], da.findings["symptom"])) == [
        (1, "duplicate_event"), (1, "timing_latency"), (2, "partial_receipt"), (2, "timing_latency")]
    assert da.cases.loc[1, "case_key"] == "portal:84213"
    assert da.cases.loc[2, "systems_present"] == "portal;erp;support"


def test_a_frame_put_together_from_parts_gives_the_same_result():
    records = _month()
    parts = pd.concat([records.iloc[:3], records.iloc[3:]], ignore_index=True)   # text in several chunks
    assert pa.array(parts["record_id"].array).num_chunks >= 1
    a, b = link_records(records), link_records(parts)
    assert a.links["anchor"].tolist() == b.links["anchor"].tolist()
    da, db = diagnose_cases(records, a), diagnose_cases(parts, b)
    pd.testing.assert_frame_equal(da.cases, db.cases)
    pd.testing.assert_frame_equal(da.findings, db.findings)
    chunked = pd.Series(pd.array(pa.chunked_array([pa.array(["a", "b"]), pa.array(["c"])]), dtype="string"),
                        name="x")
    combined: dict = {}
    assert take(chunked, np.array([2, 0]), combined).tolist() == ["c", "a"]
    assert "x" in combined and take(chunked, np.array([1]), combined).tolist() == ["b"]
