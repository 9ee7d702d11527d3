"""Table model of the pattern clusters (a few hundred rows at most: held in memory)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

CLUSTER_ROLE = Qt.ItemDataRole.UserRole

COLUMNS = ("Cluster", "Findings", "Lift", "Verdict", "Votes (integration / process)", "Recurrence", "Failure layer")


class ClusterTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._clusters: list = []

    def set_clusters(self, clusters) -> None:
        self.beginResetModel()
        self._clusters = list(clusters)
        self.endResetModel()

    def cluster(self, row: int):
        return self._clusters[row]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self._clusters)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._clusters)):
            return None
        c = self._clusters[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            integ, proc = c.votes
            return (c.label, str(c.count), f"{c.lift}x" if c.lift else "", c.verdict, f"{integ} / {proc}",
                    c.recurrence.pattern if c.recurrence else "",
                    c.recurrence.failure_layer if c.recurrence else "")[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(f"{a.question}\n    {a.answer}" + (f"  -> {a.points_to}" if a.points_to else "")
                             for a in c.answers)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == CLUSTER_ROLE:
            return c
        return None
