"""The web's pure rules: the sealed session cookie, CSRF tokens, who opens which unit, the entry form."""

from __future__ import annotations

from bdhvs_shared.auth.caller import Role
from bdhvs_shared.catalogue import load_catalogue
from web.domain.entry_form import blocks, raw_from_values, read
from web.domain.session import Session, Viewer, csrf_ok, csrf_token, seal, unseal

KEY = b"k" * 32
CLERK = Viewer("canbo", "Cán bộ", Role.COMMUNE, "09313")


def test_a_sealed_session_reads_back_and_an_altered_one_does_not() -> None:
    value = seal(KEY, Session("tok-1", CLERK))
    assert unseal(KEY, value) == Session("tok-1", CLERK)
    data, mac = value.split(".")
    forged = seal(KEY, Session("tok-1", Viewer("canbo", "Cán bộ", Role.ADMIN)))
    assert unseal(KEY, f"{forged.split('.')[0]}.{mac}") is None  # another role under the old signature
    assert unseal(b"x" * 32, value) is None
    assert unseal(KEY, data) is None and unseal(KEY, None) is None and unseal(KEY, "a.b.c") is None


def test_a_csrf_token_is_bound_to_its_session() -> None:
    token = csrf_token(KEY, "tok-1")
    assert csrf_ok(KEY, "tok-1", token)
    assert (
        not csrf_ok(KEY, "tok-2", token) and not csrf_ok(KEY, "tok-1", None) and not csrf_ok(KEY, "", token)
    )


def test_a_clerk_opens_its_own_unit_and_the_province_only() -> None:
    assert CLERK.may_open_unit("09313", "24") and CLERK.may_open_unit("24", "24")
    assert not CLERK.may_open_unit("09292", "24")
    assert Viewer("op", "Sở", Role.OPERATOR).may_open_unit("09292", "24")
    # The province is the catalogue's: with another province's (code 01), Bắc Ninh's 24 is not it.
    assert CLERK.may_open_unit("01", "01") and not CLERK.may_open_unit("24", "01")


def test_the_entry_form_names_its_inputs_as_the_api_names_its_fields() -> None:
    catalogue = load_catalogue()
    names = [f.name for b in blocks(catalogue, catalogue.forms["monthly"]) for f in b.fields]
    assert names == [
        "values.c.numerator",
        "values.c.denominator",
        "values.d.numerator",
        "values.d.denominator",
    ]
    youth = [f for b in blocks(catalogue, catalogue.forms["youth_weekly"]) for f in b.fields]
    assert any(f.kind == "yes_no" for f in youth) and any(".parts." in f.name for f in youth)


def test_typed_figures_make_the_body_and_a_word_is_refused_at_its_field() -> None:
    catalogue = load_catalogue()
    posted = {
        "values.c.numerator": "15.000",
        "values.c.denominator": "",
        "values.d.numerator": "chín",
        "values.d.denominator": "18000",
        "csrf": "x",
    }
    typed = read(catalogue, catalogue.forms["monthly"], "09313", "2026-03", posted, confirm=False)
    assert [(p.code, p.field) for p in typed.problems] == [("field.not_whole_number", "values.d.numerator")]
    assert typed.raw["values.d.numerator"] == "chín"  # kept as typed
    assert typed.body["values"]["c"] == {"numerator": 15000}  # empty denominator: left out (the estimate)
    ok = read(
        catalogue,
        catalogue.forms["monthly"],
        "09313",
        "2026-03",
        {**posted, "values.d.numerator": "9000"},
        True,
    )
    assert ok.problems == [] and ok.body["confirm"] is True
    assert ok.body["values"]["d"] == {"numerator": 9000, "denominator": 18000}
    assert raw_from_values(ok.body["values"])["values.d.denominator"] == "18000"
