"""The partner workflows' states, their moves, and the reasons a change is refused.

A partner's application (合作机构申请), an offer (信用惠民措施) and a redemption's outcome
(惠民应用结果) each change state only through `core.transitions.apply`, with the change's audit
entry in the same transaction: two decisions arriving at once give one change, one audit entry
and one `409` with the workflow's named reason.
"""

from __future__ import annotations

from enum import StrEnum

from ..core.transitions import Workflow


class PartnerStatus(StrEnum):
    """Where a partner stands with the credit office."""

    APPLIED = "applied"  # waiting for the credit office's decision
    APPROVED = "approved"  # may verify passes and grant benefits
    REJECTED = "rejected"
    SUSPENDED = "suspended"  # offboarded by the credit office: keys revoked, accounts disabled


class OfferStatus(StrEnum):
    """An offer: residents see it only while it is live."""

    PENDING = "pending"  # registered by the partner, waiting for the credit office
    LIVE = "live"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by the partner, before or after it went live


class RedemptionOutcome(StrEnum):
    """How a benefit use ended; fulfilled and defaulted each become a credit record."""

    OPEN = "open"
    FULFILLED = "fulfilled"
    DEFAULTED = "defaulted"  # only after the grace period and a notice


class Refusal(StrEnum):
    """Public reasons (`reason` of a 409) for a partner workflow step that did not happen."""

    ALREADY_DECIDED = "already_decided"  # the application or offer was decided before
    ALREADY_CLOSED = "already_closed"  # a withdrawn or rejected offer cannot be withdrawn
    ALREADY_REPORTED = "already_reported"  # the redemption's outcome was reported before
    ALREADY_USED = "already_used"  # this presentation was redeemed for this offer before
    QUOTA_EXHAUSTED = "quota_exhausted"
    GRACE_PERIOD = "grace_period"  # a default can be reported only after the due date
    NO_REMINDER = "no_reminder"  # the system has not sent its reminder (催告) yet
    REMINDER_PERIOD = "reminder_period"  # the resident may still settle or object
    NOT_ELIGIBLE = "not_eligible"
    NOT_LIVE = "not_live"  # the offer is not live at this partner
    ALREADY_DISABLED = "already_disabled"  # the partner or operator is disabled already
    NOT_MEMBER = "not_member"  # the account is not one of this partner's operators


PARTNER_WORKFLOW: Workflow[PartnerStatus] = Workflow(
    name="partner application",
    moves={
        PartnerStatus.APPLIED: frozenset({PartnerStatus.APPROVED, PartnerStatus.REJECTED}),
        # Offboarding (`offboarding.disable_partner`): its keys and accounts go with it.
        PartnerStatus.APPROVED: frozenset({PartnerStatus.SUSPENDED}),
    },
    conflict_reason=Refusal.ALREADY_DECIDED,
    reasons={PartnerStatus.SUSPENDED: Refusal.ALREADY_DISABLED},
)

OFFER_WORKFLOW: Workflow[OfferStatus] = Workflow(
    name="offer",
    moves={
        OfferStatus.PENDING: frozenset(
            {OfferStatus.LIVE, OfferStatus.REJECTED, OfferStatus.WITHDRAWN}
        ),
        OfferStatus.LIVE: frozenset({OfferStatus.WITHDRAWN}),
    },
    conflict_reason=Refusal.ALREADY_DECIDED,
    reasons={OfferStatus.WITHDRAWN: Refusal.ALREADY_CLOSED},
)

REDEMPTION_WORKFLOW: Workflow[RedemptionOutcome] = Workflow(
    name="redemption",
    moves={
        RedemptionOutcome.OPEN: frozenset(
            {RedemptionOutcome.FULFILLED, RedemptionOutcome.DEFAULTED}
        ),
    },
    status_field="outcome",
    conflict_reason=Refusal.ALREADY_REPORTED,
)
