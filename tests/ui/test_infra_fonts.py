"""The shipped CJK font loads and really draws Chinese glyphs (not boxes)."""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QRawFont  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ui import fonts  # noqa: E402

SAMPLE = "营业厅窗口号"
UNASSIGNED = "\ue000"  # private use: no glyph in any normal font -> drawn as a box / nothing


def _render(text: str, font: QFont) -> QImage:
    image = QImage(60 * len(text) + 20, 80, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
    painter.end()
    return image


def _ink(image: QImage) -> int:
    """Number of non-white pixels."""
    white = QColor("white").rgb()
    return sum(
        1 for y in range(image.height()) for x in range(image.width()) if image.pixel(x, y) != white
    )


@pytest.fixture
def family(qapp: QApplication) -> str:
    return fonts.install_cjk_font(qapp)


def test_resource_path_points_into_repo_resources() -> None:
    path = fonts.resource_path("fonts", "OFL.txt")
    assert path.is_file()
    assert path.parent.parent.name == "resources"


def test_resource_path_uses_pyinstaller_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert fonts.resource_path("styles", "app.qss") == tmp_path / "resources" / "styles" / "app.qss"


def test_family_loads_and_becomes_application_font(qapp: QApplication, family: str) -> None:
    assert family == "Noto Sans SC"
    assert family in fonts.load_cjk_fonts()
    assert qapp.font().family() == family


def test_raw_font_supports_every_sample_character(family: str) -> None:
    for bold in (False, True):
        font = fonts.cjk_font(24, bold=bold)
        raw = QRawFont.fromFont(font)
        assert raw.isValid()
        assert raw.familyName() == family
        # Pass code points: PySide6 6.12 converts a one-character str wrongly for
        # U+7000..U+7FFF (e.g. 窗), which would make this test lie.
        for char in SAMPLE:
            assert raw.supportsCharacter(ord(char)), char
        assert not raw.supportsCharacter(ord(UNASSIGNED))


def _assert_real_glyphs(font: QFont) -> None:
    box = _render(UNASSIGNED, font)
    for char in SAMPLE:
        glyph = _render(char, font)
        assert _ink(glyph) > 30, f"{char} drew nothing"
        assert glyph != box, f"{char} drew the same as a missing glyph"
    whole = _render(SAMPLE, font)
    assert whole != _render(UNASSIGNED * len(SAMPLE), font)


def test_chinese_renders_as_glyphs_not_boxes(family: str) -> None:
    _assert_real_glyphs(fonts.cjk_font(28))


def test_default_application_font_renders_chinese(qapp: QApplication, family: str) -> None:
    _assert_real_glyphs(QFont(qapp.font()))


def test_windows_family_names_fall_back_to_shipped_font(family: str) -> None:
    """A style written for Windows ("Microsoft YaHei") still shows Chinese elsewhere."""
    font = QFont("Microsoft YaHei")
    font.setPointSize(28)
    _assert_real_glyphs(font)
