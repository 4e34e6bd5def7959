// My credit records (信用记录): every record with its source, effect and status; filter by
// all / still counting / expired. Each opens its detail (views/record.js).

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { day, dimensionName, localised, pointsClass, pointsText } from "../format.js";
import { t, tOr } from "../i18n.js";

export const id = "records";

// Filter → the API's status (null: all).
const FILTERS = [
  ["all", null],
  ["counting", "active"],
  ["expired", "expired"],
];
let filterChosen = false; // focus the chosen filter (not the heading) after it re-renders

export function statusText(status) {
  return tOr(`pwa.records.status.${status}`, status);
}

export function statusTag(status, extra = {}) {
  return h("span", { class: `tag status-${status}`, text: statusText(status), ...extra });
}

function currentFilter() {
  const query = new URLSearchParams(location.hash.split("?")[1] || "");
  const name = query.get("filter");
  return FILTERS.find(([key]) => key === name) || FILTERS[0];
}

function filters(active) {
  return h(
    "nav",
    { class: "filters", "aria-label": t("pwa.records.filter_label") },
    h(
      "ul",
      { class: "plain segmented" },
      FILTERS.map(([key]) =>
        h(
          "li",
          {},
          h("a", {
            href: key === "all" ? "#/records" : `#/records?filter=${key}`,
            "data-filter": key,
            "aria-current": key === active ? "page" : null,
            text: t(`pwa.records.filter.${key}`),
            onclick: () => {
              filterChosen = true;
            },
          }),
        ),
      ),
    ),
  );
}

function item(record) {
  const name = localised(record.name, record.type);
  const expiry =
    record.status === "expired"
      ? t("pwa.records.expired_on", { date: day(record.expires_on) })
      : t("pwa.records.counts_until", { date: day(record.expires_on) });
  return h(
    "li",
    { class: "record-item", "data-record-id": record.id, "data-status": record.status },
    h(
      "a",
      { href: `#/records/${record.id}`, class: "record-link" },
      h("span", { class: "record-head" }, h("span", { class: "record-name", text: name }), h("span", { class: pointsClass(record.points), text: pointsText(record.points) })),
      h(
        "span",
        { class: "record-meta" },
        t("pwa.records.meta", { department: localised(record.department_name, record.department), date: day(record.decision_date), dimension: dimensionName(record.dimension) }),
      ),
      h("span", { class: "record-foot" }, statusTag(record.status), h("span", { class: "small", text: expiry })),
    ),
  );
}

function emptyState(filter) {
  return h(
    "div",
    { class: "empty card", id: "records-empty" },
    h("h2", { text: t(`pwa.records.empty.${filter}`) }),
    h("p", { text: t("pwa.records.empty_body") }),
  );
}

export async function render(app, root) {
  const [filter, status] = currentFilter();
  const { items } = await api(status ? `/api/v1/me/records?status=${status}` : "/api/v1/me/records");
  const heading = t("pwa.records.heading");
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.home") })),
    h("h1", { tabindex: "-1", text: heading }),
    h("p", { class: "lead", text: t("pwa.records.intro") }),
    h("p", { class: "small", id: "records-cases" }, h("a", { href: "#/cases", text: t("pwa.records.my_cases") })),
    filters(filter),
    h("p", { class: "small", id: "records-count", text: t("pwa.records.count", { count: items.length }) }),
    items.length ? h("ul", { class: "records plain", id: "records-list" }, items.map(item)) : emptyState(filter),
    h("p", { class: "small" }, h("a", { href: "/scoring", text: t("pwa.score.how") })),
  );
  return { title: heading };
}

export function mounted(app, root) {
  if (!filterChosen) return;
  filterChosen = false;
  root.querySelector(".filters [aria-current=page]")?.focus();
}
