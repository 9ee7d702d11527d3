"""The plan as the four vendors' rows (string columns), one table per system.

Each builder returns (columns, times): `columns` maps every header of the layout to a string
column; `times` (UTC seconds) decides which month's file a row goes to.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.core.demo.layouts import LOOP_HEADER, NETSUITE_HEADER, STRIPE_HEADER, ZENDESK_HEADER
from workbench.core.demo.people import AGENTS, INTEGRATION_USER, customers
from workbench.core.demo.model import CONN_MANUAL, CONNECTORS, NONE, REF_BLANK, STATES, TK_NAMES, Plan
from workbench.core.demo.text import blank_where, choose, join, money, pick, random_ids, s
from workbench.core.demo.timeline import DAY, HOUR, local_naive, utc_naive

PRODUCTS = ["Apparel", "Footwear", "Accessories", "Home", "Outerwear"]


def return_customers(plan: Plan) -> tuple[pa.Array, pa.Array]:
    """(name, e-mail) of every return's customer, built once per plan."""
    if "customer" not in plan.ids:
        plan.ids["customer"] = customers(plan.cust)
    return plan.ids["customer"]


# --- time formats ----------------------------------------------------------------------------
def _dt_text(values: np.ndarray, unit: str) -> pa.Array:
    return pc.replace_substring(s(np.datetime_as_string(values, unit=unit)), "T", " ")


def iso_utc(t: np.ndarray) -> pa.Array:
    """2026-10-03T14:05:11Z"""
    return blank_where(join(s(np.datetime_as_string(utc_naive(np.maximum(t, 0)), unit="s")), "Z"),
                       t == NONE)


def stripe_time(t: np.ndarray) -> pa.Array:
    """2026-10-03 14:05 (UTC, no seconds)"""
    return blank_where(_dt_text(utc_naive(np.maximum(t, 0)), "m"), t == NONE)


def zendesk_time(t: np.ndarray, tz: str) -> pa.Array:
    """2026-10-03 10:05:11 in the account (business) zone"""
    return blank_where(_dt_text(local_naive(np.maximum(t, 0), tz), "s"), t == NONE)


