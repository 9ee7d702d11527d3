"""Linking: strongest evidence first, drift repaired and recorded, ambiguity surfaced."""

import pandas as pd

from workbench.core.link import link_records
from workbench.core.link.frame import records_frame
from workbench.core.settings import BusinessSettings


def portal(rid, rec, order, amount, at="2026-10-03T14:00:00Z", customer="a@x.com", stage="refunded"):
    return dict(rid=rid, system="portal", profile="loop", record_id=rec, order_ref=order, amount_minor=amount,
                customer=customer, stage=stage, occurred_at=at, approved_at=at, currency="USD")


def proc(rid, rec, ret, amount, at="2026-10-03T15:00:00Z", order=None, customer=None):
    return dict(rid=rid, system="processor", profile="stripe", record_id=rec, return_ref=ret, order_ref=order,
                amount_minor=amount, occurred_at=at, stage="refunded", customer=customer, currency="USD")


def erp(rid, rec, ref, amount, at="2026-10-04T15:00:00Z", memo=None, customer=None):
    return dict(rid=rid, system="erp", profile="netsuite", record_id=rec, return_ref=ref, refund_ref=memo,
                amount_minor=amount, occurred_at=at, stage="credited", customer=customer, currency="USD")


def by_rid(result):
    return result.links.set_index("rid")


def test_exact_and_drifted_return_refs_link_with_repair_text():
    rows = [portal(1, "84213", "#1001", 9999), portal(2, "84214", "#1002", 5000),
            portal(3, "84215", "#1003", 5000), portal(4, "84216", "#1004", 5000),
            proc(10, "re_A", "84213", 9999),
            erp(20, "CM1", "LOOP-84213", 9999), erp(21, "CM2", "84214", 5000),
            erp(22, "CM3", "LOOP-0084215", 5000), erp(23, "CM4", "loop-84216", 5000),
            erp(24, "CM5", "LOOP-84999", 100)]
    res = link_records(records_frame(rows))
    links = by_rid(res)
    assert links.loc[10, "anchor"] == 1 and links.loc[10, "rule"] == "return_ref"
    assert links.loc[20, "anchor"] == 1 and pd.isna(links.loc[20, "repaired"])
    assert links.loc[21, "anchor"] == 2 and links.loc[21, "repaired"] == "prefix LOOP- missing"
    assert links.loc[22, "anchor"] == 3 and links.loc[22, "repaired"] == "zero-padded"
    assert links.loc[23, "anchor"] == 4 and links.loc[23, "repaired"] == "lower case"
    assert links.loc[21, "confidence"] < links.loc[20, "confidence"]
    # refers to nothing that exists: a case of its own
    assert links.loc[24, "anchor"] == 24 and links.loc[24, "rule"] == "anchor"
    assert res.keys.loc[22, "key_return"] == "84215"


def test_convention_is_learned_from_the_data_not_assumed():
    # this ERP writes bare numbers; the one LOOP- reference is the drift
    rows = [portal(i, str(84200 + i), f"#{1000 + i}", 1000) for i in range(1, 6)]
    rows += [erp(100 + i, f"CM{i}", str(84200 + i), 1000) for i in range(1, 5)]
    rows += [erp(105, "CM5", "LOOP-84205", 1000)]
    links = by_rid(link_records(records_frame(rows)))
    assert links.loc[101:104, "repaired"].isna().all()
    assert links.loc[105, "repaired"] == "unexpected prefix LOOP-"


def test_refund_id_in_memo_links_erp_through_the_processor():
    rows = [portal(1, "84213", "#1001", 9999), proc(10, "re_3NxA", "84213", 9999),
            erp(20, "CM1", None, 9999, memo="Refund re_3NxA via connector")]
    res = link_records(records_frame(rows))
    links = by_rid(res)
    assert links.loc[20, "anchor"] == 1 and links.loc[20, "rule"] == "refund_ref"
    assert pd.isna(links.loc[20, "repaired"])
    assert res.keys.loc[20, "key_refund"] == "re_3NxA"


def test_order_number_instead_of_return_id():
    rows = [portal(1, "84213", "#1001", 9999), portal(2, "84214", "#1002", 5000),
            erp(20, "CM1", "LOOP-84214", 5000), erp(21, "CM2", "#1001", 9999)]
    links = by_rid(link_records(records_frame(rows)))
    assert links.loc[21, "anchor"] == 1 and links.loc[21, "rule"] == "order_ref"
    assert links.loc[21, "repaired"] == "order number #1001 instead of return id"


