"""The forward simulation's building blocks: remaining times drawn from a distribution."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from hall_app.forecast.engine import TAIL_SAMPLES, Sampler


def exponential_quantiles(mean: float, n: int) -> list[float]:
    return [-mean * math.log(1 - (i + 0.5) / n) for i in range(n)]


def test_a_service_longer_than_nearly_every_sample_is_not_assumed_to_end_at_once():
    # 200 occupancies from an exponential of mean 10 (memoryless: whoever has been at the
    # counter any time still needs 10 minutes on average). Past the 21 longest samples the
    # remaining time comes from the tail's own mean excess, not from the few samples
    # left: before, a customer there a minute less than the longest sample was given
    # exactly that minute, and one past the longest 0.3 x the mean (3 minutes).
    values = exponential_quantiles(10.0, 200)
    sampler = Sampler(values, 10.0)
    rng = random.Random(7)
    for elapsed in (values[-1] - 1.0, values[-1] + 5.0):
        draws = [sampler.draw_beyond(elapsed, rng) for _ in range(4000)]
        assert statistics.fmean(draws) > 8.5
    # Inside the bulk the samples themselves still decide.
    elapsed = values[100]
    longer = [v - elapsed for v in values if v > elapsed]
    assert len(longer) > TAIL_SAMPLES
    draws = [sampler.draw_beyond(elapsed, rng) for _ in range(4000)]
    assert min(draws) >= min(longer) and max(draws) <= max(longer)


def test_identical_samples_keep_the_short_tail():
    # Every pause on record lasted 45 minutes: one past that is given 0.3 x the mean.
    sampler = Sampler([45.0] * 30, 45.0)
    rng = random.Random(3)
    draws = [sampler.draw_beyond(50.0, rng) for _ in range(4000)]
    assert 12.0 < statistics.fmean(draws) < 15.0
    assert sampler.draw_beyond(30.0, rng) == 15.0


def test_mean_beyond_is_the_mean_of_draw_beyond():
    values = exponential_quantiles(10.0, 200)
    sampler = Sampler(values, 10.0)
    rng = random.Random(11)
    for elapsed in (0.0, values[150], values[-1] + 5.0):
        draws = [sampler.draw_beyond(elapsed, rng) for _ in range(20000)]
        assert statistics.fmean(draws) == pytest.approx(sampler.mean_beyond(elapsed), rel=0.05)
