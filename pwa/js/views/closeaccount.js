// Close my account: what is removed at once, what the city must keep and for how long; a
// fresh passkey confirmation; enrolling again later works.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { localised } from "../format.js";
import { busy, errorMessage } from "../forms.js";
import { t } from "../i18n.js";
import { clearPass } from "../pass.js";
import { confirmStep } from "./rights.js";

export const id = "close";

export async function render(app, root) {
  const notice = await api("/api/v1/privacy-notice");
  const status = h("p", { class: "notice error", role: "alert", hidden: true, tabindex: "-1" });
  const sure = h("input", { type: "checkbox", id: "close-sure", "aria-describedby": "close-hint" });
  const button = h("button", { type: "button", class: "danger", id: "close-account", text: t("pwa.close.submit"), disabled: true });
  sure.addEventListener("change", () => {
    button.disabled = !sure.checked;
  });
  button.addEventListener("click", async () => {
    busy(button, true);
    try {
      const credential = await confirmStep("close");
      await api("/api/v1/me/close", { method: "POST", body: { credential } });
      await clearPass();
      app.state.me = null;
      app.flash("success", t("pwa.close.done"));
      app.navigate("");
    } catch (error) {
      status.textContent = errorMessage(error) || "";
      status.hidden = !status.textContent;
      if (!status.hidden) status.focus();
      busy(button, false);
    }
  });
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/rights", text: t("pwa.rights.heading") })),
    h("h1", { tabindex: "-1", text: t("pwa.close.heading") }),
    h("section", { class: "card" }, h("h2", { text: t("pwa.close.removed") }), h("p", { text: localised(notice.closing.removed, "") })),
    h("section", { class: "card" }, h("h2", { text: t("pwa.close.kept") }), h("p", { text: localised(notice.closing.kept, "") })),
    h("label", { class: "check", for: "close-sure" }, sure, " ", t("pwa.close.sure")),
    h("p", { class: "hint", id: "close-hint", text: t("pwa.rights.confirm_hint") }),
    status,
    button,
  );
  return { title: t("pwa.close.heading") };
}
