"""SMS text: diacritics stripped by default, GSM-7 or UCS-2, and the parts it costs."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifier.domain.sms_text import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    encoding_of,
    prepare_sms,
    segment_count,
    strip_diacritics,
)

VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
VIETNAMESE = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + "0123456789 .,;:!?-()/%"
vietnamese_text = st.text(alphabet=VIETNAMESE, max_size=500)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Đề nghị đẩy nhanh tiến độ", "De nghi day nhanh tien do"),
        ("Xã Chi Lăng — chỉ tiêu đ", "Xa Chi Lang - chi tieu d"),
        ("ƯU TIÊN: Ồ, Ở, Ỡ", "UU TIEN: O, O, O"),
        ("plain ASCII stays", "plain ASCII stays"),
    ],
)
def test_diacritics_are_stripped(text: str, plain: str) -> None:
    assert strip_diacritics(text) == plain


def test_gsm7_and_ucs2_part_sizes() -> None:
    assert segment_count("a" * 160) == 1 and segment_count("a" * 161) == 2
    assert segment_count("a" * 306) == 2 and segment_count("a" * 307) == 3
    assert segment_count("ă" * 70) == 1 and segment_count("ă" * 71) == 2
    assert segment_count("ă" * 134) == 2 and segment_count("ă" * 135) == 3
    assert segment_count("") == 1


def test_extension_characters_count_double_and_are_not_split() -> None:
    assert encoding_of("{[€]}") == "gsm7"
    assert segment_count("€" * 80) == 1 and segment_count("€" * 81) == 2  # 162 septets
    # 152 plain septets then an escape pair: the pair does not fit the first part's last septet.
    assert segment_count("a" * 152 + "€" + "a" * 152) == 3


def test_one_vietnamese_letter_switches_the_whole_message_to_ucs2() -> None:
    assert encoding_of("Chi Lang") == "gsm7"
    assert encoding_of("Chi Lăng") == "ucs2"
    assert prepare_sms("Chi Lăng", keep_diacritics=True).encoding == "ucs2"
    assert prepare_sms("Chi Lăng", keep_diacritics=False).text == "Chi Lang"


@given(vietnamese_text)
def test_stripped_vietnamese_is_gsm7_with_one_character_per_letter(text: str) -> None:
    plain = strip_diacritics(text)
    assert encoding_of(plain) == "gsm7" and plain.isascii()
    assert len(plain) == len(text)
    assert strip_diacritics(plain) == plain


@given(st.text(alphabet=sorted(GSM7_BASIC), max_size=800))
def test_plain_gsm7_parts_are_the_length_over_153_past_160(text: str) -> None:
    expected = 1 if len(text) <= 160 else math.ceil(len(text) / 153)
    assert segment_count(text) == expected


@given(st.text(max_size=600), st.text(min_size=1, max_size=5))
def test_longer_text_never_costs_fewer_parts(text: str, more: str) -> None:
    if encoding_of(text) == encoding_of(text + more):
        assert segment_count(text + more) >= segment_count(text)
    assert segment_count(text) >= 1


@given(st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=600))
def test_every_part_of_a_gsm7_message_fits_153_septets(text: str) -> None:
    septets = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    parts = segment_count(text)
    assert septets <= (160 if parts == 1 else parts * 153)
    assert parts == 1 or septets > 160
