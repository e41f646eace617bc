"""`config import --reset-pins` hashes and checks PINs before it takes the write lock:
with 200 staff the slow scrypt work inside the transaction held every kiosk for seconds."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace

from db.engine import Database
from hall_app import config_io
from hall_app.config import Settings
from hall_app.demo.seed import demo_config_path
from hall_app.hall_config import load_hall_config
from hall_app.services import HallServices, auth


def test_pins_are_hashed_before_the_write_transaction(sqlite_url, monkeypatch):
    settings = Settings(database_url=sqlite_url)
    services = HallServices.open(settings, migrate=False)
    admin = services.auth.login("9001", "9999")  # the administrator's login (issue 14)
    services.auth.change_pin(admin, "9999", "246813")
    admin = services.auth.login("9001", "246813")
    services.close()
    database = Database(sqlite_url)
    in_write = {"open": False}
    slow_calls_inside: list[str] = []
    original_write = Database.write

    @contextmanager
    def watched_write(self):  # type: ignore[no-untyped-def]
        in_write["open"] = True
        try:
            with original_write(self) as s:
                yield s
        finally:
            in_write["open"] = False

    def watch(fn):  # type: ignore[no-untyped-def]
        def wrapped(*args):  # type: ignore[no-untyped-def]
            if in_write["open"]:
                slow_calls_inside.append(fn.__name__)
            return fn(*args)
        return wrapped

    monkeypatch.setattr(Database, "write", watched_write)
    monkeypatch.setattr(auth, "hash_pin", watch(auth.hash_pin))
    monkeypatch.setattr(auth, "verify_pin", watch(auth.verify_pin))
    cfg = load_hall_config(demo_config_path())
    changed = replace(cfg, staff=tuple(
        replace(st, pin="4321") if st.staff_no == "1001" else st for st in cfg.staff))
    result = config_io.import_config(database, settings, changed, actor=admin,
                                     reset_pins=True)
    database.dispose()
    assert slow_calls_inside == []
    # Only the changed PINs are recorded as a change (1001's in the file, and 9001's, which
    # the administrator changed at first login); the unchanged ones keep their hash.
    assert [c for c in result.changes if "密码" in c] == [
        "员工 1001:密码 ****** → 已按文件重置", "员工 9001:密码 ****** → 已按文件重置"]
