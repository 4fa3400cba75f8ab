"""``memory://`` rate limits without limits' timer thread (issue 20.3): the same decisions,
the same clean-up of expired entries, done in the counting thread at most once a second."""

import threading
import time

from limits import parse
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from survey_app.extensions import QuietMemoryStorage, limiter


def test_the_app_counts_in_the_quiet_storage(app):
    assert isinstance(limiter.storage, QuietMemoryStorage)


def test_limits_decide_the_same_and_start_no_thread():
    storage = QuietMemoryStorage("memory://")
    storage.timer.join()  # the constructor's, cancelled
    before = threading.active_count()
    item = parse("3 per minute")
    for strategy in (MovingWindowRateLimiter, FixedWindowRateLimiter):
        counted = strategy(storage)
        assert [counted.hit(item, "sumber") for _ in range(5)] == [True] * 3 + [False] * 2
        assert counted.hit(item, "lain")
        assert counted.get_window_stats(item, "sumber").remaining == 0
    assert threading.active_count() == before


def test_expired_entries_are_swept_by_a_later_hit(monkeypatch):
    storage = QuietMemoryStorage("memory://")
    assert storage.acquire_entry("lama", 5, 60)
    storage.incr("hitung", 60)
    assert storage.events["lama"] and storage.storage["hitung"] == 1
    now, clock = time.time(), time.monotonic()
    monkeypatch.setattr(time, "time", lambda: now + 120)
    monkeypatch.setattr(time, "monotonic", lambda: clock + 120)
    assert storage.acquire_entry("baru", 5, 60)  # sweeps first
    assert not storage.events["lama"] and "hitung" not in storage.storage
    assert storage.events["baru"]
    assert storage.get_moving_window("lama", 5, 60)[1] == 0
