// Red, gray and black lists (红名单 / 重点关注名单 / 黑名单): whether I am on one, why, on what
// legal basis and decision, and until when. Lists come only from rules or a four-eyes
// decision with a named legal basis; a low score alone never puts anyone on a list.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { day, listCodes, listMeaning, listName, localised } from "../format.js";
import { t, tOr } from "../i18n.js";
import { caseHref, stateText } from "./cases.js";

export const id = "lists";

function fact(label, value, attrs = {}) {
  return [h("dt", { text: label }), h("dd", attrs, value)];
}

/** Object to this entry, or the open objection about it. */
function objectAction(app, item, objection) {
  if (objection) {
    return h(
      "p",
      { class: "notice info", "data-objection": objection.case_no },
      t("pwa.lists.objection_open", { case_no: objection.case_no, state: stateText("objection", objection.state) }),
      " ",
      h("a", { href: caseHref("objection", objection.id), text: t("pwa.record.open_case") }),
    );
  }
  // A button (the entry's only link names its records): it opens the objection form.
  return h(
    "p",
    { class: "actions" },
    h("button", {
      type: "button",
      class: "secondary",
      "data-object": item.id,
      text: t("pwa.lists.object_action"),
      onclick: () => app.navigate(`objections/new?subject=list_entry&id=${item.id}`),
    }),
    item.source === "rule" ? h("a", { href: `#/review/list/${item.id}`, class: "review-link", "data-review": String(item.id), text: t("pwa.rightscases.review_action") }) : null,
  );
}

function entry(app, item, names, objection) {
  const why = item.source === "manual" ? item.reason || t("pwa.record.not_given") : tOr(`pwa.lists.rule.${item.rule}`, item.rule || "");
  const records = item.record_ids?.length
    ? h(
        "ul",
        { class: "inline-list" },
        item.record_ids.map((rid, i) =>
          h("li", {}, h("a", { href: `#/records/${rid}`, text: names.get(rid) || t("pwa.lists.record_link", { n: i + 1 }) })),
        ),
      )
    : null;
  return h(
    "li",
    { class: `card list-entry list-${item.list}`, "data-list": item.list, "data-entry-id": item.id },
    h("h2", {}, h("span", { class: `list-badge list-${item.list}`, text: listName(item.list) })),
    h("p", { class: "list-meaning", text: listMeaning(item.list) }),
    h(
      "dl",
      { class: "facts" },
      fact(t("pwa.lists.why"), why, { "data-fact": "why" }),
      fact(t("pwa.lists.source"), t(item.source === "manual" ? "pwa.lists.source_manual" : "pwa.lists.source_rule")),
      fact(t("pwa.record.legal_basis"), localised(item.legal_basis) || t("pwa.record.not_given"), { "data-fact": "legal_basis" }),
      fact(t("pwa.record.decision_doc_no"), item.decision_doc_no || t("pwa.record.not_given"), { "data-fact": "decision_doc_no" }),
      fact(t("pwa.lists.start"), day(item.start), { "data-fact": "start" }),
      fact(t("pwa.lists.end"), item.end ? day(item.end) : t(item.source === "rule" ? "pwa.lists.end_rule" : "pwa.lists.end_open"), { "data-fact": "end" }),
      records ? fact(t("pwa.lists.records"), records) : null,
    ),
    objectAction(app, item, objection),
  );
}

export async function render(app, root) {
  const { items } = await api("/api/v1/me/lists");
  // Name the records behind each entry (the list API gives their ids).
  const names = new Map();
  if (items.some((i) => i.record_ids?.length)) {
    const records = await api("/api/v1/me/records").catch(() => ({ items: [] }));
    for (const r of records.items) names.set(r.id, localised(r.name, r.type));
  }
  // Open objections about an entry (one per entry at most).
  const objections = new Map();
  if (items.length) {
    const mine = await api("/api/v1/me/objections").catch(() => ({ items: [] }));
    for (const o of mine.items) if (o.open && o.subject === "list_entry") objections.set(o.subject_id, o);
  }
  const heading = t("pwa.lists.heading");
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.home") })),
    h("h1", { tabindex: "-1", text: heading }),
    h("p", { class: "lead", text: t("pwa.lists.intro") }),
    items.length
      ? h("ul", { class: "plain", id: "lists-entries" }, items.map((i) => entry(app, i, names, objections.get(i.id))))
      : h(
          "div",
          { class: "empty card", id: "lists-empty" },
          h("h2", { text: t("pwa.lists.none") }),
          h("p", { text: t("pwa.lists.none_body") }),
        ),
    h(
      "section",
      { class: "card subtle", "aria-labelledby": "lists-about-h" },
      h("h2", { id: "lists-about-h", text: t("pwa.lists.about") }),
      h(
        "dl",
        { class: "facts compact" },
        listCodes().map((kind) => fact(listName(kind), listMeaning(kind))),
      ),
      h("p", { class: "small", text: t("pwa.lists.basic_services") }),
    ),
  );
  return { title: heading };
}
