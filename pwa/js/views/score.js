// My score (信用分): the number on a dial, the tier, the five dimensions, the records that
// lower and raise it, what would raise it, and how it changed — every point explained.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { dimensionName, day, localised, pointsClass, pointsText, signed, tierName } from "../format.js";
import { t, tOr } from "../i18n.js";
import { arcPath, s } from "../svg.js";

export const id = "score";

// The dial: a 240° arc, open at the bottom, from the lowest score to the highest.
const START = 150;
const SWEEP = 240;
const CX = 100;
const CY = 100;
const R = 80;

function fraction(value, min, max) {
  if (max <= min) return 0;
  return Math.min(1, Math.max(0, (value - min) / (max - min)));
}

function gauge(score) {
  const { min, max } = score.range;
  const end = START + SWEEP * fraction(score.score, min, max);
  const svg = s(
    "svg",
    { class: "gauge-svg", viewBox: "0 0 200 160", "aria-hidden": "true", focusable: "false" },
    s("path", { class: "gauge-track", d: arcPath(CX, CY, R, START, START + SWEEP) }),
    end > START + 0.5 ? s("path", { class: `gauge-value tier-${score.tier.code}`, d: arcPath(CX, CY, R, START, end) }) : null,
  );
  return h(
    "div",
    { class: "gauge", id: "score-gauge" },
    svg,
    h(
      "p",
      { class: "gauge-center" },
      h("span", { class: "visually-hidden", text: t("pwa.score.label") }),
      h("span", { class: "gauge-score", id: "score-value", text: String(score.score) }),
      h("span", { class: "visually-hidden", text: t("pwa.score.tier_label") }),
      h("span", { class: `gauge-tier tier-${score.tier.code}`, id: "score-tier", text: localised(score.tier.name) }),
    ),
    h(
      "p",
      { class: "gauge-scale" },
      h("span", { class: "visually-hidden", text: t("pwa.score.range", { min, max }) }),
      h("span", { "aria-hidden": "true", text: String(min) }),
      h("span", { "aria-hidden": "true", text: String(max) }),
    ),
  );
}

function bar(dimension) {
  const { min, max, points } = dimension;
  const span = max - min || 1;
  const zero = ((Math.min(Math.max(0, min), max) - min) / span) * 100;
  const at = ((points - min) / span) * 100;
  const x = Math.min(zero, at);
  const width = Math.abs(at - zero);
  return s(
    "svg",
    { class: "dim-bar", viewBox: "0 0 100 10", preserveAspectRatio: "none", "aria-hidden": "true", focusable: "false" },
    s("rect", { class: "dim-track", x: 0, y: 0, width: 100, height: 10 }),
    width > 0 ? s("rect", { class: `dim-fill ${points < 0 ? "down" : "up"}`, x: x.toFixed(2), y: 0, width: width.toFixed(2), height: 10 }) : null,
    min < 0 && max > 0 ? s("line", { class: "dim-zero", x1: zero.toFixed(2), x2: zero.toFixed(2), y1: 0, y2: 10, "vector-effect": "non-scaling-stroke" }) : null,
  );
}

function dimensions(score) {
  return h(
    "section",
    { class: "card", "aria-labelledby": "dims-h" },
    h("h2", { id: "dims-h", text: t("pwa.score.dimensions") }),
    h("p", { class: "small", text: t("pwa.score.dimensions_intro", { base: score.range.base }) }),
    h(
      "ul",
      { class: "dims plain", id: "score-dimensions" },
      score.dimensions.map((d) =>
        h(
          "li",
          { class: "dim", "data-dimension": d.code },
          h(
            "p",
            { class: "dim-head" },
            h("span", { class: "dim-name", text: localised(d.name, d.code) }),
            h("span", { class: `dim-points ${pointsClass(d.points)}`, text: pointsText(d.points) }),
          ),
          bar(d),
          h(
            "p",
            { class: "dim-range small" },
            t("pwa.score.dimension_range", { min: signed(d.min), max: signed(d.max) }),
            d.raw !== d.points ? ` ${t("pwa.score.capped", { raw: signed(d.raw) })}` : null,
          ),
        ),
      ),
    ),
  );
}

function reasonItem(item, dimensionNames) {
  return h(
    "li",
    { class: "reason", "data-record-id": item.id },
    h(
      "p",
      { class: "reason-head" },
      h("a", { href: `#/records/${item.id}`, class: "reason-name", text: localised(item.name, item.type) }),
      h("span", { class: pointsClass(item.points), text: pointsText(item.points) }),
    ),
    h(
      "p",
      { class: "small" },
      t("pwa.score.reason_meta", {
        dimension: dimensionNames[item.dimension] || dimensionName(item.dimension),
        date: day(item.expires_on),
      }),
    ),
  );
}

