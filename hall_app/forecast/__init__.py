"""Wait estimates a customer can trust (no Qt).

The predictor simulates the hall forward from its current state, many times, in the real
call order (`engine`), drawing service times, arrivals, walk-aways, pauses and outages
from the hall's own history (`learn`); the state comes from the recorded rows
(`records`, `replay`), the same way for the live kiosk and for the backtest
(`backtest`). `accuracy` holds the figures every report of it prints.
"""
