"""PINs: lockouts on the database's clock, a throttle across accounts, the PIN length, and
the demo's default PINs outside the demo.

Findings of issue 14 (each failed before the fix): moving the workstation clock forward
301 s per try found PIN 1234 in 105 s; trying 1234 on staff 1000–1010 opened 7 accounts.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from db.engine import Database
from hall_app.config import SecuritySettings, Settings
from hall_app.errors import PermissionDenied, PinChangeRequired, ValidationError
from hall_app.services import HallServices
from hall_app.services.context import ServiceContext
from tests.security.support import counter_id, staff_id


def strict_hall(url: str, clock, workstation: str = "pc-1", **security):  # type: ignore[no-untyped-def]
    """The demo hall's data, run as a real hall (not the demo)."""
    settings = Settings(database_url=url, security=SecuritySettings(**security))
    return HallServices(ServiceContext(Database(url), settings, clock, "DEMO",
                                       workstation=workstation))


@pytest.fixture
def real(hall, clock):  # type: ignore[no-untyped-def]
    services = strict_hall(hall.ctx.db.url, clock, workstation_failures=100)
    yield services
    services.close()


def _wrong(hall, staff_no: str = "1002", times: int = 1) -> str:  # type: ignore[no-untyped-def]
    message = ""
    for _ in range(times):
        with pytest.raises(PermissionDenied) as info:
            hall.auth.login(staff_no, "000000")
        message = info.value.message
    return message


def test_moving_the_workstation_clock_does_not_end_a_lockout(real, clock):
    assert _wrong(real, times=3) == "工号或密码错误。请5秒后再试。"
    clock.set(clock.now() + timedelta(seconds=301))  # someone sets the clock forward
    with pytest.raises(PermissionDenied, match="密码错误次数过多"):
        real.auth.login("1002", "1234")
    # Only time really passing ends it (PostgreSQL: the server's clock).
    if real.ctx.db.is_postgres:
        with real.ctx.write() as s:
            s.execute(text("UPDATE staff SET lock_started_at = lock_started_at "
                           "- interval '6 seconds' WHERE staff_no = '1002'"))
    else:
        clock.advance(6)
    assert real.auth.login("1002", "1234").staff_no == "1002"


def test_the_lockout_grows_with_every_further_wrong_pin(real, clock):
    _wrong(real, times=3)
    clock.advance(6)
    if real.ctx.db.is_postgres:
        with real.ctx.write() as s:
            s.execute(text("UPDATE staff SET lock_started_at = lock_started_at "
                           "- interval '6 seconds' WHERE staff_no = '1002'"))
    assert _wrong(real) == "工号或密码错误。请10秒后再试。"


def test_one_pin_tried_on_many_accounts_opens_few(hall, clock):
    """1234 on staff 1000–1010 from one workstation: at most 3 numbers are even checked."""
    sprayer = strict_hall(hall.ctx.db.url, clock, workstation="kiosk-corner")
    opened, refused = [], []
    for number in range(1000, 1011):
        try:
            sprayer.auth.login(str(number), "1234")
            opened.append(str(number))
        except PermissionDenied as exc:
            refused.append(exc.message)
    assert opened == ["1001", "1002"]  # 1000 does not exist; the 4th number locks the PC
    assert all("本机登录尝试过于频繁" in m for m in refused[1:])
    # Another workstation is not affected.
    other = strict_hall(hall.ctx.db.url, clock, workstation="counter-pc-5")
    assert other.auth.login("1005", "1234").staff_no == "1005"
    sprayer.close()
    other.close()


def test_the_throttle_does_not_lock_out_someone_who_mistyped(hall, clock):
    services = strict_hall(hall.ctx.db.url, clock, workstation="counter-pc-1")
    for _ in range(2):
        _wrong(services, "1001")
    assert services.auth.login("1001", "1234").staff_no == "1001"
    services.close()


def test_default_pins_must_be_changed_outside_the_demo(real, hall):
    actor = real.auth.login("1001", "1234")
    assert real.auth.must_change_pin(actor)
    with pytest.raises(PinChangeRequired, match="请先修改密码"):
        real.counters.sign_in(actor, counter_id(real, 1))
    with pytest.raises(ValidationError, match="密码应为6到8位数字"):
        real.auth.change_pin(actor, "1234", "4321")
    real.auth.change_pin(actor, "1234", "864213")
    real.counters.sign_in(actor, counter_id(real, 1))
    # In the demo the same default PIN is used as it is.
    demo_actor = hall.auth.login("1002", "1234")
    assert not hall.auth.must_change_pin(demo_actor)


def test_a_long_pin_from_a_file_is_still_a_default(real):
    """A 6-digit PIN written in clear in a configuration file must be changed too."""
    from hall_app.services.auth import hash_pin

    with real.ctx.write() as s:  # as create_hall leaves a member whose PIN was in the file
        s.execute(text("UPDATE staff SET default_pin = :t, pin_hash = :h "
                       "WHERE staff_no = '1003'"), {"t": True, "h": hash_pin("135790")})
    actor = real.auth.login("1003", "135790")
    assert real.auth.must_change_pin(actor)


def test_the_pin_length_is_configurable(hall, clock, admin):
    member = staff_id(hall, "1004")
    six = strict_hall(hall.ctx.db.url, clock)
    with pytest.raises(ValidationError, match="密码应为6到8位数字"):
        six.admin.reset_pin(admin, member, "2580")
    four = strict_hall(hall.ctx.db.url, clock, pin_length=4)
    four.admin.reset_pin(admin, member, "2580")
    actor = four.auth.login("1004", "2580")
    four.auth.change_pin(actor, "2580", "3691")
    assert not four.auth.must_change_pin(four.auth.login("1004", "3691"))
    six.close()
    four.close()
