"""Watching data users (seed 三（一）: 对……个人信息采集、提供和使用行为实施重点监控): per partner and
per officer, the verifications and redemptions of each day, look-up spikes, the share of
verifications never followed by a redemption, and looks after hours — with thresholds that
raise alerts on the dashboard.

Read from what is already written — the audit trail's looks (`pass.verified`, the office's
`person.viewed` / `person.identified`) and the redemptions — so the verification path writes
nothing more. The window is read in id order in chunks (bounded memory: only the per-day
tallies are kept) and the result is cached with the other figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..audit.models import AuditEntry
from ..core import clock
from ..core.settings import Settings
from ..partners.models import Partner, Redemption
from . import figures

LOOKS = ("pass.verified", "person.viewed", "person.identified")
CHUNK = 5000


@dataclass(frozen=True)
class WatchRules:
    """The thresholds (settings `WATCH_*`; defaults in docs/operations.md)."""

    days: int = 7  # the window, today included
    spike_factor: float = 3.0  # a day's looks over this many times the actor's usual day …
    spike_min: int = 50  # … and at least this many looks that day
    unredeemed_share: float = 0.8  # valid checks never followed by a benefit, as a share …
    unredeemed_min: int = 30  # … of at least this many valid checks in the window
    day_starts: int = 7  # looks before this hour (city time) …
    day_ends: int = 21  # … or from this hour are after hours
    after_hours_min: int = 5  # after-hours looks in the window that raise an alert

    @classmethod
    def of(cls, settings: Settings) -> WatchRules:
        return cls(
            days=settings.watch_days, spike_factor=settings.watch_spike_factor,
            spike_min=settings.watch_spike_min, unredeemed_share=settings.watch_unredeemed_share,
            unredeemed_min=settings.watch_unredeemed_min, day_starts=settings.watch_day_starts,
            day_ends=settings.watch_day_ends, after_hours_min=settings.watch_after_hours_min,
        )  # fmt: skip


@dataclass
class Actor:
    """One data user: an officer, a counter operator or a partner's API key."""

    key: str
    label: str
    organisation: str
    looks: dict[dt.date, int] = field(default_factory=dict)
    after_hours: int = 0


@dataclass
class PartnerUse:
    partner_id: int
    name: str
    checks: dict[dt.date, int] = field(default_factory=dict)
    valid_checks: int = 0
    redemptions: dict[dt.date, int] = field(default_factory=dict)

    @property
    def unredeemed_share(self) -> float:
        redeemed = sum(self.redemptions.values())
        return max(0.0, 1 - redeemed / self.valid_checks) if self.valid_checks else 0.0


@dataclass(frozen=True)
class Alert:
    kind: str  # spike | unredeemed | after_hours
    who: str  # the actor's label or the partner's name
    organisation: str
    value: float  # looks that day, the share, or after-hours looks
    threshold: float
    day: dt.date | None = None


@dataclass(frozen=True)
class DataUse:
    days: list[dt.date]
    partners: list[PartnerUse]
    actors: list[Actor]
    alerts: list[Alert]
    rules: WatchRules


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(clock.zone())


async def _looks(since: dt.datetime, rules: WatchRules, partners: dict[int, PartnerUse],
                 actors: dict[str, Actor]) -> None:  # fmt: skip
    last = 0
    while True:
        rows = (
            await AuditEntry.filter(id__gt=last, at__gte=since, action__in=LOOKS)
            .order_by("id").limit(CHUNK)
            .values("id", "at", "action", "actor_account_id", "actor_label", "organisation",
                    "details")
        )  # fmt: skip
        if not rows:
            return
        last = int(rows[-1]["id"])
        for r in rows:
            moment = _local(r["at"])
            day = moment.date()
            key = f"account:{r['actor_account_id']}" if r["actor_account_id"] else r["actor_label"]
            actor = actors.setdefault(key, Actor(key, r["actor_label"], r["organisation"]))
            actor.looks[day] = actor.looks.get(day, 0) + 1
            if not rules.day_starts <= moment.hour < rules.day_ends:
                actor.after_hours += 1
            details = r["details"] if isinstance(r["details"], dict) else {}
            partner_id = details.get("partner")
            if r["action"] == "pass.verified" and isinstance(partner_id, int):
                use = partners.setdefault(partner_id, PartnerUse(partner_id, ""))
                use.checks[day] = use.checks.get(day, 0) + 1
                use.valid_checks += details.get("reason") == "valid"


async def _redemptions(since: dt.datetime, partners: dict[int, PartnerUse]) -> None:
    last = 0
    while True:
        rows = (
            await Redemption.filter(id__gt=last, created_at__gte=since)
            .order_by("id").limit(CHUNK).values("id", "partner_id", "created_at")
        )  # fmt: skip
        if not rows:
            return
        last = int(rows[-1]["id"])
        for r in rows:
            day = _local(r["created_at"]).date()
            use = partners.setdefault(int(r["partner_id"]), PartnerUse(int(r["partner_id"]), ""))
            use.redemptions[day] = use.redemptions.get(day, 0) + 1


def alerts_of(actors: list[Actor], partners: list[PartnerUse], rules: WatchRules,
              days: list[dt.date]) -> list[Alert]:  # fmt: skip
    """The thresholds applied: pure, table-tested."""
    out: list[Alert] = []
    for a in actors:
        for day in days:
            n = a.looks.get(day, 0)
            others = [a.looks.get(d, 0) for d in days if d != day]
            usual = sum(others) / len(others) if others else 0.0
            if n >= rules.spike_min and n > rules.spike_factor * usual:
                out.append(
                    Alert("spike", a.label, a.organisation, n, rules.spike_factor * usual, day)
                )
        if a.after_hours >= rules.after_hours_min:
            out.append(
                Alert("after_hours", a.label, a.organisation, a.after_hours, rules.after_hours_min)
            )
    for p in partners:
        if p.valid_checks >= rules.unredeemed_min and p.unredeemed_share > rules.unredeemed_share:
            out.append(
                Alert(
                    "unredeemed",
                    p.name,
                    p.name,
                    round(p.unredeemed_share, 3),
                    rules.unredeemed_share,
                )
            )
    return out  # fmt: skip


async def data_use(*, rules: WatchRules, as_of: dt.date | None = None) -> DataUse:
    today = as_of or clock.today()
    days = [today - dt.timedelta(days=n) for n in range(rules.days - 1, -1, -1)]
    since = dt.datetime.combine(days[0], dt.time(), clock.zone())
    partners: dict[int, PartnerUse] = {}
    actors: dict[str, Actor] = {}
    await _looks(since, rules, partners, actors)
    await _redemptions(since, partners)
    names = dict(await Partner.filter(id__in=sorted(partners)).values_list("id", "name"))
    for p in partners.values():
        p.name = str(names.get(p.partner_id, p.partner_id))
    by_partner = sorted(partners.values(), key=lambda p: -sum(p.checks.values()))
    by_actor = sorted(actors.values(), key=lambda a: -sum(a.looks.values()))
    return DataUse(days, by_partner, by_actor, alerts_of(by_actor, by_partner, rules, days), rules)


async def cached(*, rules: WatchRules) -> DataUse:
    """The day's data use, cached with the other figures (five minutes)."""
    day = clock.today()
    found = await figures.cache.get(
        ("data_use", rules), day, lambda: data_use(rules=rules, as_of=day)
    )
    return found.value
