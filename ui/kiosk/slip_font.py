"""A per-slip subset of the shipped CJK font, so the printed/PDF text stays searchable.

Qt 6.12 writes a broken ToUnicode map for the full Noto Sans SC (digits are lost and
示/人/民 come out as Kangxi radicals in `pdftotext`), because the font maps radicals and
ideographs to the same glyphs. A small subset holding only the slip's characters, with a
plain BMP cmap and no radical code points, prints identically and extracts correctly.
Used on the printing worker thread; falls back to the shipped font if subsetting fails.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QFontDatabase

from hall_app.resources import resource_path
from ui.fonts import CJK_FAMILY, FONT_FILES

log = logging.getLogger(__name__)

SLIP_FAMILIES = ("Hall Slip Sans", "Hall Slip Sans Bold")
_RADICALS = range(0x2E80, 0x2FE0)  # CJK Radicals Supplement + Kangxi Radicals


def _subset_font(path: str, text: str, family: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(path, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    cmap = font["cmap"]
    cmap.tables = [t for t in cmap.tables if t.format == 4]
    for table in cmap.tables:
        table.cmap = {cp: g for cp, g in table.cmap.items() if cp not in _RADICALS}
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = family
        elif record.nameID in (2, 17):
            record.string = "Regular"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@contextmanager
def slip_fonts(text: str) -> Iterator[tuple[str, str]]:
    """(regular family, bold family) covering `text`, registered for the duration."""
    ids: list[int] = []
    try:
        families = []
        for file_name, family in zip(FONT_FILES, SLIP_FAMILIES, strict=True):
            data = _subset_font(str(resource_path("fonts", file_name)), text, family)
            font_id = QFontDatabase.addApplicationFontFromData(QByteArray(data))
            if font_id < 0:
                raise RuntimeError(f"Qt refused the subset of {file_name}")
            ids.append(font_id)
            families.append(QFontDatabase.applicationFontFamilies(font_id)[0])
        chosen = (families[0], families[1])
    except Exception:
        log.warning("Slip font subset failed; using the shipped font", exc_info=True)
        for font_id in ids:
            QFontDatabase.removeApplicationFont(font_id)
        ids = []
        chosen = (CJK_FAMILY, "")
    try:
        yield chosen
    finally:
        for font_id in ids:
            QFontDatabase.removeApplicationFont(font_id)
