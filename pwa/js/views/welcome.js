// Signed out: sign in with a passkey (button or autofill) or enrol by real-name match.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { busy, clearErrors, errorMessage, field, formAlert, showError, showFieldErrors } from "../forms.js";
import { t } from "../i18n.js";
import { idProblem, normaliseId } from "../idnumber.js";
import { conditionalMediationAvailable, createPasskey, passkeysSupported } from "../webauthn.js";

export const id = "welcome";

// The autofill box appears only where the browser offers passkeys in it (conditional
// mediation): elsewhere an empty "account" field would ask for something nobody has. Decided
// before the view is shown, so nothing shifts when the answer comes.
function signInSection(app, autofill) {
  const status = h("p", { class: "notice error", role: "alert", hidden: true });
  const button = h("button", { type: "button", class: "primary", id: "signin-button", text: t("auth.sign_in_with_passkey") });
  const username = h("input", {
    id: "signin-username",
    name: "username",
    type: "text",
    autocomplete: "username webauthn",
    "aria-describedby": "signin-username-hint",
    autocapitalize: "off",
    spellcheck: "false",
  });
  button.addEventListener("click", async () => {
    status.hidden = true;
    busy(button, true);
    try {
      await app.signIn();
    } catch (error) {
      const message = errorMessage(error);
      if (message) {
        status.textContent = message;
        status.hidden = false;
      }
    } finally {
      busy(button, false);
    }
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "signin-h" },
    h("h2", { id: "signin-h", text: t("pwa.signin.heading") }),
    h("p", { text: t("pwa.signin.intro") }),
    status,
    autofill
      ? h(
          "div",
          { class: "field autofill" },
          h("label", { for: "signin-username", text: t("pwa.signin.autofill_label") }),
          h("p", { class: "hint", id: "signin-username-hint", text: t("pwa.signin.autofill_hint") }),
          username,
        )
      : null,
    button,
  );
}

function enrolSection(app) {
  const form = h("form", { id: "enrol-form", novalidate: true });
  const submit = h("button", { type: "submit", class: "primary", text: t("pwa.enrol.submit") });
  form.append(
    formAlert(),
    field({ name: "name", label: t("auth.name"), autocomplete: "name", required: true, maxlength: 64 }),
    field({
      name: "id_number",
      label: t("auth.id_number"),
      hint: t("pwa.enrol.id_hint"),
      autocomplete: "off",
      required: true,
      maxlength: 18,
      spellcheck: "false",
      autocapitalize: "characters",
      inputmode: "text",
      class: "mono",
    }),
    h("p", { class: "small", text: t("pwa.enrol.privacy") }),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const name = form.elements.name.value.trim();
    const idNumber = normaliseId(form.elements.id_number.value);
    const errors = {};
    if (!name) errors.name = t("pwa.enrol.name_required");
    const problem = idProblem(idNumber);
    if (problem) errors.id_number = t(`pwa.id.${problem}`);
    if (Object.keys(errors).length) {
      showFieldErrors(form, errors)?.focus();
      return;
    }
    busy(submit, true);
    try {
      await app.abortConditional();
      const options = await api("/api/v1/enrolment/start", { method: "POST", body: { name, id_number: idNumber } });
      const credential = await createPasskey(options);
      await api("/api/v1/enrolment/finish", { method: "POST", body: credential });
      await app.enrolled(t("pwa.enrol.done"));
    } catch (error) {
      showError(form, error);
    } finally {
      busy(submit, false);
    }
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "enrol-h" },
    h("h2", { id: "enrol-h", text: t("pwa.enrol.heading") }),
    h("p", { text: t("pwa.enrol.intro") }),
    form,
  );
}

function otherWays() {
  return h(
    "section",
    { class: "card subtle", "aria-labelledby": "other-h" },
    h("h2", { id: "other-h", text: t("pwa.other.heading") }),
    h(
      "ul",
      { class: "link-list" },
      h("li", {}, h("a", { href: "#/code", text: t("pwa.other.code") })),
      h("li", {}, h("a", { href: "#/recover", text: t("pwa.other.recover") })),
    ),
  );
}

export async function render(app, root) {
  add(root, 
    h(
      "div",
      { class: "hero" },
      h("h1", { tabindex: "-1", text: t("pwa.welcome.heading") }),
      h("p", { class: "lead", text: t("pwa.welcome.lead") }),
    ),
  );
  if (!passkeysSupported()) {
    add(root, h("p", { class: "notice error", text: t("pwa.passkey.unsupported") }));
  }
  const autofill = await conditionalMediationAvailable().catch(() => false);
  add(root, h("div", { class: "welcome-grid" }, signInSection(app, autofill), enrolSection(app), otherWays()));
  return { title: t("pwa.welcome.title") };
}

export async function mounted(app) {
  if (!(await conditionalMediationAvailable())) return;
  try {
    await app.signIn({ conditional: true });
  } catch (error) {
    if (error?.name === "AbortError" || error?.name === "NotAllowedError") return;
    const status = document.querySelector("#signin-h ~ .notice");
    if (status) {
      status.textContent = errorMessage(error) || "";
      status.hidden = !status.textContent;
    }
  }
}
