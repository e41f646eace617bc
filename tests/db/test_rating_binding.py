"""Binding a pad from its own terminal: the credential file is private, and it works."""

from __future__ import annotations

import stat
from types import SimpleNamespace

import pytest
from rating_support import counter_id, pad_for, serve

from hall_app.config import Settings
from hall_app.errors import ConfigError, PermissionDenied
from hall_app.services.ratings import load_credential
from hall_app.services.ratings.bind_cli import bind_main
from hall_app.services.ratings.pads import credential_path


def test_a_manager_binds_the_pad_and_the_token_file_is_private(hall, clerk, db_url, tmp_path,
                                                                 monkeypatch, capsys):
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path / "data"))
    answers = iter(["2001"])
    # The demo hall's default PINs, run as the demo does (elsewhere they must be changed).
    code = bind_main(SimpleNamespace(counter=1), Settings(database_url=db_url, demo=True),
                     ask=lambda _prompt: next(answers), ask_secret=lambda _prompt: "2468")
    assert code == 0 and "已将本机评价器绑定到1号窗口" in capsys.readouterr().out
    path = credential_path("DEMO", 1)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    credential = load_credential("DEMO", 1)
    assert credential is not None and credential.counter_id == counter_id(hall, 1)
    assert credential.token not in repr(credential)
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    pad_for(hall, credential).rate(serve(hall, clerk, c1).id, "satisfied")


def test_a_clerk_cannot_bind_a_pad(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(PermissionDenied):
        bind_main(SimpleNamespace(counter=1), Settings(database_url=db_url),
                  ask=lambda _prompt: "1001", ask_secret=lambda _prompt: "1234")
    assert load_credential("DEMO", 1) is None


def test_a_damaged_credential_file_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path / "data"))
    path = credential_path("DEMO", 2)
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_credential("DEMO", 2)
    assert "重新绑定" in err.value.message
