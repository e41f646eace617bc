"""Every `hall-app` role opens the module and function hall_app/cli.py names for it.

The roles are imported lazily (only when chosen), so a moved window would otherwise
show up only as 「尚未包含…」 when a user starts that role.
"""

from __future__ import annotations

import importlib
import inspect
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from hall_app.cli import ENTRY_POINTS  # noqa: E402


@pytest.mark.parametrize("role", sorted(ENTRY_POINTS))
def test_role_entry_point_is_importable(role: str) -> None:
    module_name, function_name = ENTRY_POINTS[role].split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    assert list(inspect.signature(function).parameters)[:2] == ["args", "settings"]


def test_every_window_role_lives_in_its_ui_package() -> None:
    windows = {role: target for role, target in ENTRY_POINTS.items()
               if role in ("counter", "overview", "kiosk", "display", "admin")}
    assert windows == {role: f"ui.{role}.window:main" for role in windows}
    assert len(windows) == 5
