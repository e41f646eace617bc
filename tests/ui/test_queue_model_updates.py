"""The counter's queue table takes a new snapshot as row changes, not as a reset."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import UTC, datetime  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from hall_app.services.queries import QueueEntry  # noqa: E402
from ui.counter.queue import NEXT_MARK, QueueModel  # noqa: E402
from ui.counter.situation import LiveClock  # noqa: E402

ISSUED = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def entry(tid: int, waited: int = 60) -> QueueEntry:
    return QueueEntry(tid, f"A{tid:03d}", 1, "缴费充值", "normal", ISSUED, waited, 15, None)


class Signals:
    def __init__(self, model: QueueModel) -> None:
        self.seen: list[tuple] = []
        model.modelReset.connect(lambda: self.seen.append(("reset",)))
        model.layoutChanged.connect(lambda *_: self.seen.append(("layout",)))
        model.rowsRemoved.connect(lambda _p, a, b: self.seen.append(("removed", a, b)))
        model.rowsInserted.connect(lambda _p, a, b: self.seen.append(("inserted", a, b)))

    def structural(self) -> list[tuple]:
        return list(self.seen)


def codes(model: QueueModel) -> list[str]:
    return [model.data(model.index(r, 1)) for r in range(model.rowCount())]


def test_a_called_ticket_leaves_and_a_new_one_arrives_without_a_reset(qapp) -> None:
    model = QueueModel()
    model.set_entries([entry(1), entry(2), entry(3)], LiveClock())
    signals = Signals(model)
    # A001 was called; A004 was issued; A002 waited longer meanwhile.
    model.set_entries([entry(2, waited=300), entry(3), entry(4)], LiveClock())
    assert signals.structural() == [("removed", 0, 0), ("inserted", 2, 2)]
    assert codes(model) == ["A002", "A003", "A004"]
    assert model.data(model.index(0, 0)) == NEXT_MARK  # the mark moved to the new first
    assert model.data(model.index(0, QueueModel.WAIT_COLUMN)) == "05:00"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.FontRole).bold()


def test_a_new_order_of_the_same_tickets_is_laid_out_again(qapp) -> None:
    model = QueueModel()
    model.set_entries([entry(1), entry(2)], LiveClock())
    signals = Signals(model)
    model.set_entries([entry(2), entry(1)], LiveClock())  # e.g. the rule changed
    assert signals.structural() == [("layout",)]
    assert codes(model) == ["A002", "A001"]


class Mirror:
    """What a view keeps of the model: rows taken from the change signals alone (codes
    read when a row is inserted, dropped when removed, all re-read on a reset or a new
    layout). If the signals misdescribe a change, the mirror and the model disagree."""

    def __init__(self, model: QueueModel) -> None:
        self.model = model
        self.rows = codes(model)
        model.rowsInserted.connect(self._inserted)
        model.rowsRemoved.connect(self._removed)
        model.modelReset.connect(self._reread)
        model.layoutChanged.connect(self._reread)

    def _inserted(self, _parent, first: int, last: int) -> None:
        assert self.model.rowCount() == len(self.rows) + last - first + 1
        self.rows[first:first] = [self.model.data(self.model.index(r, 1))
                                  for r in range(first, last + 1)]

    def _removed(self, _parent, first: int, last: int) -> None:
        del self.rows[first:last + 1]
        assert self.model.rowCount() == len(self.rows)

    def _reread(self, *_: object) -> None:
        self.rows = codes(self.model)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(1, 12), unique=True, max_size=10), min_size=1, max_size=6))
def test_any_sequence_of_queues_is_shown_exactly(qapp, queues) -> None:
    model = QueueModel()
    mirror = Mirror(model)
    for ids in queues:
        model.set_entries([entry(i) for i in ids], LiveClock())
        assert codes(model) == [f"A{i:03d}" for i in ids]
        assert mirror.rows == codes(model)
