"""Reference normalisation and convention learning, vectorised over pandas Series.

A reference as a source writes it (`LOOP-84213`, ` 0084213 `, `#1001`, `loop-84213-R`) is
split into prefix, zero padding, core and suffix. The *key* (core without padding, upper case)
is what linking compares. Each source (system + profile) has a dominant convention (e.g. the
ERP writes `LOOP-<return id>`), learned from the data as the most common prefix, suffix and
padding; a reference that deviates from it is *drift* and `describe_drift` says how it was
repaired ("prefix LOOP- missing", "zero-padded"), so diagnosis can flag id_linkage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# prefix letters (+ optional separator), zero padding, digit core, optional short suffix
_NUMERIC = (r"^(?P<prefix>[A-Z]+[-_:./]?)?(?P<zeros>0*)(?P<core>[1-9][0-9]{2,})"
            r"(?P<suffix>[-_/.][A-Z0-9]{1,4}|[A-Z]{1,3})?$")
# alphanumeric ids (AfterShip RMA `EUGCX4FL`): a prefix needs a separator
_ALNUM = r"^(?P<prefix>[A-Z]+[-_:])?(?P<core>[A-Z0-9]{4,}?)(?P<suffix>[-_/][A-Z0-9]{1,3})?$"
_REFUND_TOKEN = r"(?P<tok>(?:re|pyr|ch|pi|txn)_[A-Za-z0-9]+)"
_STRING = pd.StringDtype()
_SAMPLE = 200_000

# All work runs in Arrow compute kernels (RE2), never a Python call per value.


def _arrow(series: pd.Series) -> pa.Array:
    arr = pa.array(series.astype(_STRING), type=pa.string(), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _series(arr, index: pd.Index) -> pd.Series:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    out = arr.to_pandas(types_mapper={pa.string(): _STRING}.get).astype(_STRING)
    out.index = index
    return out


def _bool(arr, index: pd.Index) -> pd.Series:
    return pd.Series(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), index=index, dtype=bool)


def _null_empty(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def _clean(arr: pa.Array) -> pa.Array:
    return _null_empty(pc.replace_substring_regex(pc.utf8_upper(arr), r"\s+", ""))


def split_ref(raw: pd.Series) -> pd.DataFrame:
    """Split references into parts. Columns: key, prefix, suffix, padded, lower, spaced, hashed.

    `key` is NA for a blank reference. Anything that is neither numeric-with-affixes nor a
    plain alphanumeric id keeps its cleaned text as key."""
    idx = raw.index
    arr = _arrow(raw)
    cleaned = _clean(arr)
    hashed = pc.starts_with(cleaned, "#")
    body = pc.utf8_ltrim(cleaned, "#")
    num = pc.extract_regex(body, _NUMERIC)
    is_num = pc.fill_null(pc.is_valid(num), False)
    # the alphanumeric pattern only where the numeric one failed (usually a few rows)
    rest = pc.if_else(is_num, pa.scalar(None, pa.string()), body)
    aln = pc.extract_regex(rest, _ALNUM)
    is_aln = pc.and_(pc.invert(is_num), pc.fill_null(pc.is_valid(aln), False))

    def field(struct, name):
        return pc.struct_field(struct, name)

    key = pc.if_else(is_num, field(num, "core"), pc.if_else(is_aln, field(aln, "core"), body))
    empty = pa.scalar("", pa.string())
    prefix = pc.if_else(is_num, field(num, "prefix"), pc.if_else(is_aln, field(aln, "prefix"), empty))
    suffix = pc.if_else(is_num, field(num, "suffix"), pc.if_else(is_aln, field(aln, "suffix"), empty))
    padded = pc.and_(is_num, pc.greater(pc.utf8_length(field(num, "zeros")), 0))
    stripped = pc.utf8_trim_whitespace(arr)
    lower = pc.not_equal(stripped, pc.utf8_upper(stripped))
    spaced = pc.or_(pc.not_equal(stripped, arr), pc.match_substring_regex(stripped, r"\s"))
    return pd.DataFrame({
        "key": _series(_null_empty(key), idx), "prefix": _series(pc.fill_null(prefix, ""), idx),
        "suffix": _series(pc.fill_null(suffix, ""), idx), "padded": _bool(padded, idx),
        "lower": _bool(lower, idx), "spaced": _bool(spaced, idx), "hashed": _bool(hashed, idx),
    }, index=idx)


def order_key(raw: pd.Series) -> pd.Series:
    """Order references compared as upper case, without '#', 'ORDER-' style prefixes or padding."""
    s = pc.utf8_ltrim(_clean(_arrow(raw)), "#")
    s = pc.replace_substring_regex(s, r"^(?:ORDER|ORD|SO|NO\.?)[-_:#.]*", "")
    s = pc.replace_substring_regex(s, r"^0+(\d)", r"\1")
    return _series(_null_empty(s), raw.index)


def refund_key(raw: pd.Series) -> pd.Series:
    """A processor refund id inside free text (Stripe `re_...`) or the whole token (Adyen, PayPal)."""
    s = pc.utf8_trim_whitespace(_arrow(raw))
    # the common case is the bare id (`re_...`): the regex only runs on the rest
    bare = pc.fill_null(pc.match_substring_regex(s, r"^(?:re|pyr|ch|pi|txn)_[A-Za-z0-9]+$"), False)
    rest = pc.if_else(bare, pa.scalar(None, pa.string()), s)
    token = pc.coalesce(pc.if_else(bare, s, pa.scalar(None, pa.string())),
                        pc.struct_field(pc.extract_regex(rest, _REFUND_TOKEN), "tok"))
    has_space = pc.fill_null(pc.match_substring_regex(s, r"\s"), False)
    plain = pc.if_else(has_space, pa.scalar(None, pa.string()), pc.utf8_upper(s))
    out = pc.coalesce(token, plain)
    return _series(_null_empty(out), raw.index)


def learn_convention(parts: pd.DataFrame, source: pd.Series) -> pd.DataFrame:
    """The dominant convention of each source: most common prefix, suffix, padding, '#'.

    `parts` is `split_ref` output; rows with a blank key are ignored. Returns one row per
    source indexed by source with columns prefix, suffix, padded, hashed, lower."""
    keyed = parts["key"].notna().to_numpy()
    frame = pd.DataFrame({c: parts[c].to_numpy()[keyed] for c in ("prefix", "suffix", "padded", "hashed", "lower")})
    frame["source"] = source.to_numpy()[keyed]
    if len(frame) > _SAMPLE:   # a convention is a majority: a large fixed sample shows it as well
        frame = frame.sample(n=_SAMPLE, random_state=0)
    if frame.empty:
        return pd.DataFrame(columns=["prefix", "suffix", "padded", "hashed", "lower"])
    out = {}
    for col in ("prefix", "suffix"):
        counts = frame.groupby(["source", col], observed=True).size().reset_index(name="n")
        counts = counts.sort_values(["source", "n", col], ascending=[True, False, True])
        out[col] = counts.drop_duplicates("source").set_index("source")[col]
    for col in ("padded", "hashed", "lower"):
        out[col] = frame.groupby("source", observed=True)[col].mean() > 0.5
    return pd.DataFrame(out)


def describe_drift(parts: pd.DataFrame, source: pd.Series, convention: pd.DataFrame) -> pd.Series:
    """How each reference deviates from its source's convention ('' = it follows it).

    Masks are computed for every row; text is built only for the few rows that deviate."""
    out = pd.Series("", index=parts.index, dtype=_STRING)
    # each row's source convention by position (a handful of sources, millions of rows)
    pos = convention.index.get_indexer(source.to_numpy())
    known = pos >= 0
    pos = np.where(known, pos, 0)

    def dominant(col: str, fill):
        if len(convention) == 0:
            return np.full(len(parts), fill, dtype=object if isinstance(fill, str) else bool)
        values = convention[col].to_numpy(dtype=object if isinstance(fill, str) else bool)[pos]
        return np.where(known, values, fill)

    dom_prefix = pd.Series(pd.array(dominant("prefix", ""), dtype=_STRING), index=parts.index)
    dom_suffix = pd.Series(pd.array(dominant("suffix", ""), dtype=_STRING), index=parts.index)
    dom_padded = dominant("padded", False).astype(bool)
    dom_lower = dominant("lower", False).astype(bool)
    dom_hashed = dominant("hashed", False).astype(bool)
    has_key = parts["key"].notna().to_numpy()
    prefix, suffix = parts["prefix"].fillna(""), parts["suffix"].fillna("")
    padded, lower = parts["padded"].to_numpy(), parts["lower"].to_numpy()
    spaced, hashed = parts["spaced"].to_numpy(), parts["hashed"].to_numpy()
    deviates = has_key & ((prefix != dom_prefix).to_numpy() | (suffix != dom_suffix).to_numpy()
                          | (padded != dom_padded) | (lower & ~dom_lower) | spaced | (hashed & ~dom_hashed))
    if not deviates.any():
        return out
    sel = parts.index[deviates]
    p, dp = prefix[deviates], dom_prefix[deviates]
    sfx, ds = suffix[deviates], dom_suffix[deviates]
    pieces = [
        ((p == "") & (dp != ""), "prefix " + dp + " missing"),
        ((p != "") & (dp == ""), "unexpected prefix " + p),
        ((p != "") & (dp != "") & (p != dp), "prefix " + p + " instead of " + dp),
        ((sfx != "") & (sfx != ds), "suffix " + sfx + " added"),
        ((sfx == "") & (ds != ""), "suffix " + ds + " missing"),
        (pd.Series(padded[deviates] & ~dom_padded[deviates], index=sel), "zero-padded"),
        (pd.Series(~padded[deviates] & dom_padded[deviates], index=sel), "zero padding missing"),
        (pd.Series(lower[deviates] & ~dom_lower[deviates], index=sel), "lower case"),
        (pd.Series(spaced[deviates], index=sel), "stray whitespace"),
        (pd.Series(hashed[deviates] & ~dom_hashed[deviates], index=sel), "'#' added"),
    ]
    joined = pd.Series("", index=sel, dtype=_STRING)
    for mask, text in pieces:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            continue
        if isinstance(text, str):
            text = pd.Series(text, index=sel, dtype=_STRING)
        joined = joined.where(~mask, joined.where(joined == "", joined + ", ") + text)
    out[sel] = joined
    return out
