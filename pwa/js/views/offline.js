// Shown when the server cannot be reached: the shell still works, data waits for the network.

import { add, h } from "../dom.js";
import { t } from "../i18n.js";

export const id = "offline";

export async function render(app, root) {
  const retry = h("button", { type: "button", class: "primary", id: "retry", text: t("pwa.offline.retry") });
  retry.addEventListener("click", async () => {
    retry.disabled = true;
    await app.refreshMe();
    app.navigate("");
  });
  add(root, 
    h("h1", { tabindex: "-1", text: t("pwa.offline.heading") }),
    h("p", { class: "lead", text: t(app.signedInHint() ? "pwa.offline.signed_in" : "pwa.offline.body") }),
    app.signedInHint()
      ? h("p", {}, h("a", { href: "#/pass", class: "button primary", id: "offline-pass", text: t("pwa.offline.show_pass") }))
      : null,
    h(
      "section",
      { class: "card", "aria-labelledby": "offline-tips-h" },
      h("h2", { id: "offline-tips-h", text: t("pwa.offline.tips_heading") }),
      h("p", { text: t("pwa.offline.tips") }),
    ),
    retry,
  );
  return { title: t("pwa.offline.heading") };
}