function reasons(score, dimensionNames) {
  const block = (key, items, empty, listId) =>
    h(
      "div",
      { class: "reasons" },
      h("h3", { text: t(key) }),
      items.length
        ? h("ul", { class: "plain reason-list", id: listId }, items.map((i) => reasonItem(i, dimensionNames)))
        : h("p", { class: "small", id: listId, text: t(empty) }),
    );
  return h(
    "section",
    { class: "card", "aria-labelledby": "reasons-h" },
    h("h2", { id: "reasons-h", text: t("pwa.score.reasons") }),
    h("p", { class: "small", text: t("pwa.score.reasons_intro", { count: score.records_counted }) }),
    block("pwa.score.lowering", score.lowering, "pwa.score.lowering_none", "score-lowering"),
    block("pwa.score.raising", score.raising, "pwa.score.raising_none", "score-raising"),
    h("p", {}, h("a", { href: "#/records", text: t("pwa.score.all_records") })),
  );
}

function suggestion(item) {
  const name = localised(item.name, item.type);
  if (item.kind === "repair" || item.kind === "repair_later") {
    // At the score's floor one repair alone may not move the number: say so plainly.
    const suffix = item.points > 0 ? "" : "_no_points";
    const text =
      item.kind === "repair"
        ? t(`pwa.score.suggest_repair${suffix}`, { points: signed(item.points) })
        : t(`pwa.score.suggest_repair_later${suffix}`, { date: day(item.available_from), points: signed(item.points) });
    return h(
      "li",
      { class: `suggestion ${item.kind}`, "data-kind": item.kind },
      h("a", { href: `#/records/${item.record_id}`, text: name }),
      h("span", { text: `${t("pwa.common.colon")}${text}` }),
      item.kind === "repair"
        ? [" ", h("a", { href: `#/repairs/new?record=${item.record_id}`, class: "suggestion-action", "data-apply": item.record_id, text: t("pwa.score.apply_repair") })]
        : null,
    );
  }
  return h(
    "li",
    { class: "suggestion earn", "data-kind": "earn" },
    t("pwa.score.suggest_earn", { name, points: signed(item.points) }),
  );
}

function suggestions(score) {
  const items = score.suggestions || [];
  const hasRepair = items.some((i) => i.kind !== "earn");
  return h(
    "section",
    { class: "card", "aria-labelledby": "raise-h" },
    h("h2", { id: "raise-h", text: t("pwa.score.raise") }),
    items.length
      ? h("ul", { class: "suggestions", id: "score-suggestions" }, items.map(suggestion))
      : h("p", { id: "score-suggestions", text: t("pwa.score.raise_none") }),
    hasRepair ? h("p", { class: "notice warning", text: t("pwa.score.repair_free") }) : null,
  );
}

function chart(items, range) {
  const W = 320;
  const H = 170;
  const left = 40;
  const right = 12;
  const top = 14;
  const bottom = 30;
  const scores = items.map((i) => i.score);
  let lo = Math.max(range.min, Math.floor((Math.min(...scores) - 25) / 50) * 50);
  let hi = Math.min(range.max, Math.ceil((Math.max(...scores) + 25) / 50) * 50);
  if (hi <= lo) [lo, hi] = [range.min, range.max];
  const x = (i) => (items.length === 1 ? left + (W - left - right) / 2 : left + ((W - left - right) * i) / (items.length - 1));
  const y = (v) => top + (H - top - bottom) * (1 - (v - lo) / (hi - lo));
  const grid = [];
  const step = hi - lo > 200 ? 100 : 50;
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) {
    grid.push(
      s("line", { class: "chart-grid", x1: left, x2: W - right, y1: y(v).toFixed(1), y2: y(v).toFixed(1) }),
      s("text", { class: "chart-label", x: left - 6, y: (y(v) + 4).toFixed(1), "text-anchor": "end", text: String(v) }),
    );
  }
  const points = items.map((item, i) => `${x(i).toFixed(1)},${y(item.score).toFixed(1)}`);
  const first = items[0];
  const last = items[items.length - 1];
  return s(
    "svg",
    { class: "chart", viewBox: `0 0 ${W} ${H}`, "aria-hidden": "true", focusable: "false" },
    grid,
    items.length > 1 ? s("polyline", { class: "chart-line", points: points.join(" ") }) : null,
    items.map((item, i) => s("circle", { class: "chart-point", cx: x(i).toFixed(1), cy: y(item.score).toFixed(1), r: 4 })),
    s("text", { class: "chart-label", x: left, y: H - 8, "text-anchor": "start", text: day(first.as_of) }),
    items.length > 1 ? s("text", { class: "chart-label", x: W - right, y: H - 8, "text-anchor": "end", text: day(last.as_of) }) : null,
  );
}

