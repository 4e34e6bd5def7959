// One credit record in full: what happened, who recorded it and on what legal basis, its
// effect and when it stops counting — and, for a negative record, how to object or repair.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { day, dimensionName, localised, pointsClass, pointsText } from "../format.js";
import { t, tOr } from "../i18n.js";
import { caseHref, stateText } from "./cases.js";
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

/** An open case about this record, as a link to it (null when there is none). */
function openCase(kind, found, key) {
  if (!found) return null;
  return h(
    "p",
    { class: "notice info", id: `record-open-${kind}` },
    t(key, { case_no: found.case_no, state: stateText(kind, found.state) }),
    " ",
    h("a", { href: caseHref(kind, found.id), text: t("pwa.record.open_case") }),
  );
}

function objectPart(record, objection) {
  if (record.status === "withdrawn") return null;
  return [
    h("h3", { text: t("pwa.record.object_heading") }),
    h("p", { text: t("pwa.record.object_body") }),
    objection
      ? openCase("objection", objection, "pwa.record.objection_open")
      : h(
          "p",
          { class: "actions" },
          h("a", {
            class: "button secondary",
            id: "record-object",
            href: `#/objections/new?subject=record&id=${record.id}`,
            text: t("pwa.record.object_action"),
          }),
        ),
  ];
}

/** Repair: a real way in when eligible; otherwise from when and why not. */
function repairPart(record, option, repair) {
  const active = ["active", "under_objection", "pending"].includes(record.status);
  if (!active) return null;
  const reason = option ? option.reason : record.repairable ? "not_active" : "not_repairable";
  let text;
  let why = null;
  if (option?.eligible) text = t("pwa.record.repair_now");
  else if (reason === "too_early") {
    text = t("pwa.record.repair_from", { date: day(option.eligible_from) });
    why = t("pwa.repair.why_not.too_early");
  } else if (reason === "not_repairable") text = t("pwa.record.repair_not_applicable");
  else if (reason === "already_open") text = t("pwa.record.repair_open");
  else text = tOr(`pwa.repair.why_not.${reason}`, t("pwa.repair.why_not.not_active"), { case_no: option?.open_case || "" });
  return [
    h("h3", { text: t("pwa.record.repair_heading") }),
    h("p", { id: "record-repair", "data-reason": option?.eligible ? "eligible" : reason, text }),
    why ? h("p", { class: "small", id: "record-repair-why", text: why }) : null,
    record.repairable ? h("p", { class: "small", text: t("pwa.record.repair_conditions") }) : null,
    repair ? openCase("repair", repair, "pwa.record.repair_case_open") : null,
    option?.eligible
      ? h(
          "p",
          { class: "actions" },
          h("a", {
            class: "button primary",
            id: "record-apply",
            href: `#/repairs/new?record=${record.id}`,
            text: t("pwa.record.repair_action"),
          }),
        )
      : null,
  ];
}

function contest(record, { option, repair, objection }) {
  const negative = record.points < 0;
  return h(
    "section",
    { class: "card contest", id: "record-contest", "aria-labelledby": "contest-h" },
    h("h2", { id: "contest-h", text: t(negative ? "pwa.record.contest_heading" : "pwa.record.contest_heading_positive") }),
    objectPart(record, objection),
    negative ? repairPart(record, option, repair) : null,
    h("p", { class: "notice warning", text: t("pwa.record.free") }),
  );
}

/** What the due-process API says about this record: can it be repaired, and open cases. */
async function dueProcess(recordId) {
  const none = { items: [] };
  const [options, repairs, objections] = await Promise.all([
    api("/api/v1/me/repair-options").catch(() => none),
    api("/api/v1/me/repairs").catch(() => none),
    api("/api/v1/me/objections").catch(() => none),
  ]);
  const mine = (item) => item.open && item.record_id === recordId;
  return {
    option: options.items.find((o) => o.record_id === recordId) || null,
    repair: repairs.items.find(mine) || null,
    objection: objections.items.find((o) => mine(o) && o.subject !== "list_entry") || null,
  };
}

export async function render(app, root) {
  const wanted = recordId();
  if (!wanted) {
    app.navigate("records");
    return { title: t("pwa.records.heading") };
  }
  const [record, cases] = await Promise.all([api(`/api/v1/me/records/${wanted}`), dueProcess(Number(wanted))]);
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
    record.suspended ? h("p", { class: "notice info", id: "record-suspended", text: t("pwa.record.suspended") }) : null,
    contest(record, cases),
    h("p", { class: "small" }, h("a", { href: "/scoring", text: t("pwa.score.how") })),
  );
  return { title: name };
}
