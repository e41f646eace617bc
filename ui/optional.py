"""Features a window offers when this build has their module, found without importing it.

A window decides at start which buttons to show with `available` (the module's file is
looked up, not run), and imports the feature with `feature` on the first click: the
complaint forms, the report preview and the inspection dialog cost a window's start
≈ 50–100 ms when imported up front.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
from typing import Any

log = logging.getLogger(__name__)


def available(module: str) -> bool:
    """Whether `module` can be imported in this build (without importing it)."""
    if module in sys.modules:  # imported already, or blocked (None)
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def feature(module: str, name: str) -> Any:
    """`module.name`, imported now, or None when this build does not have it."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        log.info("optional feature %s.%s not available", module, name)
        return None