def netsuite_date_and_created(t: np.ndarray, tz: str) -> tuple[pa.Array, pa.Array]:
    """'10/3/2026' and '10/3/2026 2:05 pm' in the business zone."""
    local = local_naive(t, tz)
    day = local.astype("datetime64[D]")
    month_start = local.astype("datetime64[M]")
    year = month_start.astype("datetime64[Y]").astype(np.int64) + 1970
    month = (month_start - month_start.astype("datetime64[Y]")).astype(np.int64) + 1
    dom = (day - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    secs = (local - day.astype("datetime64[s]")).astype(np.int64)
    hour, minute = secs // 3600, (secs % 3600) // 60
    h12 = np.where(hour % 12 == 0, 12, hour % 12)
    date = join(s(month), "/", s(dom), "/", s(year))
    created = join(date, " ", s(h12), ":", pc.utf8_lpad(s(minute), 2, "0"), " ",
                   pick(["am", "pm"], (hour >= 12).astype(np.int8)))
    return date, created


# --- Loop Returns ------------------------------------------------------------------------------
def loop_table(plan: Plan, rng) -> tuple[dict, np.ndarray]:
    _, email = return_customers(plan)
    n = plan.n
    cols = {
        "id": s(plan.rid),
        "state": pick(list(STATES), plan.state),
        "return_type": pick(["standard", "gift"], (rng.random(n) < 0.06).astype(np.int8)),
        "created_at": iso_utc(plan.approved),
        "updated_at": iso_utc(plan.updated),
        "order_id": s(plan.order_id),
        "order_name": join("#", s(plan.order_num)),
        "customer": email,
        "currency": pa.array(np.full(n, "USD")),
        "total": money(plan.value),
        "handling_fee": money(np.zeros(n, np.int64)),
        "refund": money(plan.amount),
        "outcome": pick(["refund", "exchange"], plan.exchange.astype(np.int8)),
        "channel": pick(["online", "pos"], plan.channel),
        "product_type": pick(PRODUCTS, plan.product),
    }
    assert list(cols) == LOOP_HEADER
    return cols, plan.approved


# --- Stripe balance transactions -------------------------------------------------------------
def stripe_table(plan: Plan, rng) -> tuple[dict, np.ndarray]:
    ids = plan.ids
    has, dup = plan.proc_t != NONE, plan.proc_dup_t != NONE
    name, _ = return_customers(plan)
    order_txt = join("(Order #", s(plan.order_num), ", ", name, ")")
    # refunds: live, duplicates (retried webhook), then refunds made at the terminal
    t = np.concatenate([plan.proc_t[has], plan.proc_dup_t[dup], plan.mp_t])
    amount = np.concatenate([plan.amount[has], plan.amount[dup], plan.mp_amount])
    source = pa.concat_arrays([ids["re"].filter(pa.array(has)), ids["re_dup"].filter(pa.array(dup)),
                               ids["re_manual"]])
    k = len(plan.mp_t)
    desc = pa.concat_arrays([join("REFUND FOR CHARGE ", order_txt.filter(pa.array(has))),
                             join("REFUND FOR CHARGE ", order_txt.filter(pa.array(dup))),
                             pa.array(np.full(k, "Refund at POS terminal"))])
    meta_rid = pa.concat_arrays([s(plan.rid[has]), s(plan.rid[dup]), pa.array(np.full(k, ""))])
    meta_oid = pa.concat_arrays([s(plan.order_id[has]), s(plan.order_id[dup]), pa.array(np.full(k, ""))])
    nref = len(t)
    # non-refund rows: charges on new orders, one payout a day, a monthly Radar fee
    first, last = int(plan.bounds[0]), plan.as_of - HOUR
    kc = max(5, plan.n // 10)
    ct = np.sort(first + (rng.random(kc) * (last - first)).astype(np.int64))
    ct -= ct % 60
    camount = (np.clip(np.exp(rng.normal(np.log(80.0), 0.7, kc)), 5, 2000) * 100).astype(np.int64)
    cfee = (camount * 29 + 500) // 1000 + 30
    days = np.arange(first + 6 * HOUR, last, DAY, dtype=np.int64)
    pamount = rng.integers(100_000, 5_000_000, len(days))
    fees_t = plan.bounds[1:] - 3 * HOUR
    fees_t = fees_t[fees_t <= last]
    famount = rng.integers(500, 9000, len(fees_t))
    kp, kf = len(days), len(fees_t)
    all_t = np.concatenate([t, ct, days, fees_t])
    gross = np.concatenate([-amount, camount, -pamount, -famount])
    fee = np.concatenate([np.zeros(nref, np.int64), cfee, np.zeros(kp + kf, np.int64)])
    n = len(all_t)
    kind = np.concatenate([np.zeros(nref, np.int8), np.ones(kc, np.int8), np.full(kp, 2, np.int8),
                           np.full(kf, 3, np.int8)])
    type_col = pick(["refund", "charge", "payout", "stripe_fee"], kind)
    empty = lambda m: pa.array(np.full(m, ""))  # noqa: E731
    src = pa.concat_arrays([source, random_ids(rng, kc, "ch_"), random_ids(rng, kp, "po_"), empty(kf)])
    new_orders = 5_800_000_000_000 + (plan.order_num.max() + 1 + 2 * rng.integers(1, 40_000, kc)) * 1000
    # refunds and charges are paid out two days later, if that payout has happened
    payout_day = (all_t - first - 6 * HOUR) // DAY + 3
    paid = (kind <= 1) & (payout_day < kp)
    transfer = pc.if_else(pa.array(paid), src.slice(nref + kc, kp).take(pa.array(np.clip(payout_day, 0, kp - 1))),
                          pa.scalar("", pa.string()))
    transfer_t = np.where(paid, days[np.clip(payout_day, 0, kp - 1)], NONE)
    facing = kind <= 1
    cols = {
        "id": random_ids(rng, n, "txn_"),
        "Type": type_col,
        "Source": src,
        "Amount": money(gross),
        "Fee": money(fee),
        "Net": money(gross - fee),
        "Currency": pa.array(np.full(n, "usd")),
        "Created (UTC)": stripe_time(all_t),
        "Available On (UTC)": stripe_time(all_t + 2 * DAY),
        "Description": pa.concat_arrays([desc, join("Charge for order #", s(new_orders // 1000 - 5_800_000_000)),
                                         pa.array(np.full(kp, "STRIPE PAYOUT")),
                                         pa.array(np.full(kf, "Billing - Radar, fraud screening"))]),
        "Customer Facing Amount": blank_where(money(gross), ~facing),
        "Customer Facing Currency": blank_where(pa.array(np.full(n, "usd")), ~facing),
        "Transfer": transfer,
        "Transfer Date (UTC)": stripe_time(transfer_t),
        "Transfer Group": empty(n),
        "return_id (metadata)": pa.concat_arrays([meta_rid, empty(kc + kp + kf)]),
        "order_id (metadata)": pa.concat_arrays([meta_oid, s(new_orders), empty(kp + kf)]),
    }
    assert list(cols) == STRIPE_HEADER
    order = np.argsort(-all_t, kind="stable")          # Stripe lists the newest first
    take = pa.array(order)
    return {k: v.take(take) for k, v in cols.items()}, all_t[order]


# --- NetSuite credit memos -------------------------------------------------------------------
def reference_numbers(plan: Plan) -> pa.Array:
    """Reference No. per return: LOOP-<id> by convention, or the planted drift (plan.REF_*)."""
    rid = s(plan.rid)
    variants = [
        join("LOOP-", rid),
        rid,
        join("LOOP-", pc.utf8_lpad(rid, 10, "0")),       # always at least two zeros
        join("loop-", rid),
        pc.if_else(pa.array(plan.order_num % 4 == 1), join("#", s(plan.order_num)), s(plan.order_num)),
        pa.array(np.full(plan.n, "")),
    ]
    return choose(plan.ref_kind, variants)


def netsuite_table(plan: Plan, rng) -> tuple[dict, np.ndarray]:
    ids = plan.ids
    has, dup = plan.erp_t != NONE, plan.erp_dup_t != NONE
    hm, dm = pa.array(has), pa.array(dup)
    name, email = return_customers(plan)
    ref = reference_numbers(plan)
    memo = pc.if_else(pa.array(plan.memo_re), join("Refund ", plan.ids["re"], ", via Loop"),
                      pa.array(np.where(plan.ref_kind == REF_BLANK, "", "Return credit")))
    conn = pick(list(CONNECTORS), plan.conn)
    channel = pick(["Online", "Store"], plan.channel)
    km, ko = len(plan.me_t), len(plan.or_t)
    mname, memail = customers(plan.me_cust)
    oname, oemail = customers(plan.or_cust)

    def both(col):
        return [col.filter(hm), col.filter(dm)]

    t = np.concatenate([plan.erp_t[has], plan.erp_dup_t[dup], plan.me_t, plan.or_t])
    amount = np.concatenate([plan.erp_amount[has], plan.erp_amount[dup], plan.me_amount, plan.or_amount])
    n = len(t)
    date, created = netsuite_date_and_created(t, plan.tz)
    manual_memo = pick(["Store credit - customer goodwill", "Goodwill credit, approved by phone",
                        "Price adjustment"], rng.integers(0, 3, km))
    agent_names = pick(AGENTS, plan.me_agent)
    cols = {
        "Internal ID": s(np.concatenate([ids["cm_internal"][has], ids["cm_dup_internal"][dup],
                                         ids["cm_manual_internal"], ids["cm_orphan_internal"]])),
        "Document Number": pa.concat_arrays([ids["cm"].filter(hm), ids["cm_dup"].filter(dm),
                                             ids["cm_manual"], ids["cm_orphan"]]),
        "Date": date,
        "Date Created": created,
        "Reference No.": pa.concat_arrays([*both(ref), pa.array(np.full(km, "")),
                                           join("LOOP-", s(plan.or_rid))]),
        "Memo": pa.concat_arrays([*both(memo), manual_memo, pa.array(np.full(ko, "Refund via Loop"))]),
        "Customer": pa.concat_arrays([*both(name), mname, oname]),
        "Email": pa.concat_arrays([*both(email), memail, oemail]),
        "Amount": money(amount),
        "Currency": pa.array(np.full(n, "USD")),
        "Status": pick(["Credit Memo:Fully Applied", "Credit Memo:Open"], (rng.random(n) < 0.15).astype(np.int8)),
        "Created By": pa.concat_arrays([pa.array(np.full(int(has.sum() + dup.sum()), INTEGRATION_USER)),
                                        agent_names, pa.array(np.full(ko, INTEGRATION_USER))]),
        "Class": pa.concat_arrays([*both(channel), pick(["Online", "Store"], plan.me_channel),
                                   pa.array(np.full(ko, "Online"))]),
        "Integration": pa.concat_arrays([*both(conn), pa.array(np.full(km, CONNECTORS[CONN_MANUAL])),
                                         pa.array(np.full(ko, CONNECTORS[0]))]),
    }
    assert list(cols) == NETSUITE_HEADER
    order = np.argsort(t, kind="stable")
    take = pa.array(order)
    return {k: v.take(take) for k, v in cols.items()}, t[order]


# --- Zendesk tickets -------------------------------------------------------------------------
def zendesk_table(plan: Plan, rng) -> tuple[dict, np.ndarray]:
    has = plan.tk_created != NONE
    idx = np.flatnonzero(has)
    idx = idx[np.argsort(plan.tk_created[idx], kind="stable")]
    take = pa.array(idx)
    k = len(idx)
    name, email = (col.take(take) for col in return_customers(plan))
    rid = s(plan.rid[idx])
    order_no = s(plan.order_num[idx])
    order_txt = pc.if_else(pa.array(rng.random(k) < 0.5), join("#", order_no), order_no)
    subject = choose(rng.integers(0, 4, k), [
        join("Return ", rid, ", refund status"),
        join("Where is my refund for order #", order_no, "?"),
        join("Refund not received, order #", order_no),
        join("Question about return ", rid),
    ])
    cols = {
        "Summation column": pa.array(np.full(k, "")),
        "Id": plan.ids["ticket"].take(take),
        "Requester": name,
        "Requester email": email,
        "Subject": subject,
        "Tags": pick(["returns refund", "refund where_is_my_refund", "returns"], rng.integers(0, 3, k)),
        "Status": pick(list(TK_NAMES), plan.tk_status[idx]),
        "Priority": pick(["normal", "low", "high", "urgent"], rng.choice(4, k, p=[0.6, 0.15, 0.2, 0.05])),
        "Via": pick(["Email", "Web form", "Chat"], rng.integers(0, 3, k)),
        "Ticket type": pick(["question", "incident", "problem"], rng.choice(3, k, p=[0.6, 0.3, 0.1])),
        "Created at": zendesk_time(plan.tk_created[idx], plan.tz),
        "Updated at": zendesk_time(plan.tk_updated[idx], plan.tz),
        "Solved at": zendesk_time(plan.tk_solved[idx], plan.tz),
        "Order Number [txt]": order_txt,
        "Return ID [txt]": blank_where(rid, ~plan.tk_has_rid[idx]),
    }
    assert list(cols) == ZENDESK_HEADER
    return cols, plan.tk_created[idx]
