// The counter's verdict panel built from the verifyPass JSON: the same structure and
// classes as the server-rendered partners/_verdict.html, text only through textContent.

import { newKey } from "./http.js";

const PASS_REASONS = new Set([
  "malformed", "unknown_key", "bad_signature", "expired", "not_yet_valid",
  "stale_presentation", "clock_skew", "bad_presentation", "revoked",
]);
const SVG = "http://www.w3.org/2000/svg";
const MARK_SHAPES = {
  ok: [["path", { class: "mark-fg", d: "M6.5 12.5l3.5 3.5 7.5-8" }]],
  normal: [
    ["path", { class: "mark-fg", d: "M12 11v6.5" }],
    ["circle", { class: "mark-dot", cx: "12", cy: "7", r: "1.7" }],
  ],
  refused: [["path", { class: "mark-fg", d: "M7.5 7.5l9 9M16.5 7.5l-9 9" }]],
};

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child == null || child === false) continue;
    node.append(child);
  }
  return node;
}

/** 10000 fen → "100"; 12345 → "123.45" (as the server's present.yuan). */
export function yuan(cents) {
  const value = Math.max(0, Math.trunc(Number(cents) || 0));
  const whole = Math.floor(value / 100).toLocaleString("en-US");
  const fen = value % 100;
  return fen ? `${whole}.${String(fen).padStart(2, "0")}` : whole;
}

function pick(map, locale) {
  if (!map) return "";
  return (locale === "en" && map.en) || map["zh-CN"] || "";
}

export function offerTitle(offer, locale) {
  return pick(offer.title, locale);
}

function terms(offer, t) {
  return t(`offer.terms.${offer.kind}`, { amount: yuan(offer.amount_cents), percent: offer.discount_percent ?? 0 });
}

export function summary(offer, t, locale) {
  return [offerTitle(offer, locale), terms(offer, t), pick(offer.limit_note, locale)].filter(Boolean).join(" · ");
}

function tierName(tier, t) {
  return t(`pass.tier.${tier || "none"}`);
}

function whyNot(reason, minTier, t) {
  const key = t.has(`pass.why_not.${reason}`) ? `pass.why_not.${reason}` : "pass.why_not.other";
  return t(key, { tier: tierName(minTier, t) });
}

export function reasonMessage(reason, t) {
  return t(t.has(`pass.reason.${reason}`) ? `pass.reason.${reason}` : "pass.reason.other");
}

/** Why a confirm was not recorded (the pass, the offer's terms, or a second use). */
export function refusal(reason, minTier, t) {
  if (PASS_REASONS.has(reason)) return reasonMessage(reason, t);
  if (t.has(`pass.why_not.${reason}`)) return whyNot(reason, minTier, t);
  return t(t.has(`counter.refused.${reason}`) ? `counter.refused.${reason}` : "counter.refused.other");
}

