"""The linker's view of the records: integer key codes, amounts, epoch seconds, drift.

Return references (and refund ids) are dictionary-encoded in Arrow first and split/normalised
once per *distinct* value: a month repeats them several times (the portal id in the processor,
ERP and helpdesk rows). Order references are nearly all distinct, so they are keyed row by row.
Key codes come from int64 where a key is a plain number (most return ids and order numbers),
which hashes far faster than text. Customer keys are made only for the few rows a fallback or
a blank-reference duplicate compares. Order and refund keys are worked out on a second thread
while the return references are (Arrow kernels release the GIL). Nothing here copies the
records frame.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.core.link.refs import _SAMPLE, describe_drift, learn_convention, order_key, refund_key, split_ref

SYSTEM_NAMES = ("portal", "processor", "erp", "support")
SYS_CODE = {name: i for i, name in enumerate(SYSTEM_NAMES)}
_STRING = pd.StringDtype()


@dataclass
class Prepared:
    """Per record (by row position 0..n-1, in rid order): codes are -1 where missing."""
    n: int
    sys: np.ndarray          # int8: index into SYSTEM_NAMES, -1 = another system
    kr: np.ndarray           # return key code (shares its code space with ko)
    ko: np.ndarray           # order key code
    kf: np.ndarray           # refund key code
    customer: pa.Array       # the customer as written (keys made on demand: customer_keys)
    amount: np.ndarray       # int64 minor units (0 where missing)
    has_amount: np.ndarray   # bool
    ts: np.ndarray           # int64 epoch seconds of the matching time (0 where missing)
    has_ts: np.ndarray       # bool
    has_ref: np.ndarray      # the reference yields a return key
    drifted: np.ndarray      # the reference deviates from its source's convention
    drift: pd.Series         # drift text, indexed by position (drifted rows only)
    ref_codes: np.ndarray    # code of each row's raw reference in ref_values (-1 = blank)
    ref_values: pa.Array     # distinct raw references
    keys: pd.DataFrame       # key_return, key_order, key_refund (dictionary-encoded), index = position

    def customer_keys(self, *positions: np.ndarray) -> list[np.ndarray]:
        """Customer key codes (trimmed, lower case; -1 = blank) of rows `positions`, in one code
        space. Only the fallback and blank-reference duplicates compare customers, and only for
        a few rows, so keys are made for those rows only."""
        sizes = [len(p) for p in positions]
        pos = np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64)
        values = _series(self.customer.take(pa.array(pos, type=pa.int64())))
        codes, _ = pd.factorize(values.str.strip().str.lower())
        codes = np.asarray(codes, dtype=np.int64)
        return list(np.split(codes, np.cumsum(sizes)[:-1])) if positions else []

    def raw_ref(self, pos: np.ndarray) -> np.ndarray:
        """The raw references of rows `pos` as Python strings (None when blank)."""
        codes = self.ref_codes[pos]
        taken = self.ref_values.take(pa.array(np.where(codes >= 0, codes, 0).astype(np.int64)))
        return np.where(codes >= 0, np.asarray(taken.to_pylist(), dtype=object), None)


def _arrow(series: pd.Series, order: np.ndarray | None) -> pa.Array:
    """A text column as one Arrow string array (in rid order), without a Python object per value."""
    values = series.array
    if isinstance(values, (pd.arrays.ArrowStringArray, pd.arrays.ArrowExtensionArray)):
        arr = pa.array(values)          # the column's own Arrow data (__arrow_array__), no copy
    else:
        arr = pa.array(series.astype(_STRING).array)
    if isinstance(arr, pa.ChunkedArray):   # one chunk (the usual case) is used as it is: no copy
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.string())
    if order is not None:
        arr = arr.take(pa.array(order))
    return arr


def _encode(arr: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """(codes int64, -1 for null; the distinct values) of a string array."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    enc = pc.dictionary_encode(arr)
    codes = pc.fill_null(enc.indices.cast(pa.int64()), -1).to_numpy(zero_copy_only=False)
    return np.asarray(codes, dtype=np.int64), enc.dictionary


def _per_row(codes: np.ndarray, values: np.ndarray, fill) -> np.ndarray:
    """values[codes] with `fill` where the code is -1."""
    if len(values) == 0:
        return np.full(len(codes), fill, dtype=values.dtype)
    out = values[np.where(codes >= 0, codes, 0)]
    out[codes < 0] = fill
    return out


def _series(arr: pa.Array) -> pd.Series:
    return pd.Series(pd.array(arr, dtype=_STRING))


