"""Text written to CSV and XLSX is neutralised against formula injection."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
        return True
    except ValueError:
        return False


def safe_text(text: str) -> str:
    """Text starting with = + - @ (and not a number) gets a leading apostrophe so spreadsheets do not run it."""
    return "'" + text if text.startswith(FORMULA_START) and not _number(text) else text
