"""The fonts of the printed documents, so that every name prints as it was written.

Refugees' and visitors' names come in Arabic and Ethiopic script as well as Latin. Reportlab
draws each run of text in one font and knows nothing of joining or right-to-left order, so a
paragraph is cut into runs by script: Latin, Greek and Cyrillic in Noto Sans, Arabic in Noto Sans
Arabic (its letters joined and laid right to left first), Ethiopic in Noto Sans Ethiopic.
The fonts ship with the package (src/daftari/documents/fonts, SIL Open Font License 1.1).
"""

import re
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONTS = Path(__file__).with_name("fonts")
SANS, ARABIC, ETHIOPIC = "DaftariSans", "DaftariArabic", "DaftariEthiopic"
_FILES = {SANS: "NotoSans", ARABIC: "NotoSansArabic", ETHIOPIC: "NotoSansEthiopic"}

_ARABIC_LETTERS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_ETHIOPIC_LETTERS = "\u1200-\u139f\u2d80-\u2ddf\uab00-\uab2f"
# A run of one script: the spaces between its words belong to it, so a two-word Arabic name
# keeps its word order when the run is laid right to left.
_RUNS = re.compile(
    rf"(?P<arabic>[{_ARABIC_LETTERS}]+(?:\s+[{_ARABIC_LETTERS}]+)*)"
    rf"|(?P<ethiopic>[{_ETHIOPIC_LETTERS}]+(?:\s+[{_ETHIOPIC_LETTERS}]+)*)"
)


@cache
def register() -> str:
    """Registers the three families once per process; returns the body font's name."""
    for name, stem in _FILES.items():
        regular, bold = f"{name}", f"{name}-Bold"
        pdfmetrics.registerFont(TTFont(regular, FONTS / f"{stem}-Regular.ttf"))
        pdfmetrics.registerFont(TTFont(bold, FONTS / f"{stem}-Bold.ttf"))
        for italic in (0, 1):
            addMapping(name, 0, italic, regular)
            addMapping(name, 1, italic, bold)
    return SANS


def markup(text: str) -> str:
    """``text`` as paragraph markup: escaped, with each non-Latin run in the font that has its letters."""
    parts: list[str] = []
    end = 0
    for match in _RUNS.finditer(text):
        parts.append(escape(text[end : match.start()]))
        if match.group("arabic"):
            shown = get_display(arabic_reshaper.reshape(match.group("arabic")))
            parts.append(f'<font name="{ARABIC}">{escape(shown)}</font>')
        else:
            parts.append(f'<font name="{ETHIOPIC}">{escape(match.group("ethiopic"))}</font>')
        end = match.end()
    parts.append(escape(text[end:]))
    return "".join(parts)
