"""The window self-check the bundle smoke run relies on: it must fail on boxes and English.

A font without CJK glyphs is made from the shipped one (fonttools, Latin letters only,
renamed), so the test does not depend on which fonts the machine has.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtGui import QFont, QFontDatabase  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hall_app.resources import resource_path  # noqa: E402
from ui import app_runtime, self_check  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def latin_only_family(tmp_path) -> str:  # type: ignore[no-untyped-def]
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path = tmp_path / "latin.ttf"
    font = TTFont(str(resource_path("fonts", "NotoSansSC-Regular.ttf")))
    options = subset.Options()
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 4, 6, 16):
            record.string = "HallLatinOnly"
    font.save(str(path))
    font_id = QFontDatabase.addApplicationFont(str(path))
    assert font_id >= 0
    [family] = QFontDatabase.applicationFontFamilies(font_id)
    return family


def _window(qtbot, *widgets: QWidget) -> QWidget:  # type: ignore[no-untyped-def]
    top = QWidget()
    layout = QVBoxLayout(top)
    for widget in widgets:
        layout.addWidget(widget)
    qtbot.addWidget(top)
    top.resize(320, 200)
    with qtbot.waitExposed(top):
        top.show()
    return top


def test_chinese_in_the_shipped_font_passes(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app_runtime.create_app("counter", logging_to_file=False)
    top = _window(qtbot, QLabel("请A012号顾客到3号窗口办理"), QPushButton("叫号"))
    findings = self_check.inspect(tmp_path, "counter")
    top.close()
    assert findings.ok, findings.lines()
    assert findings.chinese == 12
    assert (tmp_path / "counter-1.png").stat().st_size > 0


def test_a_font_without_chinese_glyphs_fails(qtbot, tmp_path, latin_only_family) -> None:  # type: ignore[no-untyped-def]
    label = QLabel("营业厅")
    label.setFont(QFont(latin_only_family))
    top = _window(qtbot, label)
    findings = self_check.inspect(tmp_path, "counter")
    top.close()
    assert not findings.ok
    assert [m[0] for m in findings.missing] == ["营", "业", "厅"]


def test_an_english_standard_button_fails(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    top = _window(qtbot, QLabel("确认闭厅"), QPushButton("Cancel"))
    findings = self_check.inspect(tmp_path, "admin")
    top.close()
    assert not findings.ok
    assert findings.english == ["QWidget: Cancel"]


def test_standard_buttons_speak_chinese_once_the_app_is_created(qtbot) -> None:  # type: ignore[no-untyped-def]
    app_runtime.create_app("admin", logging_to_file=False)
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                           | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_the_kiosk_checks_itself_and_exits(sqlite_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HALL_DATABASE_URL=sqlite_url,
               HALL_SELF_CHECK_DIR=str(tmp_path / "shots"), HALL_LOG_DIR=str(tmp_path / "logs"),
               HALL_UI_SETTINGS_DIR=str(tmp_path / "ui"))
    done = subprocess.run([sys.executable, "-m", "hall_app.cli", "kiosk"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    summary = (tmp_path / "shots" / "kiosk.txt").read_text(encoding="utf-8")
    assert done.returncode == 0, summary + done.stderr
    assert "result: ok" in summary and "characters without a glyph: 0" in summary
    assert (tmp_path / "shots" / "kiosk-1.png").is_file()
