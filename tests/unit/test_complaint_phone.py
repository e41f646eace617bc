"""Phone validation (mainland formats) and masking for display, export and print."""

from __future__ import annotations

import pytest

from hall_app.domain.roles import Actor, Role
from hall_app.errors import ValidationError
from hall_app.phone import is_valid_phone, mask_phone, normalize_phone, shown_phone


@pytest.mark.parametrize(("raw", "normal"), [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("8613812345678", "13812345678"),
    ("19912345678", "19912345678"),
    ("010-12345678", "010-12345678"),
    ("(010)12345678", "010-12345678"),
    ("(021)87654321", "021-87654321"),
    ("02112345678", "021-12345678"),
    ("0571-8765432", "0571-8765432"),
    ("0571 87654321", "0571-87654321"),
    ("010-12345678-123", "010-12345678-123"),
    ("0571-87654321转88", "0571-87654321-88"),
])
def test_valid_numbers_are_normalised(raw, normal):
    assert normalize_phone(raw) == normal
    assert is_valid_phone(raw)


@pytest.mark.parametrize(("raw", "message_part"), [
    ("", "请填写客户联系电话"),
    ("   ", "请填写客户联系电话"),
    ("1381234567", "应为11位,现在是10位"),
    ("138123456789", "应为11位,现在是12位"),
    ("12812345678", "应以13–19开头"),
    ("87654321", "请加区号"),
    ("6543210", "请加区号"),
    ("0101234567", "固定电话格式不对"),
    ("057112345", "固定电话格式不对"),
    ("138abc45678", "只能包含数字"),
    ("13812345678转12", "不能带分机号"),
    ("999", "11位手机号码"),
])
def test_invalid_numbers_say_what_is_wrong_beside_the_phone_field(raw, message_part):
    with pytest.raises(ValidationError) as err:
        normalize_phone(raw)
    assert message_part in err.value.message
    assert err.value.field == "phone"
    assert not is_valid_phone(raw)


@pytest.mark.parametrize(("number", "masked"), [
    ("13812341234", "138****1234"),
    ("010-12345678", "010-****5678"),
    ("0571-8765432", "0571-***5432"),
    ("0571-87654321-88", "0571-****4321"),
    ("", ""),
    (None, ""),
    ("12-34", "**-**"),
    ("+1 415 555 0100", "+* *** *** 0100"),
])
def test_mask_phone_hides_the_middle(number, masked):
    assert mask_phone(number) == masked


def test_mask_phone_never_reveals_more_than_the_last_four_digits_of_a_mobile():
    masked = mask_phone("13998765432")
    assert masked.startswith("139") and masked.endswith("5432")
    assert "8765" not in masked


def test_shown_phone_follows_the_view_phone_permission():
    clerk = Actor(1, Role.CLERK)
    manager = Actor(2, Role.DUTY_MANAGER)
    assert shown_phone("13812341234", clerk) == "138****1234"
    assert shown_phone("13812341234", manager) == "13812341234"
    assert shown_phone("13812341234", None) == "138****1234"