def test_several_returns_on_one_order_are_told_apart_by_amount_then_time():
    rows = [portal(1, "84213", "#1001", 9999, at="2026-10-03T10:00:00Z"),
            portal(2, "84214", "#1001", 2500, at="2026-10-05T10:00:00Z"),
            proc(10, "re_A", None, 2500, at="2026-10-05T11:00:00Z", order="#1001"),
            proc(11, "re_B", None, 9999, at="2026-10-03T11:00:00Z", order="1001")]
    res = link_records(records_frame(rows))
    links = by_rid(res)
    assert links.loc[10, "anchor"] == 2 and links.loc[11, "anchor"] == 1
    assert (links.loc[[10, 11], "rule"] == "order_ref").all()
    assert res.candidates.empty


def test_indistinguishable_returns_on_one_order_surface_candidates():
    rows = [portal(1, "84213", "#1001", 5000, at="2026-10-03T10:00:00Z"),
            portal(2, "84214", "#1001", 5000, at="2026-10-03T12:00:00Z"),
            proc(10, "re_A", None, 5000, at="2026-10-03T11:30:00Z", order="#1001")]
    res = link_records(records_frame(rows))
    links = by_rid(res)
    assert links.loc[10, "anchor"] == 2          # nearer in time
    assert links.loc[10, "confidence"] < 0.8     # but not sure
    cands = res.candidates
    assert list(cands["rid"]) == [10] and list(cands["anchor"]) == [1]


def test_fallback_on_customer_amount_and_time():
    rows = [portal(1, "84213", "#1001", 4200, customer="Ann@X.com"),
            portal(2, "84214", "#1002", 4200, customer="bob@x.com"),
            proc(10, "re_A", None, 4200, customer="ann@x.com ", at="2026-10-04T10:00:00Z"),
            proc(11, "re_B", None, 4200, customer="ann@x.com", at="2026-12-30T10:00:00Z")]
    links = by_rid(link_records(records_frame(rows)))
    assert links.loc[10, "anchor"] == 1 and links.loc[10, "rule"] == "fallback"
    assert links.loc[10, "repaired"] == "reference blank; linked by customer, amount and time"
    assert links.loc[11, "anchor"] == 11     # three months later: not the same return


def test_duplicate_versus_two_genuine_refunds():
    rows = [portal(1, "84213", "#1001", 9999), portal(2, "84214", "#1002", 9999),
            proc(10, "re_A", "84213", 9999, at="2026-10-03T15:00:00Z"),
            proc(11, "re_B", "84213", 9999, at="2026-10-03T15:00:30Z"),   # retried webhook
            proc(12, "re_C", "84214", 9999, at="2026-10-03T15:00:00Z"),
            proc(13, "re_D", "84214", 4000, at="2026-10-03T16:00:00Z"),   # different amount
            erp(20, "CM1", "LOOP-84214", 9999, at="2026-10-04T15:00:00Z"),
            erp(21, "CM2", "LOOP-84214", 9999, at="2026-10-20T15:00:00Z")]  # far apart
    res = link_records(records_frame(rows))
    links = by_rid(res)
    assert links.loc[11, "anchor"] == 1 and links.loc[11, "is_duplicate"]
    assert not links.loc[10, "is_duplicate"]
    assert links.loc[13, "anchor"] == 13 and not links.loc[13, "is_duplicate"]
    assert links.loc[21, "anchor"] == 21
    assert set(zip(res.candidates["rid"], res.candidates["anchor"])) == {(13, 2), (21, 2)}
    # one live record per system per case
    live = res.links[~res.links["is_duplicate"]]
    assert not live.duplicated(["anchor", "system"]).any()


def test_every_record_is_in_exactly_one_case_and_orphans_chain_together():
    rows = [proc(10, "re_Z", "90001", 1000), erp(20, "CM9", "LOOP-90001", 1000),
            dict(rid=30, system="support", record_id="555", return_ref="90001", occurred_at="2026-10-03T00:00:00Z"),
            dict(rid=31, system="support", record_id="556", order_ref="#7", occurred_at="2026-10-03T00:00:00Z")]
    res = link_records(records_frame(rows))
    links = by_rid(res)
    assert len(res.links) == 4 and res.links["rid"].is_unique
    assert links.loc[20, "anchor"] == 10 and links.loc[30, "anchor"] == 10
    assert links.loc[31, "anchor"] == 31


def test_blank_reference_duplicate_joins_its_twin_as_a_duplicate():
    rows = [portal(1, "84213", "#1001", 2999, customer="g@x.com"),
            proc(10, "re_A", "84213", 2999),
            erp(20, "CM1", None, 2999, at="2026-10-04T16:31:00Z", customer="g@x.com"),
            erp(21, "CM2", None, 2999, at="2026-10-04T18:37:00Z", customer="g@x.com")]
    links = by_rid(link_records(records_frame(rows)))
    assert links.loc[20, "anchor"] == 1 and not links.loc[20, "is_duplicate"]
    assert links.loc[21, "anchor"] == 1 and links.loc[21, "is_duplicate"]
    assert links.loc[21, "rule"] == "fallback"
