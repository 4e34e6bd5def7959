// Who viewed my data (谁查看了我的数据): every look at my data by someone else.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { busy, problemMessage } from "../forms.js";
import { formatDateTime, locale, t, tOr } from "../i18n.js";

export const id = "access";
const PAGE = 20;

/** The server labels an actor "name (role_a, role_b)": show the roles in words. */
function actorLabel(raw) {
  const match = /^(.*) \(([a-z_]+(?:, [a-z_]+)*)\)$/.exec(raw || "");
  if (!match) return raw || "";
  const roles = match[2].split(", ").map((role) => tOr(`role.${role}`, role));
  return t("pwa.access.actor", { name: match[1], roles: roles.join(locale() === "en" ? ", " : "、") });
}

function entry(item) {
  const action = tOr(`access.action.${item.action}`, item.action);
  const who = [actorLabel(item.who), item.organisation].filter(Boolean).join(" · ");
  return h(
    "li",
    { class: "access-item", "data-action": item.action },
    h("h2", { class: "access-action", text: action }),
    h("p", { class: "access-time" }, h("time", { datetime: item.at, text: formatDateTime(item.at) })),
    h(
      "dl",
      { class: "facts compact" },
      h("dt", { text: t("pwa.access.who") }),
      h("dd", { text: who || t("pwa.access.system") }),
      item.purpose ? h("dt", { text: t("pwa.access.purpose") }) : null,
      item.purpose ? h("dd", { text: item.purpose }) : null,
    ),
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
  const list = h("ol", { class: "access-log plain", id: "access-log" }, first.items.map(entry));
  const status = h("p", { class: "notice error", role: "alert", hidden: true });
  let before = first.next_before;
  const more = h("button", { type: "button", class: "secondary", id: "access-more", text: t("pwa.access.more") });
  more.hidden = !before;
  more.addEventListener("click", async () => {
    busy(more, true);
    status.hidden = true;
    try {
      const page = await api(`/api/v1/me/access-log?limit=${PAGE}&before=${before}`);
      const added = page.items.map(entry);
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
  add(root, 
    h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.home") })),
    h("h1", { tabindex: "-1", text: t("pwa.access.heading") }),
    h("p", { class: "lead", text: t("pwa.access.intro") }),
    first.items.length ? list : emptyState(),
    status,
    more,
  );
  return { title: t("pwa.access.heading") };
}
