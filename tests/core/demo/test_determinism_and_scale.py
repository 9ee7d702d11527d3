"""Same seed, same files; different seed, different files; a 20,000-return run completes."""

from openpyxl import load_workbook

from tests.core.demo.demo_files import read_csv
from workbench.core.demo import generate_demo


def _xlsx_rows(path):
    book = load_workbook(path, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return rows


def test_same_seed_same_files(tmp_path):
    a = generate_demo(tmp_path / "a", returns=300, seed=11)
    b = generate_demo(tmp_path / "b", returns=300, seed=11)
    for pa_, pb in zip([*a.files, a.truth, a.patterns], [*b.files, b.truth, b.patterns], strict=True):
        assert pa_.name == pb.name
        if pa_.suffix == ".xlsx":
            assert _xlsx_rows(pa_) == _xlsx_rows(pb)
        else:
            assert pa_.read_bytes() == pb.read_bytes(), pa_.name


def test_other_seed_other_files(tmp_path):
    a = generate_demo(tmp_path / "a", returns=300, seed=11)
    b = generate_demo(tmp_path / "b", returns=300, seed=12)
    assert a.truth.read_bytes() != b.truth.read_bytes()
    assert (a.files[0].read_bytes() != b.files[0].read_bytes())


def test_twenty_thousand_returns(tmp_path):
    result = generate_demo(tmp_path, returns=20_000, seed=3, csv_only=True)
    header, truth = read_csv(result.truth)
    returns = [row for row in truth if row["portal_record_id"]]
    assert len(returns) == 20_000
    assert len({row["portal_record_id"] for row in returns}) == 20_000
    assert result.counts["truth.csv"] == len(truth)
    _, loop = read_csv(tmp_path / "loop_returns_2026-10.csv")
    _, netsuite = read_csv(tmp_path / "netsuite_credit_memos_2026-10.csv")
    assert len(loop) == 20_000 and len(netsuite) > 15_000
