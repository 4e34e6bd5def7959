// Recovery codes: replace them, show the new ones once, print them.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { busy, problemMessage } from "../forms.js";
import { formatDate, t } from "../i18n.js";

export const id = "recovery";

function showCodes(app, root, codes) {
  const me = app.state.me;
  const print = h("button", { type: "button", class: "primary", id: "print-codes", text: t("pwa.recovery.print") });
  print.addEventListener("click", () => window.print());
  const done = h("a", { href: "#/", class: "button secondary", text: t("pwa.recovery.saved") });
  const sheet = h(
    "section",
    { class: "card print-area", "aria-labelledby": "codes-h" },
    h("h2", { id: "codes-h", text: t("pwa.recovery.codes_heading") }),
    h(
      "p",
      { class: "print-only" },
      t("pwa.recovery.print_for", {
        name: me?.person?.id_number_masked || me?.display_name || "",
        date: formatDate(new Date().toISOString()),
      }),
    ),
    h(
      "ol",
      { class: "codes", id: "recovery-codes" },
      codes.map((code) => h("li", {}, h("code", { text: code }))),
    ),
    h("p", { class: "small", text: t("pwa.recovery.how_to_use") }),
  );
  root.replaceChildren(
    h("h1", { tabindex: "-1", text: t("pwa.recovery.heading") }),
    h("p", { class: "notice warning", role: "status", text: t("pwa.recovery.shown_once") }),
    sheet,
    h("div", { class: "actions" }, print, done),
  );
  root.querySelector("h1").focus();
}

export async function render(app, root) {
  const me = app.state.me;
  const left = me?.recovery_codes_left ?? 0;
  const status = h("p", { class: "notice error", role: "alert", tabindex: "-1", hidden: true });
  const generate = h("button", {
    type: "button",
    class: "primary",
    id: "generate-codes",
    text: t(left ? "pwa.recovery.replace" : "pwa.recovery.generate"),
  });
  const warn = left ? h("p", { class: "notice warning", text: t("pwa.recovery.replace_warning") }) : null;
  generate.addEventListener("click", async () => {
    status.hidden = true;
    busy(generate, true);
    try {
      const { codes } = await api("/api/v1/me/recovery-codes", { method: "POST" });
      await app.refreshMe();
      showCodes(app, root, codes);
      app.announce(t("pwa.recovery.generated"));
    } catch (error) {
      status.textContent = problemMessage(error);
      status.hidden = false;
      status.focus();
      busy(generate, false);
    }
  });
  add(root, 
    h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.home") })),
    h("h1", { tabindex: "-1", text: t("pwa.recovery.heading") }),
    h("p", { class: "lead", text: t("pwa.recovery.intro") }),
    h("p", { id: "codes-left", class: "stat" }, t("pwa.recovery.left", { count: left })),
    warn,
    status,
    generate,
  );
  return { title: t("pwa.recovery.heading") };
}
