"""Opening the hall's database when a window starts: off the GUI thread, and with a
Chinese dialog that offers 重试 / 退出 when the database cannot be reached — never a
program that exits with 程序内部出错(OperationalError).

    services = open_services(settings, "取号机", role="kiosk")
    if services is None:        # the user chose 退出
        return 1

The core does the opening (`HallServices.open`: migrations, the hall row); every error is
a `HallError` with its own message (unreachable server, not a database, no such hall).
`ask` (tests) replaces the dialog: it gets the error and returns True to try again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from hall_app.errors import HallError, ProgramOutdated
from ui.ops import run_op

RETRY_HINT = "请检查网络和数据库服务器,或联系管理员。"


def ask_retry(title: str, error: HallError) -> bool:
    """The dialog: the error in Chinese, 重试 or 退出. True = try again."""
    # An outdated program: the network is fine, and trying again will not help.
    outdated = isinstance(error, ProgramOutdated)
    hint = "" if outdated else f"\n\n{RETRY_HINT}"
    box = QMessageBox(QMessageBox.Icon.Critical,
                      f"{title} - {'程序版本过旧' if outdated else '无法连接数据库'}",
                      f"{error.message}{hint}",
                      QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Close)
    box.button(QMessageBox.StandardButton.Retry).setText("重试")
    box.button(QMessageBox.StandardButton.Close).setText("退出")
    return box.exec() == QMessageBox.StandardButton.Retry


def _open_hall(factory: Callable[[Any], Any], settings: Any, role: str) -> Any:
    services = factory(settings)
    try:
        _ = services.ctx.hall  # fail here (worker thread) if the hall is missing
        services.set_role(role)
    except BaseException:
        services.close()
        raise
    return services


def open_services(settings: Any, title: str, *, role: str,
                  factory: Callable[[Any], Any] | None = None,
                  ask: Callable[[HallError], bool] | None = None) -> Any | None:
    """HallServices for `settings`, opened in a worker; None if the user gives up."""
    if factory is None:
        from hall_app.services import HallServices

        factory = HallServices.open
    ask = ask or (lambda error: ask_retry(title, error))
    loop = QEventLoop()
    state: dict[str, Any] = {}
    progress = QProgressDialog("正在连接数据库…", "", 0, 0)
    progress.setWindowTitle(title)
    progress.setCancelButton(None)
    progress.setWindowModality(Qt.WindowModality.ApplicationModal)
    progress.setMinimumDuration(0)

    def attempt() -> None:
        progress.show()
        run_op(lambda: _open_hall(factory, settings, role), on_success=opened,
               on_failure=failed, description=f"{role} start")

    def opened(services: Any) -> None:
        progress.hide()
        state["services"] = services
        loop.quit()

    def failed(error: HallError) -> None:
        progress.hide()
        if ask(error):
            attempt()
        else:
            loop.quit()

    QTimer.singleShot(0, attempt)
    loop.exec()
    progress.deleteLater()
    return state.get("services")