export function stateOf(result) {
  if (!result.valid) return "refused";
  return result.eligible_offers?.length ? "ok" : "normal";
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

/** The drawn tick, "i" or cross of partners/_mark.html. */
export function mark(state) {
  const icon = svg("svg", { class: "verdict-mark", viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false" });
  icon.append(svg("circle", { class: "mark-bg", cx: "12", cy: "12", r: "12" }));
  for (const [tag, attrs] of MARK_SHAPES[state]) icon.append(svg(tag, attrs));
  return icon;
}

function title(state, text) {
  return el("h2", { id: "verdict-title", class: "verdict-title", tabindex: "-1" }, mark(state), ` ${text}`);
}

function normalProcedure(t) {
  return el("p", { class: "normal-procedure" }, el("strong", { text: t("counter.normal_procedure") }));
}

function redeemForm(offer, { t, locale, csrf, text }) {
  const hidden = (name, value) => el("input", { type: "hidden", name, value });
  return el(
    "form",
    { method: "post", action: "/counter/redeem", class: "redeem" },
    hidden("csrf_token", csrf),
    hidden("text", text),
    hidden("offer_id", offer.id),
    hidden("idempotency_key", newKey()),
    el(
      "button",
      {
        type: "submit",
        class: "confirm",
        "data-offer-id": offer.id,
        "data-kind": offer.kind,
        "data-amount": offer.amount_cents ?? 0,
        "data-percent": offer.discount_percent ?? 0,
        "data-min-tier": offer.min_tier || "",
      },
      t("counter.confirm"),
      el("span", { class: "visually-hidden", text: ` ${offerTitle(offer, locale)}` }),
    ),
  );
}

/** The whole panel for one verification. */
export function renderVerdict(result, context) {
  const { t, locale } = context;
  const state = stateOf(result);
  const panel = el("section", {
    class: `verdict verdict-${state}`,
    id: "verdict-panel",
    "aria-labelledby": "verdict-title",
    "data-reason": result.reason,
  });
  panel.append(title(state, t(`counter.state.${state}`)));
  if (!result.valid) {
    panel.append(el("p", { class: "verdict-reason", text: reasonMessage(result.reason, t) }), normalProcedure(t));
    return panel;
  }
  const eligible = result.eligible_offers || [];
  const ineligible = result.ineligible_offers || [];
  if (!eligible.length) {
    panel.append(
      el(
        "p",
        { class: "normal-procedure" },
        el("strong", { text: t("counter.normal_procedure") }),
        " ",
        el("span", { class: "small-print", text: t("counter.never_refuse") }),
      ),
    );
  }
  if (result.requires_id_check) {
    panel.append(
      el(
        "p",
        { class: "id-check", id: "id-check" },
        el("strong", { text: t("counter.id_check") }),
        ` ${t("counter.id_check_paper", { name: result.masked_name || "" })}`,
      ),
    );
  }
  const facts = el(
    "p",
    { class: "verdict-facts" },
    el("span", { class: "verdict-tier", text: t("counter.tier", { tier: tierName(result.tier, t) }) }),
  );
  if (!result.requires_id_check) {
    facts.append(
      " ",
      el(
        "span",
        { class: "verdict-name" },
        `${t("counter.masked_name")} `,
        el("strong", { class: "masked-name", text: result.masked_name || "" }),
      ),
    );
  }
  panel.append(facts);
  if (eligible.length) {
    panel.append(el("h3", { class: "verdict-sub", text: t("counter.applies") }));
    const list = el("ul", { class: "offer-list" });
    for (const offer of eligible) {
      list.append(
        el(
          "li",
          { class: "offer-item eligible", id: `offer-${offer.id}` },
          el("p", { class: "offer-line", text: summary(offer, t, locale) }),
          redeemForm(offer, context),
        ),
      );
    }
    panel.append(list);
  }
  if (ineligible.length) {
    panel.append(el("h3", { class: "verdict-sub", text: t("counter.not_applies") }));
    const list = el("ul", { class: "offer-list" });
    for (const offer of ineligible) {
      list.append(
        el(
          "li",
          { class: "offer-item ineligible", "data-why-not": offer.why_not },
          el("span", { class: "offer-line", text: offerTitle(offer, locale) }),
          " ",
          el("span", { class: "why-not", text: whyNot(offer.why_not, offer.min_tier, t) }),
        ),
      );
    }
    panel.append(list);
  }
  if (!eligible.length && !ineligible.length) panel.append(el("p", { text: t("counter.no_live_offers") }));
  return panel;
}

/** What replaces the confirm button after 确认办理: "已办理 · 押金已免 100 元", the record number. */
export function renderRedeemed(redemption, button, t) {
  const waived = Number(redemption.deposit_waived_cents) || 0;
  const kind = button.dataset.kind || "";
  const key = waived ? "counter.done.deposit_waived" : `counter.done.${kind}`;
  const done = t(t.has(key) ? key : "counter.outcome_ok", {
    amount: yuan(waived || button.dataset.amount),
    percent: button.dataset.percent || 0,
  });
  let detail = t("counter.redemption_no", { id: redemption.id });
  if (redemption.due_on) detail += ` · ${t("counter.due_on", { date: redemption.due_on })}`;
  return el(
    "div",
    { class: "offer-result" },
    el("p", { class: "offer-done", text: done }),
    el("p", { class: "offer-detail", text: detail }),
  );
}

/** What replaces the confirm button when it was refused, and why. */
export function renderRefused(reason, button, t) {
  return el(
    "div",
    { class: "offer-result" },
    el("p", { class: "offer-refused", role: "alert", text: refusal(reason, button.dataset.minTier, t) }),
    normalProcedure(t),
  );
}

/** A verification that did not get an answer (offline, signed out, too many requests…). */
export function renderProblem(response, t) {
  let message = t("counter.error");
  if (response.status === 0) message = t("counter.offline");
  else if (response.status === 401) message = t("error.unauthenticated");
  else if (response.status === 403 && response.body.code === "csrf-failed") message = t("error.csrf_failed");
  else if (response.status === 429) message = t("error.too_many_requests");
  else if (response.status === 422) message = reasonMessage("malformed", t);
  else if (response.body.title) message = response.body.title;
  const panel = el("section", {
    class: "verdict verdict-refused",
    id: "verdict-panel",
    "aria-labelledby": "verdict-title",
  });
  panel.append(title("refused", t("counter.not_checked")), el("p", { class: "verdict-reason", text: message }));
  return panel;
}
