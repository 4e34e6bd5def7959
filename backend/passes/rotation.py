"""`scripts/rotate_keys`: add a pass-signing key that is published at once and signs only
after a lead time (default 48 h, `PASS_KEY_LEAD_HOURS`), so a counter whose offline bundle is
up to a day old already knows it when the first pass signed with it arrives."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from ..core.keys import DEFAULT_PUBLISH_LEAD, create_key, load_keys, signing_schedule
from ..core.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    default_hours = float(os.environ.get("PASS_KEY_LEAD_HOURS", DEFAULT_PUBLISH_LEAD / 3600))
    parser = argparse.ArgumentParser(prog="rotate_keys")
    parser.add_argument(
        "--lead-hours", type=float, default=default_hours,
        help="hours between publishing the new key and its first signature (default 48)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.lead_hours < 0:
        parser.error("--lead-hours must not be negative")
    keys_dir = load_settings().keys_dir
    if not load_keys(keys_dir):
        create_key(keys_dir)  # the first key signs at once: nothing can know it earlier
    signs_from = int(time.time() + args.lead_hours * 3600)
    key = create_key(keys_dir, signs_from=signs_from)
    json.dump(
        {"new_kid": key.kid, "signs_from": signs_from, "schedule": signing_schedule(keys_dir)},
        sys.stdout,
    )
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
