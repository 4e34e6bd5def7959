// One credit record in full: what happened, who recorded it and on what legal basis, its
// effect and when it stops counting — and, for a negative record, how to object or repair.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { day, dimensionName, localised, pointsClass, pointsText, today } from "../format.js";
import { t, tOr } from "../i18n.js";
import { statusTag, statusText } from "./records.js";

export const id = "record";

function recordId() {
  const match = /^#\/records\/(\d+)/.exec(location.hash);
  return match ? match[1] : null;
}

function fact(label, value, attrs = {}) {
  return [h("dt", { text: label }), h("dd", attrs, value)];
}

function stopsCounting(record) {
  if (record.status === "expired") return t("pwa.record.expired_on", { date: day(record.expires_on) });
  if (record.status === "repaired") return t("pwa.record.stopped_repaired");
  return t("pwa.record.counts_until", { date: day(record.expires_on) });
}

function contest(record) {
  const negative = record.points < 0;
  if (!negative) return null;
  const active = ["active", "under_objection", "pending"].includes(record.status);
  const repairNow = record.repairable && record.repairable_from <= today();
  let repair;
  if (!record.repairable) repair = t("pwa.record.repair_not_applicable");
  else if (repairNow) repair = t("pwa.record.repair_now");
  else repair = t("pwa.record.repair_from", { date: day(record.repairable_from) });
  return h(
    "section",
    { class: "card contest", id: "record-contest", "aria-labelledby": "contest-h" },
    h("h2", { id: "contest-h", text: t("pwa.record.contest_heading") }),
    h("h3", { text: t("pwa.record.object_heading") }),
    h("p", { text: t("pwa.record.object_body") }),
    active ? h("h3", { text: t("pwa.record.repair_heading") }) : null,
    active ? h("p", { id: "record-repair", text: repair }) : null,
    active && record.repairable ? h("p", { class: "small", text: t("pwa.record.repair_conditions") }) : null,
    h("p", { class: "notice warning", text: t("pwa.record.free") }),
    h("p", { class: "notice info", text: t("pwa.record.coming_soon") }),
  );
}

export async function render(app, root) {
  const wanted = recordId();
  if (!wanted) {
    app.navigate("records");
    return { title: t("pwa.records.heading") };
  }
  const record = await api(`/api/v1/me/records/${wanted}`);
  const name = localised(record.name, record.type);
  const legal = localised(record.legal_basis);
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/records", text: t("pwa.record.back") })),
    h("h1", { tabindex: "-1", text: name }),
    h(
      "p",
      { class: "record-summary" },
      statusTag(record.status, { id: "record-status" }),
      h("span", { class: pointsClass(record.points), id: "record-points", text: pointsText(record.points) }),
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "record-facts-h" },
      h("h2", { id: "record-facts-h", text: t("pwa.record.facts") }),
      h(
        "dl",
        { class: "facts", id: "record-facts" },
        fact(t("pwa.record.what"), record.summary || name),
        fact(t("pwa.record.department"), localised(record.department_name, record.department), { "data-fact": "department" }),
        fact(t("pwa.record.legal_basis"), legal || t("pwa.record.not_given"), { "data-fact": "legal_basis" }),
        fact(t("pwa.record.decision_date"), day(record.decision_date), { "data-fact": "decision_date" }),
        fact(t("pwa.record.decision_doc_no"), record.decision_doc_no || t("pwa.record.not_given"), { "data-fact": "decision_doc_no" }),
        fact(
          t("pwa.record.effect"),
          t("pwa.record.effect_text", { points: pointsText(record.points), dimension: dimensionName(record.dimension) }),
          { "data-fact": "effect" },
        ),
        fact(t("pwa.record.severity"), tOr(`pwa.record.severity.${record.severity}`, record.severity)),
        fact(t("pwa.record.stops"), stopsCounting(record), { "data-fact": "expires_on" }),
        fact(t("pwa.record.status"), statusText(record.status), { "data-fact": "status" }),
      ),
    ),
    contest(record),
    h("p", { class: "small" }, h("a", { href: "/scoring", text: t("pwa.score.how") })),
  );
  return { title: name };
}
