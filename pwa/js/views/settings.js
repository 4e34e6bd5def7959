// Settings: language, elder mode, and (signed in) signing out on every device.

import { add, h } from "../dom.js";
import { busy, problemMessage } from "../forms.js";
import { locale, t } from "../i18n.js";

export const id = "settings";

function languageChoice(app) {
  const options = [
    ["zh-CN", "简体中文"],
    ["en", "English"],
  ];
  return h(
    "fieldset",
    { class: "choices" },
    h("legend", { text: t("a11y.language") }),
    options.map(([value, label]) => {
      const input = h("input", { type: "radio", name: "locale", value, id: `locale-${value}`, checked: value === locale() });
      input.addEventListener("change", () => app.setLanguage(value).then(() => document.getElementById(`locale-${value}`)?.focus()));
      return h("label", { class: "check", for: `locale-${value}`, lang: value }, input, " ", label);
    }),
  );
}

function elderChoice(app) {
  const input = h("input", {
    type: "checkbox",
    id: "elder-mode",
    name: "elder_mode",
    checked: app.state.elder,
    "aria-describedby": "elder-hint",
  });
  input.addEventListener("change", () => app.setElder(input.checked).then(() => document.getElementById("elder-mode")?.focus()));
  return h(
    "fieldset",
    { class: "choices" },
    h("legend", { text: t("pwa.elder.legend") }),
    h("label", { class: "check", for: "elder-mode" }, input, " ", t("pwa.elder.label")),
    h("p", { class: "hint", id: "elder-hint", text: t("pwa.elder.hint") }),
  );
}

function accountSection(app) {
  const status = h("p", { class: "notice error", role: "alert", hidden: true });
  const everywhere = h("button", { type: "button", class: "danger", id: "signout-everywhere", text: t("pwa.signout.everywhere") });
  everywhere.addEventListener("click", async () => {
    busy(everywhere, true);
    try {
      await app.signOut({ everywhere: true });
    } catch (error) {
      status.textContent = problemMessage(error);
      status.hidden = false;
      busy(everywhere, false);
    }
  });
  const links = app.state.elder
    ? h(
        "ul",
        { class: "link-list" },
        h("li", {}, h("a", { href: "#/passkeys", text: t("pwa.passkeys.heading") })),
        h("li", {}, h("a", { href: "#/recovery-codes", text: t("pwa.recovery.heading") })),
      )
    : null;
  return h(
    "section",
    { class: "card", "aria-labelledby": "account-h" },
    h("h2", { id: "account-h", text: t("pwa.settings.account") }),
    links,
    h("p", { text: t("pwa.signout.everywhere_hint") }),
    status,
    everywhere,
  );
}

export async function render(app, root) {
  const heading = app.state.elder ? t("pwa.settings.heading_elder") : t("pwa.settings.heading");
  add(root, 
    h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.home") })),
    h("h1", { tabindex: "-1", text: heading }),
    h("section", { class: "card", "aria-label": t("pwa.settings.display") }, languageChoice(app), elderChoice(app)),
    app.state.me ? accountSection(app) : null,
  );
  return { title: heading };
}
