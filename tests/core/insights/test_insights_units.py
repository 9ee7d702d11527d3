"""Unit pins for the pieces of the analysis: the rolling window, the checklist and the CLI."""

import json

import pandas as pd
import pytest

from workbench.core.insights.checklist import answer_checklist, concentration, made_by_hand
from workbench.core.insights.structural import rolling_peak


def _days(spec):
    return pd.Series(pd.to_datetime([d for d, n in spec for _ in range(n)]))


def test_rolling_peak_finds_the_worst_30_day_window():
    cases = _days([(f"2026-10-{d:02d}", 10) for d in range(1, 32)] + [(f"2026-11-{d:02d}", 10) for d in range(1, 31)])
    pattern = _days([("2026-11-10", 9), ("2026-11-12", 9)])
    start, end, n, den, rate = rolling_peak(cases, pattern)
    assert n == 18 and den == 300 and rate == pytest.approx(6.0)
    assert start <= pd.Timestamp("2026-11-10") and end >= pd.Timestamp("2026-11-12")
    assert (end - start).days == 29


def test_rolling_peak_short_history_uses_the_whole_range():
    cases = _days([("2026-10-01", 50), ("2026-10-05", 50)])
    start, end, n, den, rate = rolling_peak(cases, _days([("2026-10-05", 1)]))
    assert (n, den, rate) == (1, 100, 1.0)


def _group(n, agent="sys", channel="online", manual=False, amount_band="50.00 and above"):
    return pd.DataFrame({
        "case_id": range(n), "symptom": ["manual_bypass"] * n, "channel": [channel] * n, "agent": [agent] * n,
        "amount_band": [amount_band] * n, "category": ["Home"] * n, "manual": [manual] * n,
        "fault_day": pd.to_datetime(["2026-10-01", "2026-10-09", "2026-10-20"] * (n // 3) + ["2026-10-01"] * (n % 3)),
        "lag_hours": [float("nan")] * n, "hour": pd.array([9, 12, 15, 17] * (n // 4) + [9] * (n % 4), dtype="Int64"),
        "relative_delta": [float("nan")] * n,
    })


def test_agent_concentration_against_population_points_to_process():
    population = pd.DataFrame({"agent": ["sys"] * 95 + ["jdoe"] * 5, "channel": ["online"] * 100,
                               "amount_band": ["50.00 and above"] * 100, "category": ["Home"] * 100})
    answer = concentration(_group(6, agent="jdoe"), population, None)
    assert answer.points_to == "process" and "jdoe" in answer.answer and "20.0x" in answer.answer
    assert concentration(_group(6, agent="jdoe"), population, "agent").points_to == "integration"


def test_hand_made_records_point_to_process_and_three_answers_decide():
    population = pd.DataFrame({"agent": ["sys"] * 95 + ["jdoe"] * 5, "channel": ["online"] * 100,
                               "amount_band": ["50.00 and above"] * 100, "category": ["Home"] * 100})
    g = _group(6, agent="jdoe", manual=True)
    assert made_by_hand(g).points_to == "process" and "6 of 6" in made_by_hand(g).answer
    verdict, answers = answer_checklist(g, population, 72, None)
    assert [a.points_to for a in answers].count("process") >= 3 and verdict == "process"
    assert answers[3].points_to is None  # no portal approval to measure a delay from


def test_cli_insights_prints_flags_and_json(tmp_path, capsys):
    from workbench.cli.main import main
    from workbench.paths import demo_dir

    db = str(tmp_path / "d.rwb")
    files = [str(p) for p in sorted(demo_dir().iterdir()) if p.suffix in (".csv", ".xlsx") and p.stem != "truth"]
    assert main(["reconcile", "--db", db, *files]) == 0
    capsys.readouterr()
    assert main(["insights", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "verdict:" in out and "Lag (hours from portal approval)" in out
    assert main(["insights", "--db", db, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["returns"] > 400 and data["clusters"] and {"text", "rate_pct"} <= set(data["structural"][0])
    assert main(["insights", "--db", str(tmp_path / "missing" / "x.rwb")]) == 1