function causeText(cause) {
  return tOr(`pwa.score.cause.${cause}`, cause);
}

function history(items, range) {
  const table = h(
    "table",
    { id: "score-history-table" },
    h("caption", { class: "visually-hidden", text: t("pwa.score.history") }),
    h(
      "thead",
      {},
      h("tr", {}, h("th", { scope: "col", text: t("pwa.score.history_date") }), h("th", { scope: "col", text: t("pwa.score.label") }), h("th", { scope: "col", text: t("pwa.score.tier_heading") }), h("th", { scope: "col", text: t("pwa.score.history_cause") })),
    ),
    h(
      "tbody",
      {},
      [...items].reverse().map((item) =>
        h("tr", {}, h("td", { text: day(item.as_of) }), h("td", { text: String(item.score) }), h("td", { text: tierName(item.tier) }), h("td", { text: causeText(item.cause) })),
      ),
    ),
  );
  return h(
    "section",
    { class: "card", "aria-labelledby": "history-h" },
    h("h2", { id: "history-h", text: t("pwa.score.history") }),
    items.length
      ? [
          h("p", { class: "small", id: "history-summary", text: t("pwa.score.history_summary", { count: items.length, first: day(items[0].as_of), score: items[items.length - 1].score }) }),
          h("figure", { class: "chart-figure" }, chart(items, range)),
          h("details", { class: "chart-table" }, h("summary", { text: t("pwa.score.history_table") }), table),
        ]
      : h("p", { text: t("pwa.score.history_none") }),
  );
}

function noScore(score) {
  return h(
    "section",
    { class: "card empty", id: "no-score", "aria-labelledby": "no-score-h" },
    h("h2", { id: "no-score-h", text: t("pwa.score.none_heading") }),
    h("p", { text: t("pwa.score.none_body") }),
    h("p", { class: "small", text: t("pwa.score.none_note", { base: score.range?.base ?? "" }) }),
  );
}

export async function render(app, root) {
  const [score, past] = await Promise.all([api("/api/v1/me/score"), api("/api/v1/me/score/history")]);
  const heading = t("pwa.score.heading");
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.home") })),
    h("h1", { tabindex: "-1", text: heading }),
  );
  if (score.consent_withdrawn) {
    add(root, h("p", { class: "notice warning", id: "score-consent" }, t("pwa.score.consent_withdrawn"), " ", h("a", { href: "#/consent", text: t("pwa.consent.heading") })));
    return { title: heading };
  }
  if (!score.has_score) {
    add(root, noScore(score), h("p", {}, h("a", { href: "/scoring", id: "scoring-link", text: t("pwa.score.how") })));
    return { title: heading };
  }
  const dimensionNames = Object.fromEntries(score.dimensions.map((d) => [d.code, localised(d.name, d.code)]));
  add(
    root,
    h(
      "section",
      { class: "card score-card", "aria-labelledby": "score-h" },
      h("h2", { id: "score-h", class: "visually-hidden", text: t("pwa.score.summary") }),
      gauge(score),
      h(
        "p",
        { class: "score-meta small", id: "score-meta" },
        t("pwa.score.meta", { version: score.model_version, date: day(score.as_of), count: score.records_counted }),
      ),
      h("p", { class: "score-note", text: t("pwa.score.low_is_ok") }),
      h("p", {}, h("a", { href: "/scoring", id: "scoring-link", text: t("pwa.score.how") })),
      h("p", {}, h("a", { href: "#/review/score", id: "score-review", text: t("pwa.rightscases.review_action") })),
    ),
    dimensions(score),
    reasons(score, dimensionNames),
    suggestions(score),
    history(past.items || [], score.range),
    h(
      "nav",
      { class: "card subtle", "aria-labelledby": "score-more-h" },
      h("h2", { id: "score-more-h", text: t("pwa.score.more") }),
      h(
        "ul",
        { class: "link-list" },
        h("li", {}, h("a", { href: "#/records", text: t("pwa.records.heading") })),
        h("li", {}, h("a", { href: "#/lists", text: t("pwa.lists.heading") })),
        h("li", {}, h("a", { href: "#/offers", text: t("pwa.offers.heading") })),
        h("li", {}, h("a", { href: "#/cases", text: t("pwa.cases.heading") })),
        h("li", {}, h("a", { href: "#/commitments", text: t("pwa.commitments.heading") })),
      ),
    ),
  );
  return { title: heading };
}