def _recode(codes: np.ndarray, keys_of_values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Rows' value codes -> codes of the values' keys (several values may share one key).
    Returns (row key codes, the distinct keys)."""
    value_key, keys = pd.factorize(keys_of_values)
    return _per_row(codes, np.asarray(value_key, dtype=np.int64), -1), keys


def _plain(series: pd.Series) -> pa.Array:
    """A text Series as one Arrow string array."""
    arr = pa.array(series.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    return arr.cast(pa.string()) if arr.type != pa.string() else arr


_DIGITS = r"^[1-9][0-9]{0,17}$"


def _factorize_keys(keys: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Codes (-1 = null) and the distinct values of normalised keys. Most keys are plain
    numbers (return ids, order numbers): those are compared as int64, which hashes far faster
    than text; a number without leading zeros names exactly one text, so codes are the same
    as a factorize of the text would give (up to numbering)."""
    numeric = pc.fill_null(pc.match_substring_regex(keys, _DIGITS), False)
    num = numeric.to_numpy(zero_copy_only=False)
    codes = np.full(len(keys), -1, dtype=np.int64)
    ints = pc.cast(pc.filter(keys, numeric), pa.int64()).to_numpy()
    int_codes, int_uniques = pd.factorize(ints)
    codes[num] = int_codes
    rest = pc.filter(keys, pc.invert(numeric))
    rest_codes, rest_uniques = _encode(rest)
    codes[~num] = np.where(rest_codes >= 0, rest_codes + len(int_uniques), -1)
    values = pa.concat_arrays([pc.cast(pa.array(int_uniques, type=pa.int64()), pa.string()),
                               rest_uniques.cast(pa.string())])
    return codes, values


def _strings(codes: np.ndarray, values) -> pd.arrays.ArrowExtensionArray:
    """values[codes] as a dictionary-encoded Arrow text column (null where the code is -1):
    4 bytes a row plus the distinct keys once, instead of every row's text."""
    values = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string(), from_pandas=True)
    codes = np.asarray(codes, dtype=np.int32)
    return pd.arrays.ArrowExtensionArray(pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), values))


def prepare(records: pd.DataFrame, order: np.ndarray | None = None) -> Prepared:
    """The linker's arrays for `records` (taken in `order` when given, else as they are)."""
    n = len(records)

    def text(name: str) -> pa.Array:
        return _arrow(records[name], order)

    system = text("system")
    sys = np.full(n, -1, dtype=np.int8)
    for name, code in SYS_CODE.items():
        sys[np.asarray(pc.fill_null(pc.equal(system, name), False).to_numpy(zero_copy_only=False), dtype=bool)] = code
    del system
    is_portal = sys == SYS_CODE["portal"]
    is_proc = sys == SYS_CODE["processor"]

    # order and refund keys do not depend on the return references: a second thread works on
    # them meanwhile (Arrow's kernels run without the GIL), so linking uses both cores
    def order_keys():
        # (order references are nearly all distinct: keyed row by row, no dictionary first)
        return order_key(_series(text("order_ref")))

    def refund_keys():
        # the processor's own id, the refund id others mention
        f_codes, f_values = _encode(pc.if_else(pa.array(is_proc), text("record_id"), text("refund_ref")))
        kf, fkey_values = _recode(f_codes, refund_key(_series(f_values)))
        return kf.astype(np.int32), fkey_values

    with ThreadPoolExecutor(max_workers=1) as worker:
        later_order = worker.submit(order_keys)
        later_refund = worker.submit(refund_keys)
        (ref_codes, ref_values, has_ref, drifted, drift, kr, ko, joint_values) = _return_keys(
            records, text, sys, is_portal, later_order)
        kf, fkey_values = later_refund.result()

    amount_col = records["amount_minor"].astype("Int64")
    amount = amount_col.to_numpy(dtype="int64", na_value=0)
    has_amount = amount_col.notna().to_numpy(dtype=bool)
    del amount_col
    if order is not None:
        amount, has_amount = amount[order], has_amount[order]
    ts, has_ts = _match_seconds(records, order, is_portal)

    keys = pd.DataFrame({
        "key_return": _strings(kr, joint_values), "key_order": _strings(ko, joint_values),
        "key_refund": _strings(kf, fkey_values)})
    return Prepared(n=n, sys=sys, kr=kr, ko=ko, kf=kf, customer=text("customer"), amount=amount, has_amount=has_amount, ts=ts,
                    has_ts=has_ts, has_ref=has_ref, drifted=drifted, drift=drift, ref_codes=ref_codes,
                    ref_values=ref_values, keys=keys)


