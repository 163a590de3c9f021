"""Finding a CJK font for Chinese labels in matplotlib pictures, offline.

The pictures need a font with Chinese glyphs. jiqun ships none: it uses one installed on the machine
(the set-up installs the Debian package ``fonts-noto-cjk``, SIL Open Font License, see README "Quick
start"), found through matplotlib's font list, then by scanning the system font folders for the file
names of common CJK fonts, or given explicitly by the environment variable ``JIQUN_CJK_FONT`` (path of a
.ttf/.otf/.ttc file). When none is found :func:`cjk_font_family` raises :class:`CJKFontMissing` with one
line saying how to install one: a picture with empty boxes instead of characters is never produced.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming a font file to use for Chinese labels.
FONT_ENV = "JIQUN_CJK_FONT"

#: Families with Chinese glyphs, preferred first (Simplified Chinese variants before the others).
PREFERRED_FAMILIES = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
    "Sarasa Gothic SC", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "AR PL UMing CN",
    "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Serif CJK SC", "Source Han Serif SC",
)

#: Pieces of font file names (lower case) that mark a CJK font, used when matplotlib's cached list lacks it.
CJK_FILE_MARKS = ("notosanscjk", "notoserifcjk", "notosanssc", "sourcehan", "wqy", "msyh", "simhei",
                  "simsun", "pingfang", "sarasa", "uming", "ukai")

INSTALL_HINT = ("no CJK font found for the Chinese labels of the picture 未找到中文字体: install one, e.g. "
                "`apt-get install fonts-noto-cjk` (Debian/Ubuntu), or set JIQUN_CJK_FONT=/path/to/font.ttf")


class CJKFontMissing(RuntimeError):
    """No font with Chinese glyphs is available to matplotlib."""


def _known_families() -> set[str]:
    from matplotlib import font_manager

    return {entry.name for entry in font_manager.fontManager.ttflist}


def _first_preferred(families: set[str]) -> str | None:
    for family in PREFERRED_FAMILIES:
        if family in families:
            return family
    return None


def _add_font_file(path: str) -> set[str]:
    """Register one font file with matplotlib; the families it added."""
    from matplotlib import font_manager

    before = len(font_manager.fontManager.ttflist)
    font_manager.fontManager.addfont(path)
    return {entry.name for entry in font_manager.fontManager.ttflist[before:]}


def cjk_font_family() -> str:
    """Name of a font family with Chinese glyphs, registering its file with matplotlib if needed.

    Order: the file named by ``JIQUN_CJK_FONT``; a preferred family matplotlib already knows; a CJK font
    file found in the system font folders (matplotlib's cached list may predate its installation).

    Raises
    ------
    CJKFontMissing
        When ``JIQUN_CJK_FONT`` names a missing or unreadable file, or no CJK font is installed.
    """
    explicit = os.environ.get(FONT_ENV)
    if explicit:
        if not Path(explicit).is_file():
            raise CJKFontMissing(f"{FONT_ENV}={explicit}: no such font file; point it to a .ttf/.otf/.ttc file "
                                 "with Chinese glyphs or unset it")
        try:
            added = _add_font_file(explicit)
        except (OSError, RuntimeError, ValueError) as exc:
            raise CJKFontMissing(f"{FONT_ENV}={explicit}: cannot read the font ({exc})") from exc
        family = _first_preferred(added) or (sorted(added)[0] if added else None)
        if family is None:
            raise CJKFontMissing(f"{FONT_ENV}={explicit}: the file holds no usable font")
        return family
    family = _first_preferred(_known_families())
    if family is not None:
        return family
    from matplotlib import font_manager

    scanned: set[str] = set()
    for path in sorted(font_manager.findSystemFonts()):
        if any(mark in Path(path).name.lower() for mark in CJK_FILE_MARKS):
            try:
                scanned |= _add_font_file(path)
            except (OSError, RuntimeError, ValueError):
                continue
    family = _first_preferred(_known_families()) or (sorted(scanned)[0] if scanned else None)
    if family is None:
        raise CJKFontMissing(INSTALL_HINT)
    return family
