"""Records stop counting by themselves when their maximum disclosure period ends: a
periodic task in the app (and `scripts/rescore`) re-scores the people whose records expired
since the last sweep, so score history shows the change without anyone acting."""

from __future__ import annotations

import datetime as dt
import logging

from ..core import bulk
from ..core.clock import today
from .models import ExpirySweep
from .service import rescore_people

log = logging.getLogger("xinyi.expiry")
KEY = "records"


async def sweep(*, until: dt.date | None = None) -> int:
    """Re-score everyone with a record whose period ended after the last sweep, up to `until`."""
    until = until or today()
    mark = await ExpirySweep.get_or_none(key=KEY)
    since = mark.day if mark else until - dt.timedelta(days=1)
    if since >= until:
        return 0
    rows = await bulk.fetch(
        'SELECT DISTINCT "person_id" FROM "credit_record" WHERE "expires_on" > ? AND "expires_on" <= ?',
        (since, until),
    )
    people = [int(r["person_id"]) for r in rows]
    changed = await rescore_people(person_ids=people, cause="expiry", as_of=until) if people else 0
    await ExpirySweep.update_or_create(key=KEY, defaults={"day": until})
    log.info(
        "expiry sweep %s..%s: %d people, %d scores changed", since, until, len(people), changed
    )
    return changed
