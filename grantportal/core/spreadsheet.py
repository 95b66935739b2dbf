"""Cells for CSV and XLSX exports that no spreadsheet runs as a formula (CSV injection, OWASP).

Excel, WPS and LibreOffice start a formula at =, +, - or @, and also after leading spaces, line breaks or
invisible characters, and a tab or carriage return at the start of a cell is read as a cell boundary.
Every export passes its text through ``safe_cell``: such text gets a leading apostrophe (shown as text,
not run); numbers, dates and harmless text are returned as they are."""
import re

FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")  # and their full-width forms
# what a spreadsheet skips before it looks for a formula: whitespace (U+3000 included) and invisibles
_SKIPPED = re.compile(r"[\s\u00ad\u180e\u200b-\u200f\u2060\ufeff]*")


def safe_cell(value):
    """``value`` unchanged unless it is text a spreadsheet could run; then prefixed with ``'``."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "\t\r\n":
        return "'" + value
    rest = value[_SKIPPED.match(value).end():]
    if rest[:1] in FORMULA_START:
        return "'" + value
    return value
