// Devices holding a pass key: each phone has its own key, which never leaves it. Removing
// a device revokes its passes at once; removing this one also deletes the key here.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { busy, errorMessage } from "../forms.js";
import { formatDate, formatDateTime, t } from "../i18n.js";
import { clearPass, load } from "../pass.js";

export const id = "devices";

function device(app, item, isThis, status) {
  // A paper pass is named in the reader's language (its stored label is for staff pages).
  const name =
    item.kind === "paper" && item.expires_at
      ? t("pwa.devices.paper", { date: formatDate(item.expires_at) })
      : item.label || t("pwa.devices.unnamed");
  const li = h("li", { class: "card device", "data-device-id": item.id });
  const remove = h("button", { type: "button", class: "danger", text: t("pwa.devices.remove") });
  const actions = h("div", { class: "actions" }, remove);
  add(
    li,
    h("h2", {}, name, isThis ? h("span", { class: "tag this-device", text: t("pwa.devices.this") }) : null),
    h(
      "dl",
      { class: "facts compact" },
      h("dt", { text: t("pwa.devices.added") }),
      h("dd", {}, h("time", { datetime: item.created_at, text: formatDateTime(item.created_at) })),
      h("dt", { text: t("pwa.devices.renewed") }),
      h(
        "dd",
        {},
        item.last_issued_at
          ? h("time", { datetime: item.last_issued_at, text: formatDateTime(item.last_issued_at) })
          : t("pwa.devices.never"),
      ),
    ),
    actions,
  );
  remove.addEventListener("click", () => {
    const question = t(isThis ? "pwa.devices.confirm_this" : "pwa.devices.confirm", { name });
    const confirmBox = h("div", { class: "confirm", role: "group", "aria-label": question }, h("p", { text: question }));
    const yes = h("button", { type: "button", class: "danger", text: t("pwa.devices.remove_confirm") });
    const no = h("button", { type: "button", class: "secondary", text: t("pwa.common.cancel") });
    confirmBox.append(h("div", { class: "actions" }, yes, no));
    actions.replaceWith(confirmBox);
    yes.focus();
    no.addEventListener("click", () => {
      confirmBox.replaceWith(actions);
      remove.focus();
    });
    yes.addEventListener("click", async () => {
      busy(yes, true);
      try {
        await api(`/api/v1/me/devices/${item.id}`, { method: "DELETE" });
        if (isThis) await clearPass();
        app.flash("success", t(isThis ? "pwa.devices.removed_this" : "pwa.devices.removed", { name }));
        app.navigate("devices");
      } catch (error) {
        confirmBox.replaceWith(actions);
        status.textContent = errorMessage(error);
        status.hidden = false;
        status.focus();
      }
    });
  });
  return li;
}

export async function render(app, root) {
  const [{ items }, local] = await Promise.all([api("/api/v1/me/devices"), load().catch(() => ({}))]);
  const thisDevice = local.certificate?.accountId === app.state.me?.id ? local.certificate?.device_id : null;
  const status = h("p", { class: "notice error", role: "alert", tabindex: "-1", hidden: true, id: "devices-status" });
  const heading = t("pwa.devices.heading");
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/pass", text: t("pwa.pass.heading") })),
    h("h1", { tabindex: "-1", text: heading }),
    h("p", { class: "lead", text: t("pwa.devices.intro") }),
    status,
    items.length
      ? h("ul", { class: "plain", id: "devices-list" }, items.map((item) => device(app, item, item.id === thisDevice, status)))
      : h("p", { class: "empty card", id: "devices-empty", text: t("pwa.devices.none") }),
  );
  return { title: heading };
}
