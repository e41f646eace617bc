"""Process-wide start-up for every window: QApplication, font, style, logging, settings.

A window's entry point does::

    app = create_app("counter")           # reuses an existing QApplication (tests)
    window = CounterWindow(...)
    GeometryKeeper(window, "counter")      # restores now, saves on close / quit
    window.show()
    app.exec()

Settings are an INI file (``QSettings`` IniFormat). Tests, or a hall that wants the
file elsewhere, set ``HALL_UI_SETTINGS_DIR``; logs go to ``platformdirs.user_log_dir``
unless ``HALL_LOG_DIR`` is set.
"""

from __future__ import annotations

import logging
import os
import sys
import types
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QObject,
    QSettings,
    QTranslator,
)
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from hall_app.logs import detach_core_handler, log_dir, rotating_handler
from hall_app.resources import resource_path
from ui.fonts import install_cjk_font

log = logging.getLogger(__name__)

ORG_NAME = "HallApp"
APP_NAME = "hall-app"
#: Roles a window can open in; each keeps its own geometry and log file.
ROLES = ("counter", "overview", "kiosk", "display", "admin", "demo", "district", "rating")
#: Directory for the settings INI file (tests point it at a temporary folder).
SETTINGS_DIR_ENV = "HALL_UI_SETTINGS_DIR"
_ROLE_PROPERTY = "hall_role"

_log_handler: RotatingFileHandler | None = None
#: Qt's own Chinese texts (standard buttons 取消/确定, context menus); kept alive here.
_qt_translator: QTranslator | None = None


def install_qt_translations(app: QApplication) -> bool:
    """Load Qt's zh_CN translations so its standard buttons and menus speak Chinese.

    A missing file (a bundle built without it) is logged; windows that name their
    buttons themselves are unaffected. Returns whether the translations were loaded.
    """
    global _qt_translator
    if _qt_translator is not None:
        return True
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load("qtbase_zh_CN", folder):
        log.warning("Qt's Chinese translations not found in %s", folder)
        return False
    app.installTranslator(translator)
    _qt_translator = translator
    return True


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return role


