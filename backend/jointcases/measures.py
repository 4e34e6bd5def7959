"""The measures a joint case may name, per list (seed 五（一）（二）（三）). Codes are the wire
values of `reportJointCase` and the export; names are in the catalogs
(`jointcase.measure.<code>`). The counter measures are the same codes as the handling hints
of `verifyPass` (backend/data/lists/handling.json) and the offer kinds of a redemption."""

from __future__ import annotations

from typing import Final

LISTS: Final = ("red", "gray", "black")

MEASURES: Final[dict[str, tuple[str, ...]]] = {
    # 联合激励 (red)
    "green_channel": ("red",),  # 绿色通道
    "deferred_acceptance": ("red",),  # 容缺受理
    "priority": ("red",),  # 优先办理
    "simplified_procedure": ("red",),  # 简化程序
    "deposit_waived": ("red",),  # 免押金
    "pay_later": ("red",),  # 先享后付
    "discount": ("red",),  # 优惠减免
    "public_commendation": ("red",),  # 公开褒扬
    # 约束限制 (gray)
    "interview_warning": ("gray",),  # 约谈警示
    "cautious_handling": ("gray",),  # 审慎办理
    "closer_supervision": ("gray",),  # 加强监管
    "restriction": ("gray", "black"),  # 约束限制
    # 联合惩戒 (black)
    "administrative_punishment": ("black",),  # 行政性惩戒
    "market_punishment": ("black",),  # 市场性惩戒
    "industry_punishment": ("black",),  # 行业性惩戒
    "social_punishment": ("black",),  # 社会性惩戒
    "denial_or_ban": ("black",),  # 否决或禁入
    # at a partner's counter: the benefit withheld, the normal deposit or procedure applies
    "benefit_withheld": ("gray", "black"),
}
# A redemption's offer kind is the incentive measure it applied (partners.eligibility.KINDS).
OFFER_KIND_MEASURE: Final = {
    "deposit_waived": "deposit_waived",
    "pay_later": "pay_later",
    "priority": "priority",
    "discount": "discount",
}


def kind_of(list_kind: str) -> str:
    """incentive (联合激励) for the red list, punishment (约束/惩戒) for gray and black."""
    return "incentive" if list_kind == "red" else "punishment"


def fits(measure: str, list_kind: str) -> bool:
    return list_kind in MEASURES.get(measure, ())
