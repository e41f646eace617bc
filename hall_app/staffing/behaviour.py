"""Service time and patience per service, from history or the hall's configuration.

Service time: mean and coefficient of variation of finished tickets' service seconds,
when at least MIN_SERVED were finished; else the service's typical minutes, taken as
exponential. Patience: exponential, its rate estimated as walkaways / minutes spent
waiting by everyone (the maximum-likelihood estimate when the wait of served customers
is censored by the call); with fewer than MIN_WALKAWAYS walkaways nobody is assumed to
walk away — which errs towards more counters, never fewer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hall_app.staffing.history import ServiceInfo, ServiceStats

MIN_SERVED = 20
MIN_WALKAWAYS = 5


@dataclass(frozen=True)
class Behaviour:
    mean_service_minutes: float
    service_cv: float
    patience_minutes: float | None
    from_history: bool
    served: int = 0
    walkaways: int = 0


def estimate(service: ServiceInfo, stats: ServiceStats | None) -> Behaviour:
    if stats is None or stats.served < MIN_SERVED:
        mean, cv, hist = float(service.typical_service_minutes), 1.0, False
    else:
        mean = stats.service_sum / stats.served
        var = max(0.0, stats.service_sq / stats.served - mean * mean)
        cv = math.sqrt(var) / mean if mean > 0 else 1.0
        mean, cv, hist = max(mean, 0.1), min(max(cv, 0.1), 3.0), True
    patience = None
    if stats is not None and stats.walkaways >= MIN_WALKAWAYS and stats.exposure_minutes > 0:
        patience = stats.exposure_minutes / stats.walkaways
    return Behaviour(mean, cv, patience, hist, stats.served if stats else 0,
                     stats.walkaways if stats else 0)
