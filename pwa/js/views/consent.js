// Consent to the score and the pass (授权): what is used and for what; withdraw and come back.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { localised } from "../format.js";
import { busy, errorMessage } from "../forms.js";
import { formatDate, t } from "../i18n.js";

export const id = "consent";

export async function render(app, root) {
  const [mine, notice] = await Promise.all([api("/api/v1/me/consent"), api("/api/v1/privacy-notice")]);
  const status = h("p", { class: "notice error", role: "alert", hidden: true, tabindex: "-1" });
  const button = h("button", {
    type: "button",
    id: mine.given ? "consent-withdraw" : "consent-give",
    class: mine.given ? "danger" : "primary",
    text: t(mine.given ? "pwa.consent.withdraw" : "pwa.consent.give"),
  });
  button.addEventListener("click", async () => {
    busy(button, true);
    try {
      await api("/api/v1/me/consent", { method: "PUT", body: { given: !mine.given } });
      app.flash("success", t(mine.given ? "pwa.consent.withdrawn" : "pwa.consent.given"));
      app.navigate("consent");
    } catch (error) {
      status.textContent = errorMessage(error) || "";
      status.hidden = !status.textContent;
      status.focus();
      busy(button, false);
    }
  });
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/rights", text: t("pwa.rights.heading") })),
    h("h1", { tabindex: "-1", text: t("pwa.consent.heading") }),
    h(
      "p",
      { class: `notice ${mine.given ? "success" : "warning"}`, id: "consent-state", "data-given": String(mine.given) },
      t(mine.given ? "pwa.consent.state_given" : "pwa.consent.state_withdrawn", { since: mine.since ? formatDate(mine.since) : "" }),
    ),
    h("section", { class: "card" }, h("h2", { text: t("pwa.consent.used") }), h("p", { text: localised(notice.consent.used, "") })),
    h("section", { class: "card" }, h("h2", { text: t("pwa.consent.if_withdrawn") }), h("p", { text: localised(notice.consent.withdraw, "") })),
    h("p", { class: "hint", text: t("pwa.consent.records_kept") }),
    status,
    button,
  );
  return { title: t("pwa.consent.heading") };
}
