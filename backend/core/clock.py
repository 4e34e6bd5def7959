"""The one clock: "now" (UTC, for timestamps) and "today" (the date in the city's time zone,
for periods, deadlines and validity). Everything that asks what day it is asks here, so a
deployment's zone and a test's clock are set in one place."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"
_state: dict[str, object] = {"zone": ZoneInfo(DEFAULT_ZONE), "shift": dt.timedelta(0)}


def set_zone(name: str) -> None:
    """The city's IANA time zone (settings: TIME_ZONE), set by the app factory."""
    _state["zone"] = ZoneInfo(name)


def zone() -> ZoneInfo:
    found = _state["zone"]
    assert isinstance(found, ZoneInfo)
    return found


def shift(by: dt.timedelta) -> None:
    """Move the clock (tests and drills only: a deadline sweep "next week")."""
    current = _state["shift"]
    assert isinstance(current, dt.timedelta)
    _state["shift"] = current + by


def reset() -> None:
    _state["shift"] = dt.timedelta(0)


def now() -> dt.datetime:
    """The current moment, timezone-aware UTC."""
    offset = _state["shift"]
    assert isinstance(offset, dt.timedelta)
    return dt.datetime.now(dt.UTC) + offset


def now_seconds() -> dt.datetime:
    """`now()` without microseconds (what signed certificates carry)."""
    return now().replace(microsecond=0)


def today() -> dt.date:
    """Today's date in the city."""
    return now().astimezone(zone()).date()
