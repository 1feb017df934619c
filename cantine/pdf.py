"""Shared reportlab setup: fonts that print French (œ, €, ’) and the house styles.

reportlab's built-in Helvetica is Latin-1 only; the Bitstream Vera fonts shipped inside the
reportlab package cover what French menus and reports need, with nothing to install.
"""

from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(reportlab.__file__).parent / "fonts"
GREEN = colors.HexColor("#2f7a4a")
LIGHT = colors.HexColor("#eef3ef")
MUTED = colors.HexColor("#5b6b62")


@cache
def register_fonts() -> None:
    for name, file in [
        ("Vera", "Vera.ttf"),
        ("Vera-Bold", "VeraBd.ttf"),
        ("Vera-Italic", "VeraIt.ttf"),
        ("Vera-BoldItalic", "VeraBI.ttf"),
    ]:
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    pdfmetrics.registerFontFamily(
        "Vera", normal="Vera", bold="Vera-Bold", italic="Vera-Italic", boldItalic="Vera-BoldItalic"
    )


@cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["Normal"], fontName="Vera", fontSize=9, leading=11)
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontName="Vera-Bold", fontSize=16, leading=20, textColor=GREEN
        ),
        "heading": ParagraphStyle("heading", parent=body, fontName="Vera-Bold", fontSize=10),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7, leading=9, textColor=MUTED),
        "italic": ParagraphStyle("italic", parent=body, fontName="Vera-Italic", fontSize=7.5),
    }
