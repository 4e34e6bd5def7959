// My benefit history (信用惠民记录): where and when the pass was used, the deposit waived,
// when it is due back, and how it ended.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { day, localised, yuan } from "../format.js";
import { formatDateTime, t, tOr } from "../i18n.js";
import { caseHref, stateText } from "./cases.js";

export const id = "benefits";

function fact(label, value, attrs = {}) {
  return [h("dt", { text: label }), h("dd", attrs, value)];
}

/** A reported default can be objected to like any record (or its open objection shown). */
function objectDefault(use, objection) {
  if (use.outcome !== "defaulted") return null;
  if (objection) {
    return h(
      "p",
      { class: "notice info", "data-objection": objection.case_no },
      t("pwa.benefits.objection_open", { case_no: objection.case_no, state: stateText("objection", objection.state) }),
      " ",
      h("a", { href: caseHref("objection", objection.id), text: t("pwa.record.open_case") }),
    );
  }
  return h(
    "p",
    { class: "actions" },
    h("a", {
      class: "button secondary",
      "data-object": use.id,
      href: `#/objections/new?subject=default&id=${use.id}`,
      text: t("pwa.benefits.object_action"),
    }),
  );
}

function item(use, objection) {
  const outcome = tOr(`pwa.benefits.outcome.${use.outcome}`, use.outcome);
  return h(
    "li",
    { class: "card benefit", "data-benefit-id": use.id },
    h("h2", { class: "benefit-title", text: localised(use.offer) }),
    h("p", { class: "benefit-where" }, h("span", { text: use.partner }), " · ", h("time", { datetime: use.at, text: formatDateTime(use.at) })),
    h(
      "dl",
      { class: "facts compact" },
      fact(t("pwa.benefits.kind"), tOr(`offer.kind.${use.kind}`, use.kind)),
      use.deposit_waived_cents
        ? fact(t("pwa.benefits.deposit"), t("pwa.benefits.yuan", { amount: yuan(use.deposit_waived_cents) }), { "data-fact": "deposit" })
        : null,
      use.due_on ? fact(t("pwa.benefits.due"), day(use.due_on), { "data-fact": "due" }) : null,
      fact(t("pwa.benefits.outcome"), h("span", { class: `tag outcome-${use.outcome}`, text: outcome }), { "data-fact": "outcome" }),
    ),
    use.outcome === "open" && use.due_on ? h("p", { class: "small", text: t("pwa.benefits.open_note", { date: day(use.due_on) }) }) : null,
    objectDefault(use, objection),
  );
}

export async function render(app, root) {
  const { items } = await api("/api/v1/me/benefits");
  const objections = new Map();
  if (items.some((use) => use.outcome === "defaulted")) {
    const mine = await api("/api/v1/me/objections").catch(() => ({ items: [] }));
    for (const o of mine.items) if (o.open && o.subject === "default") objections.set(o.subject_id, o);
  }
  const heading = t("pwa.benefits.heading");
  const waived = items.reduce((sum, use) => sum + (use.deposit_waived_cents || 0), 0);
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/offers", text: t("pwa.offers.heading") })),
    h("h1", { tabindex: "-1", text: heading }),
    h("p", { class: "lead", text: t("pwa.benefits.intro") }),
    items.length
      ? [
          h("p", { class: "stat", id: "benefits-total", text: t("pwa.benefits.total", { count: items.length, amount: yuan(waived) }) }),
          h("ul", { class: "plain", id: "benefits-list" }, items.map((use) => item(use, objections.get(use.id)))),
        ]
      : h(
          "div",
          { class: "empty card", id: "benefits-empty" },
          h("h2", { text: t("pwa.benefits.none") }),
          h("p", {}, t("pwa.benefits.none_body"), " ", h("a", { href: "#/offers", text: t("pwa.offers.heading") })),
        ),
  );
  return { title: heading };
}
