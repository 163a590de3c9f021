"""Static pictures for reports (SVG and PNG), drawn from tables the analytics return."""

from .chain import chain_picture
from .fonts import CJKFontMissing, cjk_font_family

__all__ = ["CJKFontMissing", "chain_picture", "cjk_font_family"]
