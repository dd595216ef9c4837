"""Organisationsnummer: accepted spellings, Luhn check digit, clear errors."""

from __future__ import annotations

import pytest

from tillit.common.errors import ApplicationError
from tillit.common.org_numbers import OrgNumberError, normalize_org_number

# First nine digits; the tenth (check digit) is computed below, independently of stdnum.
BASES = ["212000014", "556036079", "802002425", "969650123", "232100018"]


def luhn_check_digit(nine_digits: str) -> str:
    """Swedish Luhn: weights 2,1,2,1,... from the left; digit sums; up to the next ten."""
    total = 0
    for position, char in enumerate(nine_digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def valid_numbers() -> list[str]:
    return [base + luhn_check_digit(base) for base in BASES]


def test_luhn_helper_agrees_with_a_hand_computed_number() -> None:
    # 2 1 2 0 0 0 0 1 4 weighted 2,1,2,1,2,1,2,1,2 -> 4 1 4 0 0 0 0 1 8 = 18 -> check digit 2.
    assert luhn_check_digit("212000014") == "2"


@pytest.mark.parametrize("digits", valid_numbers())
def test_valid_numbers_in_every_accepted_spelling(digits: str) -> None:
    expected = f"{digits[:6]}-{digits[6:]}"
    for raw in (
        digits,
        expected,
        f"  {expected} ",
        f"\t{digits}\n",
        f"16{digits}",
        f"16{expected}",
        f" 16{digits} ",
    ):
        assert normalize_org_number(raw) == expected, raw


def test_municipal_style_example() -> None:
    # Checked by hand above (check digit 2) and by stdnum: a valid "212000-" number.
    assert normalize_org_number("2120000142") == "212000-0142"


@pytest.mark.parametrize("digits", valid_numbers())
def test_every_other_check_digit_is_rejected(digits: str) -> None:
    for wrong in range(10):
        if str(wrong) == digits[-1]:
            continue
        bad = digits[:-1] + str(wrong)
        with pytest.raises(OrgNumberError) as excinfo:
            normalize_org_number(f"{bad[:6]}-{bad[6:]}")
        error = excinfo.value
        assert error.code == "org_number.invalid"
        assert error.context["reason"] == "check_digit"
        assert f"{bad[:6]}-{bad[6:]}" in str(error)  # the sentence names the value


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "212000014",  # nine digits
        "21200001422",  # eleven digits
        "212000-014",
        "212000-01422",
        "16212000014",  # the 16 prefix with nine digits
        "262120000142",  # twelve digits with another prefix
        "21200O-0142",  # letter O for zero
        "abcdef-ghij",
        "SE212000014201",  # the VAT number is another identifier
        "2120-000142",  # hyphen in the wrong place
        "212000 0142",  # space inside
        "212000--0142",
        "16-212000-0142",
        "٢١٢٠٠٠٠١٤٢",  # Arabic-Indic digits
    ],
)
def test_malformed_values_are_rejected(raw: str) -> None:
    with pytest.raises(OrgNumberError) as excinfo:
        normalize_org_number(raw)
    error = excinfo.value
    assert isinstance(error, ApplicationError)
    assert error.code == "org_number.invalid"
    assert error.context["reason"] == "format"
    assert raw.strip() in str(error)
    assert "NNNNNN-NNNN" in str(error)  # says what to write instead


def test_a_personnummer_typed_as_org_number_is_not_echoed_in_full() -> None:
    # A sole trader's organisationsnummer is a personnummer; in the 12-digit form it is
    # rejected and shown masked. Serial 000 is never issued, so this identifies nobody.
    raw = "19000101-0000"
    with pytest.raises(OrgNumberError) as excinfo:
        normalize_org_number(raw)
    assert "19000101-****" in str(excinfo.value)
    assert raw not in str(excinfo.value) and raw not in repr(excinfo.value.context)
