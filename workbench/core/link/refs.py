"""Reference normalisation and convention learning, vectorised over pandas Series.

A reference as a source writes it (`LOOP-84213`, ` 0084213 `, `#1001`, `loop-84213-R`) is
split into prefix, zero padding, core and suffix. The *key* (core without padding, upper case)
is what linking compares. Each source (system + profile) has a dominant convention (e.g. the
ERP writes `LOOP-<return id>`), learned from the data as the most common prefix, suffix and
padding; a reference that deviates from it is *drift* and `describe_drift` says how it was
repaired ("prefix LOOP- missing", "zero-padded"), so diagnosis can flag id_linkage.
"""

from __future__ import annotations

import pandas as pd

# prefix letters (+ optional separator), zero padding, digit core, optional short suffix
_NUMERIC = (r"^(?P<prefix>[A-Z]+[-_:./]?|[A-Z]+[-_:./]?\s*)?(?P<zeros>0*)(?P<core>[1-9][0-9]{2,})"
            r"(?P<suffix>[-_/.][A-Z0-9]{1,4}|[A-Z]{1,3})?$")
# alphanumeric ids (AfterShip RMA `EUGCX4FL`): a prefix needs a separator
_ALNUM = r"^(?P<prefix>[A-Z]+[-_:])?(?P<core>[A-Z0-9]{4,}?)(?P<suffix>[-_/][A-Z0-9]{1,3})?$"
_REFUND_TOKEN = r"((?:re|pyr|ch|pi|txn)_[A-Za-z0-9]+)"


def _clean(raw: pd.Series) -> pd.Series:
    s = raw.astype("string")
    s = s.str.upper().str.replace(r"\s+", "", regex=True)
    return s.mask(s == "")


def split_ref(raw: pd.Series) -> pd.DataFrame:
    """Split references into parts. Columns: key, prefix, suffix, padded, lower, spaced, hashed.

    `key` is NA for a blank reference. Anything that is neither numeric-with-affixes nor a
    plain alphanumeric id keeps its cleaned text as key."""
    raw = raw.astype("string")
    cleaned = _clean(raw)
    hashed = cleaned.str.startswith("#").fillna(False).astype(bool)
    body = cleaned.str.lstrip("#")
    num = body.str.extract(_NUMERIC)
    alnum = body.str.extract(_ALNUM)
    is_num = num["core"].notna()
    is_alnum = ~is_num & alnum["core"].notna()
    key = num["core"].where(is_num, alnum["core"].where(is_alnum, body))
    prefix = num["prefix"].where(is_num, alnum["prefix"].where(is_alnum)).fillna("")
    prefix = prefix.str.replace(r"\s+", "", regex=True)
    suffix = num["suffix"].where(is_num, alnum["suffix"].where(is_alnum)).fillna("")
    padded = (is_num & (num["zeros"].fillna("").str.len() > 0)).fillna(False).astype(bool)
    stripped = raw.str.strip()
    lower = (stripped != stripped.str.upper()).fillna(False).astype(bool)
    spaced = ((stripped != raw) | stripped.str.contains(r"\s", regex=True)).fillna(False).astype(bool)
    return pd.DataFrame({
        "key": key.astype("string"), "prefix": prefix.astype("string"),
        "suffix": suffix.astype("string"), "padded": padded, "lower": lower,
        "spaced": spaced, "hashed": hashed,
    }, index=raw.index)


def order_key(raw: pd.Series) -> pd.Series:
    """Order references compared as upper case, without '#', 'ORDER-' style prefixes or padding."""
    s = _clean(raw).str.lstrip("#")
    s = s.str.replace(r"^(?:ORDER|ORD|SO|NO\.?)[-_:#.]*", "", regex=True)
    s = s.str.replace(r"^0+(?=\d)", "", regex=True)
    return s.mask(s == "").astype("string")


def refund_key(raw: pd.Series) -> pd.Series:
    """A processor refund id inside free text (Stripe `re_...`) or the whole token (Adyen, PayPal)."""
    s = raw.astype("string").str.strip()
    token = s.str.extract(_REFUND_TOKEN)[0]
    plain = s.str.upper().where(~s.str.contains(r"\s", regex=True).fillna(False))
    out = token.fillna(plain)
    return out.mask(out == "").astype("string")


def learn_convention(parts: pd.DataFrame, source: pd.Series) -> pd.DataFrame:
    """The dominant convention of each source: most common prefix, suffix, padding, '#'.

    `parts` is `split_ref` output; rows with a blank key are ignored. Returns one row per
    source indexed by source with columns prefix, suffix, padded, hashed, lower."""
    frame = parts.loc[parts["key"].notna(), ["prefix", "suffix", "padded", "hashed", "lower"]].copy()
    frame["source"] = source.loc[frame.index].to_numpy()
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
    """How each reference deviates from its source's convention ('' = it follows it)."""
    conv = convention.reindex(source.to_numpy())
    conv.index = parts.index
    dom_prefix = conv["prefix"].astype("string").fillna("")
    dom_suffix = conv["suffix"].astype("string").fillna("")
    has_key = parts["key"].notna()
    pieces: list[pd.Series] = []

    def add(mask: pd.Series, text: pd.Series | str) -> None:
        mask = (mask & has_key).fillna(False).astype(bool)
        if isinstance(text, str):
            text = pd.Series(text, index=parts.index, dtype="string")
        pieces.append(text.where(mask, ""))

    prefix = parts["prefix"]
    add((prefix == "") & (dom_prefix != ""), "prefix " + dom_prefix + " missing")
    add((prefix != "") & (dom_prefix == ""), "unexpected prefix " + prefix)
    add((prefix != "") & (dom_prefix != "") & (prefix != dom_prefix),
        "prefix " + prefix + " instead of " + dom_prefix)
    suffix = parts["suffix"]
    add((suffix != "") & (suffix != dom_suffix), "suffix " + suffix + " added")
    add((suffix == "") & (dom_suffix != ""), "suffix " + dom_suffix + " missing")
    add(parts["padded"] & ~conv["padded"].fillna(False).astype(bool), "zero-padded")
    add(~parts["padded"] & conv["padded"].fillna(False).astype(bool), "zero padding missing")
    add(parts["lower"] & ~conv["lower"].fillna(False).astype(bool), "lower case")
    add(parts["spaced"], "stray whitespace")
    add(parts["hashed"] & ~conv["hashed"].fillna(False).astype(bool), "'#' added")
    if not pieces:
        return pd.Series("", index=parts.index, dtype="string")
    joined = pieces[0]
    for piece in pieces[1:]:
        joined = joined.where(piece == "", joined.where(joined == "", joined + ", ") + piece)
    return joined.astype("string")