def _return_keys(records, text, sys, is_portal, later_order):
    """Return references -> keys, drift; then the joint return/order key codes (the order keys
    come from `later_order`, worked out on the other thread)."""
    # return references: the portal's own id, everyone else's return_ref
    raw = pc.if_else(pa.array(is_portal), text("record_id"), text("return_ref"))
    ref_codes, ref_values = _encode(raw)
    ref_codes = ref_codes.astype(np.int32)
    del raw
    parts = split_ref(_series(ref_values))          # once per distinct reference
    key_u = parts["key"]
    has_key_u = key_u.notna().to_numpy()
    has_ref = _per_row(ref_codes, has_key_u, False)

    # the source (system + profile) of each row: conventions are learned per source
    profile_codes, profiles = _encode(text("profile"))
    source = np.where(sys >= 0, sys, 9).astype(np.int64) * (len(profiles) + 2) + profile_codes + 1
    drifted, drift = _drift(parts, ref_codes, source, has_ref & ~is_portal, ~is_portal)
    del parts, source, profile_codes

    # return and order keys share one code space (a return reference may be an order number)
    okey = later_order.result()
    joint, joint_values = _factorize_keys(pa.concat_arrays([_plain(key_u), _plain(okey)]))
    kr = _per_row(ref_codes, joint[:len(key_u)], -1).astype(np.int32)
    ko = joint[len(key_u):].astype(np.int32)
    return ref_codes, ref_values, has_ref, drifted, drift, kr, ko, joint_values


def _seconds(series: pd.Series, order: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    values = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    if order is not None:
        values = values[order]
    missing = np.isnat(values)
    return values.astype("datetime64[s]").view("int64"), ~missing


def _match_seconds(records: pd.DataFrame, order, is_portal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The time a record is matched on: the portal's approval (else creation), else the event."""
    ts, has = _seconds(records["occurred_at"], order)
    if "approved_at" in records and is_portal.any():
        a_ts, a_has = _seconds(records["approved_at"], order)
        use = is_portal & a_has
        ts = np.where(use, a_ts, ts)
        has = has | use
    return np.where(has, ts, 0), has


def _drift(parts: pd.DataFrame, ref_codes: np.ndarray, source: np.ndarray, candidates: np.ndarray,
           learn_from: np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """Rows whose reference deviates from its source's convention, and the text for them.

    `parts` is split_ref per distinct reference; `candidates` the rows that may drift (keyed,
    not the portal's own ids); `learn_from` the rows the convention is learned from (non-portal)."""
    has_key_u = parts["key"].notna().to_numpy()
    keyed = np.flatnonzero(learn_from & _per_row(ref_codes, has_key_u, False))
    if len(keyed) > _SAMPLE:   # the same fixed sample learn_convention would draw from these rows
        keyed = keyed[pd.RangeIndex(len(keyed)).to_series().sample(n=_SAMPLE, random_state=0).to_numpy()]
    sample = parts.iloc[ref_codes[keyed]].reset_index(drop=True)
    conv = learn_convention(sample, pd.Series(source[keyed]))
    n = len(ref_codes)
    deviates = np.zeros(n, dtype=bool)
    prefix_u = parts["prefix"].fillna("")
    suffix_u = parts["suffix"].fillna("")
    padded_u, lower_u = parts["padded"].to_numpy(), parts["lower"].to_numpy()
    spaced_u, hashed_u = parts["spaced"].to_numpy(), parts["hashed"].to_numpy()
    rows = np.flatnonzero(candidates)
    src = source[rows]
    for s in np.unique(src):
        if s in conv.index:
            c = conv.loc[s]
            dp, ds, dpad, dlow, dhash = c["prefix"], c["suffix"], bool(c["padded"]), bool(c["lower"]), bool(c["hashed"])
        else:
            dp, ds, dpad, dlow, dhash = "", "", False, False, False
        dev_u = ((prefix_u != dp).to_numpy(dtype=bool) | (suffix_u != ds).to_numpy(dtype=bool)
                 | (padded_u != dpad) | (lower_u & ~dlow) | spaced_u | (hashed_u & ~dhash))
        sel = rows[src == s]
        deviates[sel] = dev_u[ref_codes[sel]]
    dev_rows = np.flatnonzero(deviates)
    if not len(dev_rows):
        return deviates, pd.Series([], dtype=_STRING)
    sub = parts.iloc[ref_codes[dev_rows]].reset_index(drop=True)
    text = describe_drift(sub, pd.Series(source[dev_rows]), conv)
    drift = pd.Series(text.to_numpy(), index=dev_rows, dtype=_STRING)
    drifted = np.zeros(n, dtype=bool)
    drifted[dev_rows] = (drift != "").to_numpy(dtype=bool)
    return drifted, drift
