"""Showing a key to a person: the number within its site, not the whole 64-bit key.

Keys are site-partitioned (docs/decisions.md, "Keys across halls"): site S's keys are
S·2^40 + n. A hall's staff see n (投诉 #12, not 投诉 #5497558138892); within a site n is
unique, and at the district the hall's name goes beside it.
"""

from __future__ import annotations

SITE_BITS = 40  # the same as db.site_keys.SITE_BITS (a test holds them equal)
_LOCAL_MASK = (1 << SITE_BITS) - 1


def local_number(key: int | None) -> int | None:
    """The part of `key` that counts within its site (the key itself at site 0)."""
    if key is None:
        return None
    return key & _LOCAL_MASK
