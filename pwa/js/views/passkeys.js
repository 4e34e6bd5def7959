// My passkeys: list, add another, rename, remove (never the last one).

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { busy, clearErrors, errorMessage, field, formAlert, showError, showFieldErrors } from "../forms.js";
import { formatDateTime, t } from "../i18n.js";
import { createPasskey } from "../webauthn.js";

export const id = "passkeys";

function renameForm(app, item, done) {
  const form = h("form", { class: "rename", novalidate: true });
  const save = h("button", { type: "submit", class: "primary", text: t("pwa.passkeys.save") });
  const cancel = h("button", { type: "button", class: "secondary", text: t("pwa.common.cancel") });
  form.append(
    formAlert(),
    field({ name: "nickname", label: t("pwa.passkeys.nickname"), value: item.nickname, required: true, maxlength: 64 }),
    h("div", { class: "actions" }, save, cancel),
  );
  cancel.addEventListener("click", () => done(false));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const nickname = form.elements.nickname.value.trim();
    if (!nickname) {
      showFieldErrors(form, { nickname: t("pwa.passkeys.nickname_required") })?.focus();
      return;
    }
    busy(save, true);
    try {
      await api(`/api/v1/me/passkeys/${item.id}`, { method: "PATCH", body: { nickname } });
      app.flash("success", t("pwa.passkeys.renamed", { name: nickname }));
      done(true);
    } catch (error) {
      showError(form, error);
      busy(save, false);
    }
  });
  return form;
}

function passkeyItem(app, item, index, refresh, status) {
  const name = item.nickname || t("pwa.passkeys.unnamed", { n: index + 1 });
  const headingId = `pk-${item.id}`;
  const li = h("li", { class: "passkey card", "data-passkey-id": item.id });
  const actions = h("div", { class: "actions" });
  const rename = h("button", { type: "button", class: "secondary", text: t("pwa.passkeys.rename") });
  const remove = h("button", { type: "button", class: "danger", text: t("pwa.passkeys.remove") });
  actions.append(rename, remove);
  add(
    li,
    h("h2", { id: headingId, text: name }),
    h(
      "dl",
      { class: "facts compact" },
      h("dt", { text: t("pwa.passkeys.created") }),
      h("dd", {}, h("time", { datetime: item.created_at, text: formatDateTime(item.created_at) })),
      h("dt", { text: t("pwa.passkeys.last_used") }),
      h(
        "dd",
        {},
        item.last_used_at
          ? h("time", { datetime: item.last_used_at, text: formatDateTime(item.last_used_at) })
          : t("pwa.passkeys.never_used"),
      ),
    ),
    item.backed_up ? h("p", { class: "tag", text: t("pwa.passkeys.synced") }) : null,
    actions,
  );
  rename.addEventListener("click", () => {
    const form = renameForm(app, item, (changed) => {
      form.replaceWith(actions);
      if (changed) refresh();
      else rename.focus();
    });
    actions.replaceWith(form);
    form.querySelector("input").focus();
  });
  remove.addEventListener("click", () => {
    const confirmBox = h(
      "div",
      { class: "confirm", role: "group", "aria-label": t("pwa.passkeys.confirm_remove", { name }) },
      h("p", { text: t("pwa.passkeys.confirm_remove", { name }) }),
    );
    const yes = h("button", { type: "button", class: "danger", text: t("pwa.passkeys.remove_confirm") });
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
        await api(`/api/v1/me/passkeys/${item.id}`, { method: "DELETE" });
        app.flash("success", t("pwa.passkeys.removed", { name }));
        refresh();
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

/** How to add a passkey on a second phone or computer (the home page's reminder links here). */
function anotherDevice() {
  return h(
    "section",
    { class: "card", id: "another-device", "aria-labelledby": "another-device-h" },
    h("h2", { id: "another-device-h", text: t("pwa.passkeys.another_heading") }),
    h(
      "ol",
      { class: "steps" },
      ["pwa.passkeys.another_step1", "pwa.passkeys.another_step2", "pwa.passkeys.another_step3"].map((key) =>
        h("li", { text: t(key, { address: location.origin }) }),
      ),
    ),
    h("p", { class: "small", text: t("pwa.passkeys.another_note") }),
  );
}

export async function render(app, root) {
  const { items } = await api("/api/v1/me/passkeys");
  const status = h("p", { class: "notice error", role: "alert", tabindex: "-1", hidden: true, id: "passkeys-status" });
  const addButton = h("button", { type: "button", class: "primary", id: "add-passkey", text: t("pwa.passkeys.add") });
  const refresh = () => app.navigate("passkeys");
  addButton.addEventListener("click", async () => {
    status.hidden = true;
    busy(addButton, true);
    try {
      const options = await api("/api/v1/me/passkeys/start", { method: "POST" });
      const credential = await createPasskey(options);
      await api("/api/v1/me/passkeys/finish", { method: "POST", body: credential });
      await app.refreshMe();
      app.flash("success", t("pwa.passkeys.added"));
      refresh();
    } catch (error) {
      const text = errorMessage(error);
      if (text) {
        status.textContent = text;
        status.hidden = false;
        status.focus();
      }
      busy(addButton, false);
    }
  });
  add(root, 
    h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.home") })),
    h("h1", { tabindex: "-1", text: t("pwa.passkeys.heading") }),
    h("p", { class: "lead", text: t("pwa.passkeys.intro") }),
    status,
    addButton,
    h(
      "p",
      { class: "small", id: "passkey-count" },
      t("pwa.passkeys.count", { count: items.length }),
    ),
    h(
      "ul",
      { class: "passkeys plain" },
      items.map((item, index) => passkeyItem(app, item, index, refresh, status)),
    ),
    anotherDevice(),
  );
  return { title: t("pwa.passkeys.heading") };
}
