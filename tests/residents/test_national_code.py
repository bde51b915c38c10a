"""The Iranian national code's checksum (models.core.national_code): known codes, every single-digit
error and adjacent swap caught, Persian and Arabic digits, and properties over all nine-digit prefixes."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from models.core.national_code import check_digit, is_valid, normalise

# By hand: 0012345679: 0*10+0*9+1*8+2*7+3*6+4*5+5*4+6*3+7*2 = 112 = 10*11 + 2, so the check digit is 11-2 = 9;
# 1234567891: the sum is 210 = 19*11 + 1, and a remainder below 2 is the check digit itself.
VALID = ["0012345679", "1234567891", "0499370899", "0084575948"]
FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
AR = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def test_known_codes():
    for code in VALID:
        assert normalise(code) == code, code
    assert normalise("0012345678") is None            # the check digit is 9
    assert normalise("1111111111") is None            # the sum passes, but ten equal digits are not issued
    assert normalise("0000000000") is None
    assert normalise(19) == "0000000019" and normalise(-19) is None and normalise(10**10) is None
    for bad in ("", "abc", "12345", "00123456790", "12345678901", None, 12.5, True, "۱۲۳۴۵۶۷۸۹x", "１２３４５６７８９１"):
        assert normalise(bad) is None, bad


def test_persian_arabic_separators_and_lost_zeros():
    assert normalise("0012345679".translate(FA)) == "0012345679"
    assert normalise("0012345679".translate(AR)) == "0012345679"
    assert normalise(" 001-234567-9 ") == "0012345679"
    assert normalise("12345679") == "0012345679"      # a spreadsheet dropped the two leading zeros
    assert normalise(12345679) == "0012345679"


def _remainder(code: str) -> int:
    return sum(int(d) * (10 - i) for i, d in enumerate(code[:9])) % 11


def _code(prefix: int) -> str:
    nine = f"{prefix:09d}"
    return nine + str(check_digit(nine))


nine_digits = st.integers(min_value=0, max_value=999_999_999).filter(lambda p: len(set(f"{p:09d}")) > 1)


@given(nine_digits)
def test_every_prefix_has_exactly_one_check_digit(prefix):
    code = _code(prefix)
    if len(set(code)) == 1:
        return
    assert is_valid(code)
    assert [d for d in "0123456789" if is_valid(code[:9] + d)] == [code[9]]


@given(nine_digits, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_a_single_wrong_digit_is_caught(prefix, position, shift):
    code = _code(prefix)
    wrong = code[:position] + str((int(code[position]) + shift) % 10) + code[position + 1:]
    # 11 is prime and no weight is a multiple of it, so the remainder always moves; the one blind spot is
    # remainders 1 and 10, which both give the check digit 1
    assert not is_valid(wrong) or {_remainder(code), _remainder(wrong)} == {1, 10}


@given(nine_digits, st.integers(min_value=0, max_value=7))
def test_swapping_two_neighbours_is_caught(prefix, position):
    code = _code(prefix)
    if code[position] == code[position + 1]:
        return
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
    assert not is_valid(swapped) or {_remainder(code), _remainder(swapped)} == {1, 10}


@given(nine_digits, st.sampled_from([FA, AR, None]))
def test_any_digits_give_the_same_code(prefix, table):
    code = _code(prefix)
    written = code.translate(table) if table else code
    assert normalise(written) == code
