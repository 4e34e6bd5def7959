"""Settings from the environment and `.env` (starlette.config).

Development defaults let `./scripts/run` work on a fresh machine; production mode
(`XINYI_ENV=production`) refuses to start while any secret is still a development default.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from dataclasses import dataclass, field, replace
from pathlib import Path

from starlette.config import Config

ROOT = Path(__file__).resolve().parents[2]

# Development secrets: public by design, so production refuses them.
DEV_SECRET_KEY = "dev-only-secret-key-change-me-0123456789abcdef"
DEV_ID_ENCRYPTION_KEY = base64.urlsafe_b64encode(b"dev-only-id-encryption-key-32byt").decode()
DEV_ID_HASH_KEY = "dev-only-id-hash-key-change-me"


# Every value XINYI_ENV may take; anything else refuses to start.
ENVIRONMENTS = ("development", "test", "production")


class InsecureSettings(RuntimeError):
    """Raised when production mode is asked to run with development secrets or weak keys, or
    when XINYI_ENV names no known environment."""


def _urlsafe_b64(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value.encode())
    except (ValueError, binascii.Error):
        return b""


def weak_secret(raw: bytes, min_bytes: int, *, exact: bool = False) -> bool:
    """A secret nobody should trust: too short (or, with `exact`, not exactly `min_bytes`),
    one byte repeated (all zero), a pattern repeated ("abcabc…"), or drawn from a handful of
    values. A random key of 16 bytes or more has far more than 8 distinct bytes."""
    if len(raw) < min_bytes or (exact and len(raw) != min_bytes):
        return True
    if len(set(raw)) < 8:
        return True
    half = len(raw) // 2
    return any(raw == (raw[:p] * (len(raw) // p + 1))[: len(raw)] for p in range(1, half + 1))


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = ""
    data_dir: Path = ROOT / "var"
    secret_key: str = DEV_SECRET_KEY
    id_encryption_key: str = DEV_ID_ENCRYPTION_KEY
    id_hash_key: str = DEV_ID_HASH_KEY
    rp_id: str = "localhost"
    rp_name: str = "信易 Xinyi"
    origins: tuple[str, ...] = ("http://localhost:8000",)
    city_file: Path = ROOT / "backend" / "data" / "city.json"
    time_zone: str = "Asia/Shanghai"  # the city's: what "today" means for periods and deadlines
    repair_decision_days: int = 3  # working days from acceptance to the department's decision
    repair_feedback_days: int = 10  # working days from applying to the resident's answer
    objection_answer_days: int = 20  # working days for the source to answer an objection
    objection_suspends_at_filing: bool = False  # pause a disputed record's effect at once
    clock_shift_days: int = 0  # drills and tests only: run as if this many days later
    credit_report_days: int = 30  # how long a signed credit report checks as current
    session_hours: int = 12
    max_json_bytes: int = 64 * 1024
    cookie_secure: bool = False
    background_tasks: bool = True
    api_key_rate: float = 50.0  # requests per second per API key and app process
    api_key_burst: int = 100
    register_unknown_budget: int = 200  # unknown ID numbers answered per token and day
    # An offline counter verifies with lists (keys, status list, offers) at most this old, and
    # refuses after (docs/operations.md); 1–24: the eligibility keys reach one day ahead.
    counter_offline_hours: int = 12
    # Reverse proxies whose X-Forwarded-For is believed (addresses or networks); none by
    # default: the client is the TCP peer (`core.context.client_key`).
    trusted_proxies: tuple[str, ...] = ()
    # PostgreSQL: how long a statement waits for a lock another session holds before the
    # request is answered 503 "send it again" (lock_timeout; 0: wait for ever). SQLite waits
    # its busy timeout (5 s).
    db_lock_timeout_ms: int = 5000
    # Watching data users (office/watch.py, docs/operations.md): the window in days, a look-up
    # spike (a day over FACTOR × the actor's usual day and at least MIN looks), the share of
    # valid checks never followed by a benefit, the city's working hours, after-hours looks.
    watch_days: int = 7
    watch_spike_factor: float = 3.0
    watch_spike_min: int = 50
    watch_unredeemed_share: float = 0.8
    watch_unredeemed_min: int = 30
    watch_day_starts: int = 7
    watch_day_ends: int = 21
    watch_after_hours_min: int = 5
    # Published statistics show no count below this (small-cell suppression, office/published.py).
    published_min_cell: int = 5
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite://{self.data_dir / 'xinyi.sqlite3'}"

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    def check(self) -> None:
        """Refuse an unknown environment (fail closed: a typo in XINYI_ENV must not run with
        development secrets) and insecure production configurations."""
        if self.env not in ENVIRONMENTS:
            raise InsecureSettings(
                f"XINYI_ENV={self.env!r} is not one of {', '.join(ENVIRONMENTS)}: refusing to start"
            )
        if not 1 <= self.counter_offline_hours <= 24:
            raise InsecureSettings("COUNTER_OFFLINE_HOURS must be 1 to 24")
        if not (1 <= self.watch_days <= 31 and 0 <= self.watch_day_starts < self.watch_day_ends <= 24
                and self.published_min_cell >= 1):  # fmt: skip
            raise InsecureSettings(
                "WATCH_DAYS must be 1 to 31, WATCH_DAY_STARTS < WATCH_DAY_ENDS within 0 to 24, "
                "and PUBLISHED_MIN_CELL at least 1"
            )
        if not self.is_production:
            return
        problems = []
        if self.secret_key == DEV_SECRET_KEY or weak_secret(self.secret_key.encode(), 32):
            problems.append("SECRET_KEY")
        if self.id_encryption_key == DEV_ID_ENCRYPTION_KEY or weak_secret(
            _urlsafe_b64(self.id_encryption_key), 32, exact=True
        ):
            problems.append("ID_ENCRYPTION_KEY (32 random bytes, url-safe base64)")
        if self.id_hash_key == DEV_ID_HASH_KEY or weak_secret(self.id_hash_key.encode(), 16):
            problems.append("ID_HASH_KEY")
        if not self.cookie_secure:
            problems.append("COOKIE_SECURE (must be true)")
        if any(o.startswith("http://") for o in self.origins):
            problems.append("ORIGINS (must be https)")
        if self.clock_shift_days:
            problems.append("CLOCK_SHIFT_DAYS (a drill clock)")
        if problems:
            raise InsecureSettings(
                "production mode refuses development or weak settings: " + ", ".join(problems)
            )


def proxy_networks(raw: str) -> tuple[str, ...]:
    """TRUSTED_PROXIES: comma-separated addresses or networks (`10.0.0.5`, `10.0.0.0/24`);
    anything else stops the app at start rather than trusting the wrong hop."""
    items = tuple(p.strip() for p in raw.split(",") if p.strip())
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"TRUSTED_PROXIES: {item!r} is not an address or network") from None
    return items


def load_settings(env_file: str | Path | None = None) -> Settings:
    path = Path(env_file) if env_file else ROOT / ".env"
    config = Config(path if path.exists() else None)
    env = config("XINYI_ENV", default="development")
    data_dir = Path(config("DATA_DIR", default=str(ROOT / "var")))
    origins = tuple(
        o.strip()
        for o in config("ORIGINS", default="http://localhost:8000").split(",")
        if o.strip()
    )
    return Settings(
        env=env,
        database_url=config("DATABASE_URL", default=""),
        data_dir=data_dir,
        secret_key=config("SECRET_KEY", default=DEV_SECRET_KEY),
        id_encryption_key=config("ID_ENCRYPTION_KEY", default=DEV_ID_ENCRYPTION_KEY),
        id_hash_key=config("ID_HASH_KEY", default=DEV_ID_HASH_KEY),
        rp_id=config("RP_ID", default="localhost"),
        rp_name=config("RP_NAME", default="信易 Xinyi"),
        origins=origins,
        city_file=Path(config("CITY_FILE", default=str(ROOT / "backend" / "data" / "city.json"))),
        time_zone=config("TIME_ZONE", default="Asia/Shanghai"),
        repair_decision_days=config("REPAIR_DECISION_DAYS", cast=int, default=3),
        repair_feedback_days=config("REPAIR_FEEDBACK_DAYS", cast=int, default=10),
        objection_answer_days=config("OBJECTION_ANSWER_DAYS", cast=int, default=20),
        objection_suspends_at_filing=config(
            "OBJECTION_SUSPENDS_AT_FILING", cast=bool, default=False
        ),
        clock_shift_days=config("CLOCK_SHIFT_DAYS", cast=int, default=0),
        credit_report_days=config("CREDIT_REPORT_DAYS", cast=int, default=30),
        session_hours=config("SESSION_HOURS", cast=int, default=12),
        cookie_secure=config("COOKIE_SECURE", cast=bool, default=env == "production"),
        background_tasks=config("BACKGROUND_TASKS", cast=bool, default=True),
        api_key_rate=config("API_KEY_RATE", cast=float, default=50.0),
        api_key_burst=config("API_KEY_BURST", cast=int, default=100),
        register_unknown_budget=config("REGISTER_UNKNOWN_BUDGET", cast=int, default=200),
        counter_offline_hours=config("COUNTER_OFFLINE_HOURS", cast=int, default=12),
        trusted_proxies=proxy_networks(config("TRUSTED_PROXIES", default="")),
        db_lock_timeout_ms=config("DB_LOCK_TIMEOUT_MS", cast=int, default=5000),
        watch_days=config("WATCH_DAYS", cast=int, default=7),
        watch_spike_factor=config("WATCH_SPIKE_FACTOR", cast=float, default=3.0),
        watch_spike_min=config("WATCH_SPIKE_MIN", cast=int, default=50),
        watch_unredeemed_share=config("WATCH_UNREDEEMED_SHARE", cast=float, default=0.8),
        watch_unredeemed_min=config("WATCH_UNREDEEMED_MIN", cast=int, default=30),
        watch_day_starts=config("WATCH_DAY_STARTS", cast=int, default=7),
        watch_day_ends=config("WATCH_DAY_ENDS", cast=int, default=21),
        watch_after_hours_min=config("WATCH_AFTER_HOURS_MIN", cast=int, default=5),
        published_min_cell=config("PUBLISHED_MIN_CELL", cast=int, default=5),
    )
