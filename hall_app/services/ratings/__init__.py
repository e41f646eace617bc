"""Customer satisfaction ratings (评价器, issue 17): pads, ratings, follow-ups.

    binding = PadBindingService(ctx).bind(manager, counter_id)   # once, on the pad's machine
    pad = RatingService(ctx, binding)                            # the pad window's service
    FollowUpService(ctx)                                         # the duty manager's 回访

Parts: `pads` (binding and the pad's credential), `pad_service` (what the pad shows and
writes), `follow_ups` (不满意 alerts and 回访), `holder` (who serves at a counter),
`texts` (the pad's wording, editable data), `promise` (the hall's service promise),
`bind_cli` (binding from the pad's terminal), `models` (plain data out).
`HallServices` offers `follow_ups` and `pads` but never the pad-side `RatingService`,
so the counter window has no way to rate.
"""

from hall_app.services.ratings.follow_ups import FollowUpService
from hall_app.services.ratings.holder import CounterHolder, counter_holder
from hall_app.services.ratings.models import (
    ComplaintPrefill,
    DissatisfiedRating,
    FollowUpRow,
    PadBoard,
    PadTicket,
    PendingRating,
    RatingReceipt,
)
from hall_app.services.ratings.pad_service import RatingService
from hall_app.services.ratings.pads import (
    PadBindingService,
    PadCredential,
    load_credential,
    save_credential,
)
from hall_app.services.ratings.promise import ServicePromiseService
from hall_app.services.ratings.texts import PadTexts, load_pad_texts

__all__ = [
    "ComplaintPrefill", "CounterHolder", "DissatisfiedRating", "FollowUpRow", "FollowUpService",
    "PadBindingService", "PadBoard", "PadCredential", "PadTexts", "PadTicket", "PendingRating",
    "RatingReceipt", "RatingService", "ServicePromiseService", "counter_holder", "load_credential", "load_pad_texts",
    "save_credential",
]
