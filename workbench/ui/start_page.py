"""The first-run page: open the demo month in one click, or open / create a workbook."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from workbench import APP_NAME, __version__


class StartPage(QWidget):
    demoRequested = Signal()
    openRequested = Signal()
    newRequested = Signal()
    recentRequested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("startPage")
        from workbench.paths import resource

        logo = QLabel(self)
        logo.setPixmap(QIcon(str(resource("icons", "app.svg"))).pixmap(72, 72))
        title = QLabel(APP_NAME, self)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            "Reconcile returns across the returns portal, the payment processor, the ERP and the "
            "support desk. Start with the bundled demo month: four exports with the usual breaks "
            "(missing hand-offs, fee mismatches, duplicates, late postings), imported and "
            "diagnosed for you.", self)
        intro.setWordWrap(True)
        intro.setMaximumWidth(620)
        self.demo_button = QPushButton("Open the demo month", self)
        self.demo_button.setObjectName("openDemoButton")
        self.demo_button.setDefault(True)
        self.demo_button.setMinimumHeight(40)
        self.demo_button.clicked.connect(self.demoRequested)
        self.open_button = QPushButton("Open a workbook...", self)
        self.open_button.clicked.connect(self.openRequested)
        self.new_button = QPushButton("New workbook...", self)
        self.new_button.clicked.connect(self.newRequested)
        self.recent = QListWidget(self)
        self.recent.setObjectName("startRecent")
        self.recent.setMaximumWidth(620)
        self.recent.setMaximumHeight(160)
        self.recent.itemActivated.connect(lambda item: self.recentRequested.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.recent_label = QLabel("Recent workbooks", self)
        version = QLabel(f"Version {__version__}", self)
        version.setEnabled(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.setSpacing(12)
        layout.addWidget(logo)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(12)
        for button in (self.demo_button, self.open_button, self.new_button):
            button.setMaximumWidth(320)
            layout.addWidget(button)
        layout.addSpacing(12)
        layout.addWidget(self.recent_label)
        layout.addWidget(self.recent)
        layout.addStretch(1)
        layout.addWidget(version)

    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for path in paths:
            item = QListWidgetItem(path, self.recent)
            item.setData(Qt.ItemDataRole.UserRole, path)
        self.recent.setVisible(bool(paths))
        self.recent_label.setVisible(bool(paths))