def ui_settings() -> QSettings:
    """The UI's settings store (an INI file). Honour ``HALL_UI_SETTINGS_DIR`` for tests."""
    folder = os.environ.get(SETTINGS_DIR_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return QSettings(str(Path(folder) / f"{APP_NAME}.ini"), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORG_NAME, APP_NAME)


def setup_logging(role: str, *, level: int = logging.INFO, folder: Path | None = None) -> Path:
    """Send the root logger to ``<log dir>/hall-app-<role>.log`` (about 1 MB x 5 files).

    Idempotent: a second call replaces the previous file handler. Returns the log file path.
    """
    global _log_handler
    _check_role(role)
    folder = folder or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{APP_NAME}-{role}.log"
    root = logging.getLogger()
    # The CLI's generic hall-app.log handler makes way for the role's own file.
    detach_core_handler()
    if _log_handler is not None:
        if Path(_log_handler.baseFilename) == path.resolve():
            return path
        root.removeHandler(_log_handler)
        _log_handler.close()
    handler = rotating_handler(path, level)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    _log_handler = handler
    return path


def teardown_logging() -> None:
    """Remove and close the file handler added by :func:`setup_logging` (tests, shutdown)."""
    global _log_handler
    if _log_handler is not None:
        logging.getLogger().removeHandler(_log_handler)
        _log_handler.close()
        _log_handler = None


class _LoggingExcepthook:
    """sys.excepthook that logs the exception, then calls the hook it replaced."""

    def __init__(self, previous: Callable[..., object]) -> None:
        self.previous = previous

    def __call__(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: types.TracebackType | None,
    ) -> None:
        logging.getLogger("hall_app.uncaught").critical(
            "Uncaught exception", exc_info=(exc_type, exc, tb)
        )
        self.previous(exc_type, exc, tb)


def install_excepthook() -> None:
    """Log uncaught exceptions (including those raised in Qt slots), then call the previous hook."""
    if isinstance(sys.excepthook, _LoggingExcepthook):
        return
    sys.excepthook = _LoggingExcepthook(sys.excepthook)


def load_role_stylesheet(role: str) -> str:
    """Text of ``resources/styles/<role>.qss`` ("" when the role has none)."""
    path = resource_path("styles", f"{role}.qss")
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def load_stylesheet(role: str) -> str:
    """Text of ``resources/styles/app.qss`` followed by ``<role>.qss`` (each only if present).

    The demo (several roles in one window) gets app.qss only; ``ui.demo.floor`` gives
    each screen its role's sheet.
    """
    parts = [load_role_stylesheet("app")]
    if role != "demo":
        parts.append(load_role_stylesheet(role))
    return "\n".join(part for part in parts if part)


def current_role() -> str | None:
    """Role the running application was created for, if any."""
    app = QCoreApplication.instance()
    if app is None:
        return None
    value = app.property(_ROLE_PROPERTY)
    return str(value) if value else None


def create_app(
    role: str,
    argv: list[str] | None = None,
    *,
    logging_to_file: bool = True,
    stylesheet: bool = True,
) -> QApplication:
    """Create (or reuse) the QApplication for `role` and set up everything windows rely on.

    Sets organisation/application names (so QSettings finds the same file), installs
    the shipped CJK font, applies the style sheets, and (unless disabled) logs to the
    rotating file and logs uncaught exceptions.
    """
    _check_role(role)
    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv)
    if not isinstance(app, QApplication):
        raise RuntimeError("a non-widget Qt application already exists")
    app.setApplicationDisplayName("营业厅服务系统")
    app.setProperty(_ROLE_PROPERTY, role)
    if logging_to_file:
        path = setup_logging(role)
        install_excepthook()
        log.info("Starting role %s, logging to %s", role, path)
    family = install_cjk_font(app)
    log.info("Application font: %s", family)
    install_qt_translations(app)
    if stylesheet:
        app.setStyleSheet(load_stylesheet(role))
    if not app.property("hall_self_check"):
        from ui import self_check

        self_check.arm(app, role)
        app.setProperty("hall_self_check", True)
    if not app.property("hall_ops_shutdown"):
        from ui import ops

        app.aboutToQuit.connect(ops.shutdown)
        app.setProperty("hall_ops_shutdown", True)
    from ui import gc_guard

    gc_guard.install(app)  # cyclic garbage collected on the GUI thread, between operations
    return app


class GeometryKeeper(QObject):
    """Restore a top-level window's geometry now and save it when it closes or the app quits.

    Keyed by role and `name` (a role with several windows gives each a name). For a
    QMainWindow the tool bar / dock state is kept as well. The keeper is a child of
    the window, so it lives exactly as long as the window.
    """

    def __init__(self, window: QWidget, role: str, name: str = "main", *, restore: bool = True):
        super().__init__(window)
        self._window = window
        self._prefix = f"{_check_role(role)}/{name}"
        window.installEventFilter(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.save)
        if restore:
            self.restore()

    @property
    def key(self) -> str:
        """Settings group used for this window, e.g. ``counter/main``."""
        return self._prefix

    def restore(self) -> bool:
        """Apply the saved geometry (and main-window state). False if nothing was saved."""
        settings = ui_settings()
        geometry = settings.value(f"{self._prefix}/geometry")
        if not isinstance(geometry, QByteArray | bytes) or not geometry:
            return False
        ok = self._window.restoreGeometry(QByteArray(geometry))
        state = settings.value(f"{self._prefix}/state")
        if isinstance(self._window, QMainWindow) and isinstance(state, QByteArray | bytes):
            self._window.restoreState(QByteArray(state))
        return bool(ok)

    def save(self) -> None:
        """Write the window's current geometry (and main-window state) to the settings file."""
        window = getattr(self, "_window", None)
        if window is None:
            return
        try:
            geometry = window.saveGeometry()
            state = window.saveState() if isinstance(window, QMainWindow) else None
        except RuntimeError:  # the window's C++ object is already gone
            return
        settings = ui_settings()
        settings.setValue(f"{self._prefix}/geometry", geometry)
        if state is not None:
            settings.setValue(f"{self._prefix}/state", state)
        settings.sync()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        # Qt may deliver events while the Python wrapper is half built or torn down.
        window = getattr(self, "_window", None)
        if window is not None and watched is window and event.type() == QEvent.Type.Close:
            self.save()
        return False
