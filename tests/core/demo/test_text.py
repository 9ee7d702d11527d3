"""The vectorised writers: exact money text and RFC 4180 quoting that csv reads back."""

import csv
from decimal import Decimal

import numpy as np
import pyarrow as pa

from workbench.core.demo.text import money, random_ids, write_csv


def test_money_text_is_exact():
    minor = np.array([0, 5, 99, 100, 9999, -1, -120, 123456789])
    assert money(minor).to_pylist() == ["0.00", "0.05", "0.99", "1.00", "99.99", "-0.01", "-1.20",
                                        "1234567.89"]
    for m, text in zip(minor, money(minor).to_pylist()):
        assert Decimal(text) * 100 == int(m)


def test_csv_quoting_round_trips(tmp_path):
    values = ['plain', 'with, comma', 'with "quote"', 'multi\nline', 'José Núñez', '']
    cols = {"a": pa.array(values), "b (x)": pa.array([str(i) for i in range(len(values))]),
            "c": pa.array([None, "x", None, "y", None, "z"], type=pa.string())}
    path = tmp_path / "t.csv"
    write_csv(path, ["a", "b (x)", "c"], cols)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["a", "b (x)", "c"]
    assert [r[0] for r in rows[1:]] == values
    assert [r[2] for r in rows[1:]] == ["", "x", "", "y", "", "z"]
    text = path.read_text(encoding="utf-8")
    assert "\nplain,0,\n" in text          # no quotes where none are needed


def test_random_ids_shape():
    ids = random_ids(np.random.default_rng(1), 1000, "re_").to_pylist()
    assert len(set(ids)) == 1000
    assert all(len(i) == 27 and i.startswith("re_") and i[3:].isalnum() for i in ids)
