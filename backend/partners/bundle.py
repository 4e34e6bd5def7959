"""getOfflineBundle (离线核验包): what a counter caches to verify passes without a network —
the published signing keys, the offline eligibility keys that open a pass's sealed part, a
fresh signed status list and this partner's live offers (docs/pass-format.md, "Offline
bundle"). Every fetch is audited: the keys read every pass issued those days."""

from __future__ import annotations

import json
from typing import Any

from webauthn.helpers import bytes_to_base64url

from ..audit import service as audit
from ..core import clock
from ..core.keys import KeyRing
from ..core.principal import Principal
from ..passes import service as passes
from ..passes.format import VERSION
from ..passes.sealing import DAY
from . import shapes
from .offers import offers_of
from .service import partner_of

BUNDLE_REFRESH = 86_400  # an offline verifier fetches a new bundle at least this often


async def offline_bundle(*, actor: Principal, keyring: KeyRing) -> dict[str, Any]:
    partner = await partner_of(actor)
    now = int(clock.now().timestamp())
    keys = passes.eligibility_keys(keyring, now=now)
    offers = await offers_of(partner.id, live_only=True)
    token = await passes.status_list(keyring=keyring)
    await audit.record(
        action="pass.offline_bundle",
        actor=actor,
        purpose="offline verification",
        details={"partner": partner.id, "ekids": sorted(keys)},
    )
    return {
        "format_versions": [VERSION],
        "generated_at": now,
        "refresh_by": now + BUNDLE_REFRESH,
        "jwks": json.loads(keyring.jwks()),
        "eligibility_keys": [
            {
                "ekid": day,
                "alg": "A256CTR",
                "k": bytes_to_base64url(key),
                "not_before": day * DAY,
                "not_after": (day + 1) * DAY,
            }
            for day, key in sorted(keys.items())
        ],
        "status_list": token,
        "status_list_ttl": passes.STATUS_LIST_TTL,
        "partner": {"id": partner.id, "name": partner.name},
        "offers": [shapes.offer(o) for o in offers],
    }
