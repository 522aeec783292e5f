"""SMS text: diacritics, GSM-7 or UCS-2, and how many parts a message costs (pure).

A message fits 160 characters (153 per part when split) only if every character
is in the GSM 03.38 alphabet; one other character switches the whole message to
UCS-2: 70 characters (67 per part). Vietnamese letters with diacritics are outside
GSM-7, so SMS go without them ("không dấu") unless the contract allows Unicode.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

Encoding = Literal["gsm7", "ucs2"]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Sent as ESC + character: each costs two septets.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE = {"gsm7": 160, "ucs2": 70}
PER_PART = {"gsm7": 153, "ucs2": 67}  # the rest of each part is the concatenation header

# đ/Đ do not decompose under NFD; typographic punctuation has plain GSM equivalents.
_TRANSLITERATE = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "—": "-",
        "–": "-",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "…": "...",
        "\u00a0": " ",
    }
)


@dataclass(frozen=True)
class SmsText:
    text: str
    encoding: Encoding
    segments: int


def strip_diacritics(text: str) -> str:
    """Vietnamese without tone and vowel marks: "Đề nghị cập nhật" → "De nghi cap nhat"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_TRANSLITERATE))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def encoding_of(text: str) -> Encoding:
    return "gsm7" if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text) else "ucs2"


def _units(char: str, encoding: Encoding) -> int:
    if encoding == "gsm7":
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1  # UTF-16: a surrogate pair is two code units


def segment_count(text: str) -> int:
    """Parts needed to send `text` (an empty message is still one part).

    A two-unit character (a GSM-7 escape, a UTF-16 surrogate pair) is never split
    across parts, so parts are packed greedily rather than by dividing the length.
    """
    encoding = encoding_of(text)
    weights = [_units(c, encoding) for c in text]
    if sum(weights) <= SINGLE[encoding]:
        return 1
    parts, used = 1, 0
    for weight in weights:
        if used + weight > PER_PART[encoding]:
            parts, used = parts + 1, 0
        used += weight
    return parts


def prepare_sms(text: str, keep_diacritics: bool) -> SmsText:
    """The text as it will be sent, NFC-normalised, with its encoding and part count."""
    body = unicodedata.normalize("NFC", text.strip())
    if not keep_diacritics:
        body = strip_diacritics(body)
    return SmsText(text=body, encoding=encoding_of(body), segments=segment_count(body))
