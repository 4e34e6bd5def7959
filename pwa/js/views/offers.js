// Credit benefits (信用惠民): live offers by domain, whether I qualify and, if not, why in
// plain words. Not qualifying never blocks a service: the normal procedure applies.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { day, localised, tierName, yuan } from "../format.js";
import { t, tOr } from "../i18n.js";

export const id = "offers";

export const DOMAINS = ["library", "hospital", "transit", "utilities", "culture_tourism", "employment", "merchant", "government"];
let filterChosen = false;

export function domainName(domain) {
  return tOr(`pwa.offers.domain.${domain}`, domain);
}

export function termsText(offer) {
  const noAmount = ["deposit_waived", "pay_later"].includes(offer.kind) && !offer.amount_cents;
  if (noAmount || (offer.kind === "discount" && !offer.discount_percent)) return tOr(`offer.kind.${offer.kind}`, offer.kind);
  return tOr(`offer.terms.${offer.kind}`, offer.kind, {
    amount: yuan(offer.amount_cents),
    percent: offer.discount_percent ?? 0,
  });
}

function whyNot(offer) {
  const reason = offer.why_not || "";
  if (reason === "tier_too_low") return t("pwa.offers.why_not.tier_too_low", { tier: tierName(offer.min_tier) });
  if (reason === "not_started") return t("pwa.offers.why_not.not_started", { date: day(offer.valid_from) });
  return tOr(`pwa.offers.why_not.${reason}`, t("pwa.offers.why_not.other"));
}

function currentDomain() {
  const query = new URLSearchParams(location.hash.split("?")[1] || "");
  const domain = query.get("domain");
  return DOMAINS.includes(domain) ? domain : null;
}

/** The domain filters: only domains that have an offer now (an empty category is a dead end),
 * and none at all when every offer is of one domain. The chosen one stays, even if empty. */
function filters(active, present) {
  const link = (domain) =>
    h(
      "li",
      {},
      h("a", {
        href: domain ? `#/offers?domain=${domain}` : "#/offers",
        "data-domain": domain || "all",
        "aria-current": domain === active ? "page" : null,
        text: domain ? domainName(domain) : t("pwa.offers.all"),
        onclick: () => {
          filterChosen = true;
        },
      }),
    );
  const shown = DOMAINS.filter((d) => present.has(d) || d === active);
  if (shown.length < 2 && !active) return null;
  return h(
    "nav",
    { class: "filters", "aria-label": t("pwa.offers.filter_label") },
    h("ul", { class: "plain segmented wrap" }, link(null), shown.map(link)),
  );
}

function offerCard(offer) {
  const titleId = `offer-${offer.id}-h`;
  const note = localised(offer.limit_note);
  const description = localised(offer.description);
  return h(
    "li",
    { class: `card offer${offer.eligible ? " eligible" : ""}`, "data-offer-id": offer.id, "aria-labelledby": titleId },
    h("p", { class: "offer-domain" }, h("span", { class: "tag", text: domainName(offer.domain) })),
    h("h2", { id: titleId, class: "offer-title", text: localised(offer.title) }),
    h("p", { class: "offer-partner", text: offer.partner?.name || "" }),
    h("p", { class: "offer-terms", text: termsText(offer) }),
    description ? h("p", { class: "small", text: description }) : null,
    note ? h("p", { class: "small", text: t("pwa.offers.limit", { note }) }) : null,
    offer.eligible
      ? h("p", { class: "offer-verdict yes", "data-verdict": "eligible", text: t("pwa.offers.eligible") })
      : h("p", { class: "offer-verdict no", "data-verdict": offer.why_not, text: whyNot(offer) }),
    h("p", { class: "small", text: t("pwa.offers.valid", { from: day(offer.valid_from), until: day(offer.valid_until) }) }),
  );
}

export async function render(app, root) {
  const domain = currentDomain();
  // All offers in one request (a city has tens, not thousands): the filters know which domains
  // have any, and switching domain needs no network.
  const data = await api("/api/v1/me/offers");
  const heading = t("pwa.offers.heading");
  const present = new Set(data.items.map((o) => o.domain));
  const chosen = domain ? data.items.filter((o) => o.domain === domain) : data.items;
  const eligible = chosen.filter((o) => o.eligible).length;
  const items = [...chosen].sort((a, b) => Number(b.eligible) - Number(a.eligible)); // mine first
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.home") })),
    h("h1", { tabindex: "-1", text: heading }),
    h("p", { class: "lead", text: t("pwa.offers.intro") }),
    h(
      "p",
      { class: "notice info", id: "offers-tier" },
      t("pwa.offers.your_tier", { tier: tierName(data.tier) }),
      " ",
      h("a", { href: "#/pass", text: t("pwa.offers.show_pass") }),
    ),
    data.lists?.includes("black") ? h("p", { class: "notice warning", text: t("pwa.offers.black_note") }) : null,
    filters(domain, present),
    h("p", { class: "small", id: "offers-count", text: t("pwa.offers.count", { count: items.length, eligible }) }),
    items.length
      ? h("ul", { class: "plain offers", id: "offers-list" }, items.map(offerCard))
      : h(
          "div",
          { class: "empty card", id: "offers-empty" },
          h("h2", { text: t("pwa.offers.none") }),
          h("p", { text: t("pwa.offers.none_body") }),
        ),
    h("p", {}, h("a", { href: "#/benefits", text: t("pwa.benefits.heading") })),
  );
  return { title: heading };
}

export function mounted(app, root) {
  if (!filterChosen) return;
  filterChosen = false;
  root.querySelector(".filters [aria-current=page]")?.focus();
}
