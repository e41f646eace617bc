"""Service scripts as data: wording lives in resources/scripts/*.toml, never in code.

Public API (no Qt, no database)::

    book = load_scripts()            # shipped resources/scripts/service_scripts.toml
    book = load_scripts(hall_path)   # a hall's own file, validated the same way
    # ScriptFileError (a ConfigError) names the file, the key and, when known, the line.

    book.render("greeting", honorific="王先生")       # any phrase by key
    book.coaching_cards, book.complaint_steps, book.complaint_pitfalls
    book.seven_more, book.forbidden, book.recommended, book.principle, book.language_rules
    book.complaint_categories                         # (code, name, share 0..1)

    prompts = select_prompts(book, Situation(...), Thresholds(...))
    # -> [Prompt(kind="say"|"do"|"warn", key, text, tell_waiting, title, said)], ordered
    steps = flow_steps(book, situation)  # the five steps, phrases rendered, current marked
    pick = pick_phrase(book, "unknown_question", situation)  # .escalation → offer F7
    tracker = FlowTracker(); tracker.observe(current, last_finished, now)
    situation = tracker.apply(situation)              # the step follows the ticket

    d = document_exchange(book, [("身份证", "returned")])   # 证件唱收唱交
    d.phrase, d.items                                 # 「收您身份证,这是您的身份证,请收好。」

    r = cash_exchange("71.50", "100")   # 唱收唱交; ValidationError(field="amount_due"|"received")
    r.change, r.change_fen, r.phrase    # Decimal("28.50"), 2850, "收您100.00元,找您28.50元,请点一下。"
    fee_breakdown(book, "宽带", "150", [("业务费", "100"), ("话费", "50")]).phrase

    find_forbidden(book, reply_text)     # -> [ForbiddenHit(phrase, start, end, matched)]

See docs/scripts.md for the file format, placeholders and selection rules.
"""

from hall_app.scripts.cash import (
    DEFAULT_CAP,
    CashResult,
    FeeBreakdown,
    cash_exchange,
    fee_breakdown,
    format_yuan,
    from_fen,
    parse_amount,
    to_fen,
)
from hall_app.scripts.documents import (
    DISPOSITIONS,
    DocumentExchange,
    DocumentItem,
    check_items,
    document_exchange,
    exchange_phrase,
)
from hall_app.scripts.engine import (
    FlowStep,
    Pick,
    Prompt,
    Situation,
    Thresholds,
    flow_steps,
    pick_phrase,
    select_prompts,
)
from hall_app.scripts.flow import FlowTracker, TicketAtCounter
from hall_app.scripts.forbidden import ForbiddenHit, find_forbidden
from hall_app.scripts.loader import (
    ScriptFileError,
    default_book,
    default_script_path,
    hall_book,
    load_scripts,
    outage_text,
)
from hall_app.scripts.model import (
    PLACEHOLDERS,
    CoachingCard,
    ComplaintCategory,
    ComplaintStep,
    Phrase,
    ScriptBook,
    SevenMore,
)

__all__ = [
    "DEFAULT_CAP", "DISPOSITIONS", "PLACEHOLDERS", "CashResult", "CoachingCard",
    "ComplaintCategory", "ComplaintStep", "DocumentExchange", "DocumentItem", "FeeBreakdown",
    "FlowStep", "FlowTracker", "ForbiddenHit", "Phrase", "Pick", "Prompt", "ScriptBook",
    "ScriptFileError", "SevenMore", "Situation", "TicketAtCounter", "Thresholds",
    "cash_exchange", "check_items", "default_book", "default_script_path", "document_exchange",
    "exchange_phrase", "fee_breakdown", "find_forbidden", "flow_steps", "format_yuan",
    "from_fen", "hall_book", "load_scripts", "outage_text", "parse_amount", "pick_phrase", "select_prompts", "to_fen",
]
