"""Pattern clusters: findings grouped by symptom and boundary, then focused on the attribute
values that hold far more of a group than of all returns (source version, channel, category,
agent, amount band, weekday, hour)."""

from __future__ import annotations

import pandas as pd

from workbench.core.insights.checklist import answer_checklist
from workbench.core.insights.frame import PLACEHOLDER
from workbench.core.insights.model import Cluster
from workbench.core.insights.recurrence import classify_recurrence

FOCUS_ATTRIBUTES = ("source_version", "channel", "category", "agent", "amount_band", "weekday", "hour")
MIN_FOCUS = 3          # occurrences
MIN_FOCUS_SHARE = 0.3  # of the group
MIN_LIFT = 3.0         # share in the group / share among all returns
MAX_FOCUS = 3          # focused clusters per group


def _population_share(population: pd.DataFrame, attr: str, value) -> float:
    if attr == "weekday":
        return float((population["day"].dt.day_name() == value).mean())
    return float((population[attr] == value).mean())


def build_clusters(findings: pd.DataFrame, population: pd.DataFrame, window_hours: int) -> list[Cluster]:
    clusters: list[Cluster] = []
    if findings.empty:
        return clusters
    for (symptom, boundary), group in findings.groupby(["symptom", "boundary"], sort=True):
        verdict, answers = answer_checklist(group, population, window_hours, None)
        clusters.append(Cluster(symptom, boundary, None, None, len(group), len(group), None, verdict, answers,
                                classify_recurrence(group), sorted(group["case_id"].astype(int).tolist())[:50]))
        focus = []
        for attr in FOCUS_ATTRIBUTES:
            counts = group[attr].value_counts()
            for value, n in counts.items():
                n = int(n)
                share = n / len(group)
                if n < MIN_FOCUS or share < MIN_FOCUS_SHARE or value == PLACEHOLDER:
                    continue
                base = _population_share(population, attr, value) or 1e-9
                lift = share / base
                if lift >= MIN_LIFT:
                    focus.append((lift * n, attr, value, lift))
        for _, attr, value, lift in sorted(focus, key=lambda t: (-t[0], t[1], str(t[2])))[:MAX_FOCUS]:
            sub = group[group[attr] == value]
            v, a = answer_checklist(sub, population, window_hours, attr)
            clusters.append(Cluster(symptom, boundary, attr, str(value), len(sub), len(group), round(lift, 1), v, a,
                                    classify_recurrence(sub), sorted(sub["case_id"].astype(int).tolist())[:50]))
    return clusters
