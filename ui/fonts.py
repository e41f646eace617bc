"""Shipped CJK font and resource paths.

The hall's workstations may have no Chinese system font (a fresh Linux image, a
stripped-down kiosk). Every window therefore uses the Noto Sans SC font shipped in
``resources/fonts`` (SIL Open Font License, see ``resources/fonts/OFL.txt``), so
Chinese text never renders as empty boxes.

Usage (done for you by :func:`ui.app_runtime.create_app`)::

    family = install_cjk_font(app)   # "Noto Sans SC"

``resource_path`` finds files under ``resources/`` both when running from the
repository and from a PyInstaller bundle (which unpacks data to ``sys._MEIPASS``;
the spec must ship the folder as ``("resources", "resources")``).
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from hall_app.resources import resource_path

log = logging.getLogger(__name__)

#: Font files shipped in resources/fonts, loaded in this order.
FONT_FILES = ("NotoSansSC-Regular.ttf", "NotoSansSC-Bold.ttf")
#: Family name the shipped files register; used if loading fails, so Qt can still
#: pick a system copy of the same font.
CJK_FAMILY = "Noto Sans SC"
#: Families a window or style sheet may name; mapped to the shipped font so that a
#: style written on a Windows machine ("Microsoft YaHei") still shows glyphs elsewhere.
_SUBSTITUTED_FAMILIES = (
    "Microsoft YaHei",
    "微软雅黑",
    "SimHei",
    "黑体",
    "SimSun",
    "宋体",
    "PingFang SC",
    "Sans Serif",
    "sans-serif",
    "Arial",
    "Helvetica",
    "Segoe UI",
)

_loaded_families: list[str] | None = None


def load_cjk_fonts() -> list[str]:
    """Register the shipped font files with Qt (once per process). Returns their families.

    Needs a QGuiApplication. A missing or unreadable file is logged, not raised:
    the app still starts, using whatever fonts the system has.
    """
    global _loaded_families
    if _loaded_families is not None:
        return list(_loaded_families)
    if QGuiApplication.instance() is None:
        raise RuntimeError("load_cjk_fonts() needs a QGuiApplication")
    families: list[str] = []
    for name in FONT_FILES:
        path = resource_path("fonts", name)
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("Could not load font file %s", path)
            continue
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if family not in families:
                families.append(family)
    _loaded_families = families
    log.info("Loaded CJK font families: %s", families or "(none)")
    return list(families)


def cjk_family() -> str:
    """Family name to use for Chinese text (the shipped font's, once loaded)."""
    families = _loaded_families or load_cjk_fonts()
    return families[0] if families else CJK_FAMILY


def cjk_font(point_size: float | None = None, *, bold: bool = False) -> QFont:
    """A QFont in the shipped CJK family, e.g. for big display labels."""
    font = QFont(cjk_family())
    if point_size is not None:
        font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def install_cjk_font(app: QGuiApplication) -> str:
    """Load the shipped font and make it the application font. Returns the family name.

    Keeps the application's current point size; also maps common Chinese and
    generic family names to the shipped font, so widgets or style sheets that
    name another family still get Chinese glyphs.
    """
    families = load_cjk_fonts()
    family = families[0] if families else CJK_FAMILY
    font = QFont(app.font())
    font.setFamilies([family])
    app.setFont(font)
    for name in _SUBSTITUTED_FAMILIES:
        if family not in QFont.substitutes(name):
            QFont.insertSubstitution(name, family)
    return family
