"""Text folding for matching Vietnamese headers and labels."""

import re
import unicodedata

_SPACES = re.compile(r"[\s_]+")


def fold(value: object) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d), treat ``_`` as a space and collapse spaces.

    >>> fold("  Ngày  tiếp nhận ")
    'ngay tiep nhan'
    >>> fold("Đơn_vị")
    'don vi'
    """
    text = str(value).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text).strip().lower()
