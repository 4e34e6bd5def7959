// Who viewed my data (谁查看了我的数据): every look at my data by someone else, in words —
// the action, what they saw, who (organisation and role), why, and when in the city's time.
// Close repeats of one look arrive grouped by the server (the audit trail keeps each one).

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { busy, problemMessage } from "../forms.js";
import { formatCityTime, locale, t, tOr } from "../i18n.js";

export const id = "access";
const PAGE = 20;

function who(item) {
  const actor = item.actor || {};
  if (actor.system) return [t(`access.by.${actor.system}`), actor.organisation].filter(Boolean).join(" · ");
  const roles = (actor.roles || []).map((role) => tOr(`role.${role}`, "")).filter(Boolean);
  const joiner = locale() === "en" ? ", " : "、";
  const person = roles.length ? t("pwa.access.actor", { name: actor.name, roles: roles.join(joiner) }) : actor.name;
  return [actor.organisation, person].filter(Boolean).join(" · ");
}

function why(item) {
  const named = item.purpose_key ? t(item.purpose_key, item.purpose_values || {}) : "";
  if (named && item.purpose_text) return `${named}${locale() === "en" ? ": " : "："}${item.purpose_text}`;
  return named || item.purpose_text || "";
}

function when(item, zone) {
  const last = formatCityTime(item.at, zone);
  if (item.count > 1) {
    const first = formatCityTime(item.first_at, zone);
    // Looks within the same minute read "3 times, 09:15", not "from 09:15 to 09:15".
    if (first === last) return t("pwa.access.repeated_at", { count: item.count, time: last });
    return t("pwa.access.repeated", { count: item.count, from: first, to: last });
  }
  return last;
}

function entry(item, zone) {
  const reason = why(item);
  return h(
    "li",
    { class: "access-item", "data-action": item.action, "data-count": String(item.count || 1) },
    h("h2", { class: "access-action", text: t(item.action_key || "access.action.other") }),
    h(
      "dl",
      { class: "facts compact" },
      h("dt", { text: t("pwa.access.who") }),
      h("dd", { class: "access-who", text: who(item) || t("access.by.system") }),
      h("dt", { text: t("pwa.access.what") }),
      h("dd", { class: "access-what", text: t(`access.what.${item.what || "none"}`) }),
      reason ? h("dt", { text: t("pwa.access.purpose") }) : null,
      reason ? h("dd", { class: "access-why", text: reason }) : null,
      h("dt", { text: t("pwa.access.when") }),
      h("dd", { class: "access-time" }, h("time", { datetime: item.at, text: when(item, zone) })),
    ),
    h("p", { class: "small" }, h("a", { href: `#/misuse/${item.id}`, class: "misuse-link", "data-entry": String(item.id), text: t("pwa.access.not_me") })),
  );
}

function emptyState() {
  return h(
    "div",
    { class: "empty card", id: "access-empty" },
    h("h2", { text: t("pwa.access.empty_heading") }),
    h("p", { text: t("pwa.access.empty_body") }),
    h("p", { class: "small", text: t("pwa.access.empty_note") }),
  );
}

export async function render(app, root) {
  const first = await api(`/api/v1/me/access-log?limit=${PAGE}`);
  const zone = first.time_zone;
  const list = h("ol", { class: "access-log plain", id: "access-log" }, first.items.map((i) => entry(i, zone)));
  const status = h("p", { class: "notice error", role: "alert", hidden: true });
  let before = first.next_before;
  const more = h("button", { type: "button", class: "secondary", id: "access-more", text: t("pwa.access.more") });
  more.hidden = !before;
  more.addEventListener("click", async () => {
    busy(more, true);
    status.hidden = true;
    try {
      const page = await api(`/api/v1/me/access-log?limit=${PAGE}&before=${before}`);
      const added = page.items.map((i) => entry(i, zone));
      list.append(...added);
      before = page.next_before;
      more.hidden = !before;
      app.announce(t("pwa.access.loaded", { count: added.length }));
    } catch (error) {
      status.textContent = problemMessage(error);
      status.hidden = false;
    } finally {
      busy(more, false);
    }
  });
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.home") })),
    h("h1", { tabindex: "-1", text: t("pwa.access.heading") }),
    h("p", { class: "lead", text: t("pwa.access.intro") }),
    first.items.length || before ? list : emptyState(),
    status,
    more,
  );
  return { title: t("pwa.access.heading") };
}
