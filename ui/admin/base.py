"""What every admin tab shares: access to the window's AdminService and submit helper."""

from __future__ import annotations

from PySide6.QtWidgets import QSpinBox, QWidget

from hall_app.services.admin import AdminSnapshot


def spin(value: int = 0, lo: int = 0, hi: int = 100_000, suffix: str = "") -> QSpinBox:
    """A spin box wider than the valid range: the core's check gives the Chinese message."""
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setValue(value)
    if suffix:
        box.setSuffix(suffix)
    return box


class AdminTab(QWidget):
    title = ""

    def __init__(self, window) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.window = window
        self.snap: AdminSnapshot | None = None

    @property
    def admin(self):  # type: ignore[no-untyped-def]
        return self.window.admin

    @property
    def actor(self):  # type: ignore[no-untyped-def]
        return self.window.actor

    def apply(self, snap: AdminSnapshot) -> None:
        """New data from the database (refresh): update lists, keep what is being edited."""
        first = self.snap is None
        self.snap = snap
        self.refresh(snap, first)

    def refresh(self, snap: AdminSnapshot, first: bool) -> None:  # pragma: no cover
        raise NotImplementedError

    def set_editable(self, editable: bool) -> None:
        for button in getattr(self, "edit_buttons", []):
            button.setEnabled(editable)
