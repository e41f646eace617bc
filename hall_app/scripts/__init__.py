"""Service scripts as data (full API docstring once complete)."""

from hall_app.scripts.cash import CashResult, FeeBreakdown, cash_exchange, fee_breakdown
from hall_app.scripts.engine import (
    FlowStep,
    Prompt,
    Situation,
    Thresholds,
    flow_steps,
    select_prompts,
)
from hall_app.scripts.forbidden import ForbiddenHit, find_forbidden
from hall_app.scripts.loader import ScriptFileError, default_book, load_scripts
from hall_app.scripts.model import PLACEHOLDERS, Phrase, ScriptBook

__all__ = [
    "FlowStep", "Prompt", "Situation", "Thresholds", "flow_steps", "select_prompts",
    "CashResult", "FeeBreakdown", "cash_exchange", "fee_breakdown",
    "PLACEHOLDERS", "ForbiddenHit", "Phrase", "ScriptBook", "ScriptFileError",
    "default_book", "find_forbidden", "load_scripts",
]
