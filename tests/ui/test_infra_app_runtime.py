"""create_app, logging to a rotating file, and window geometry kept across runs."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import logging  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from logging.handlers import RotatingFileHandler  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QRect  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget  # noqa: E402

from hall_app.logs import LOG_DIR_ENV  # noqa: E402
from ui import app_runtime  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv(app_runtime.SETTINGS_DIR_ENV, str(tmp_path / "settings"))
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "logs"))
    yield tmp_path
    app_runtime.teardown_logging()


@pytest.fixture
def app(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> Iterator[QApplication]:
    old_sheet = qapp.styleSheet()
    old_name = QCoreApplication.applicationName()
    old_org = QCoreApplication.organizationName()
    monkeypatch.setattr(app_runtime.sys, "excepthook", app_runtime.sys.excepthook)
    yield app_runtime.create_app("counter")
    qapp.setStyleSheet(old_sheet)
    qapp.setProperty("hall_role", None)
    QCoreApplication.setApplicationName(old_name)
    QCoreApplication.setOrganizationName(old_org)


def test_create_app_reuses_instance_and_sets_up(app: QApplication, qapp: QApplication) -> None:
    assert app is qapp
    assert QCoreApplication.organizationName() == app_runtime.ORG_NAME
    assert QCoreApplication.applicationName() == app_runtime.APP_NAME
    assert app.font().family() == "Noto Sans SC"
    assert "QPushButton" in app.styleSheet()
    assert app_runtime.current_role() == "counter"


def test_unknown_role_is_rejected(qapp: QApplication) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        app_runtime.create_app("cashier")


def test_role_stylesheet_is_appended() -> None:
    sheet = app_runtime.load_stylesheet("display")
    assert sheet.index("QPushButton") < sheet.index("#0b1e3a")
    assert "#0b1e3a" not in app_runtime.load_stylesheet("counter")


def test_logs_go_to_rotating_file(app: QApplication, isolated_dirs: Path) -> None:
    logging.getLogger("hall_app.test").warning("窗口 3 已暂停")
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler)]
    assert len(handlers) == 1
    handler = handlers[0]
    assert handler.maxBytes == 1_000_000
    assert handler.backupCount == 5
    handler.flush()
    path = isolated_dirs / "logs" / "hall-app-counter.log"
    assert Path(handler.baseFilename) == path
    assert "窗口 3 已暂停" in path.read_text(encoding="utf-8")
    # Idempotent: a second start does not add a second handler.
    app_runtime.create_app("counter")
    assert [h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler)] == [handler]


def test_settings_file_honours_env(isolated_dirs: Path) -> None:
    settings = app_runtime.ui_settings()
    settings.setValue("probe", 1)
    settings.sync()
    assert Path(settings.fileName()) == isolated_dirs / "settings" / "hall-app.ini"


def test_geometry_is_saved_on_close_and_restored(qtbot) -> None:
    first = QWidget()
    qtbot.addWidget(first)
    keeper = app_runtime.GeometryKeeper(first, "overview")
    assert keeper.key == "overview/main"
    first.setGeometry(QRect(120, 140, 640, 360))
    first.show()
    qtbot.waitExposed(first)
    first.close()

    second = QWidget()
    qtbot.addWidget(second)
    app_runtime.GeometryKeeper(second, "overview")
    assert second.size().width() == 640
    assert second.size().height() == 360

    other_role = QWidget()
    qtbot.addWidget(other_role)
    assert not app_runtime.GeometryKeeper(other_role, "kiosk").restore()


def test_main_window_state_round_trip(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(QLabel("营业厅"))
    keeper = app_runtime.GeometryKeeper(window, "admin", "settings")
    window.resize(500, 300)
    keeper.save()
    assert app_runtime.ui_settings().value("admin/settings/state") is not None

    again = QMainWindow()
    qtbot.addWidget(again)
    assert app_runtime.GeometryKeeper(again, "admin", "settings", restore=False).restore()
    assert again.size().width() == 500
