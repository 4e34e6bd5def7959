// Other ways to register a passkey: a one-time code from a service counter, or the ID
// number plus one of the resident's printed recovery codes.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { busy, clearErrors, field, formAlert, showError, showFieldErrors } from "../forms.js";
import { t } from "../i18n.js";
import { idProblem, normaliseId } from "../idnumber.js";
import { createPasskey } from "../webauthn.js";

// Through a code, the account's other passkeys are removed and its other sessions end
// (auth.recovery): the page lists them, unticked, and keeps only those the resident ticks.
function chooseKept(form, passkeys) {
  if (!Array.isArray(passkeys) || !passkeys.length) return Promise.resolve([]);
  return new Promise((resolve) => {
    const boxes = passkeys.map((p) =>
      h("label", { class: "check" },
        h("input", { type: "checkbox", name: "keep_passkeys", value: String(p.id) }), " ",
        p.nickname || t("pwa.recover.unnamed_passkey"),
      ));
    const go = h("button", { type: "button", class: "primary", text: t("pwa.recover.keep_continue") });
    const box = h("fieldset", { class: "keep-passkeys" },
      h("legend", { text: t("pwa.recover.keep_legend") }),
      h("p", { class: "hint", text: t("pwa.recover.keep_hint") }), ...boxes, go);
    form.append(box);
    go.addEventListener("click", () => {
      const kept = boxes.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => Number(i.value));
      box.remove();
      resolve(kept);
    });
    go.focus();
  });
}

async function register(app, form, body, doneKey) {
  const { existing_passkeys: existing, ...options } = await api("/api/v1/enrolment/start", { method: "POST", body });
  const keep = await chooseKept(form, existing);
  const credential = await createPasskey(options);
  await api("/api/v1/enrolment/finish", { method: "POST", body: { ...credential, keep_passkeys: keep } });
  await app.enrolled(t(doneKey));
}

function page(app, root, { heading, intro, fields, submitText, collect, doneKey }) {
  const form = h("form", { novalidate: true });
  const submit = h("button", { type: "submit", class: "primary", text: submitText });
  form.append(formAlert(), ...fields, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const { body, errors } = collect(form);
    if (Object.keys(errors).length) {
      showFieldErrors(form, errors)?.focus();
      return;
    }
    busy(submit, true);
    try {
      await register(app, form, body, doneKey);
    } catch (error) {
      showError(form, error);
    } finally {
      busy(submit, false);
    }
  });
  add(root, 
    h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.back") })),
    h("h1", { tabindex: "-1", text: heading }),
    h("p", { class: "lead", text: intro }),
    h("section", { class: "card", "aria-label": heading }, form),
  );
  return { title: heading };
}

function codeField() {
  return field({
    name: "enrolment_code",
    label: t("auth.enrolment_code"),
    autocomplete: "one-time-code",
    required: true,
    maxlength: 64,
    spellcheck: "false",
    autocapitalize: "characters",
    class: "mono",
  });
}

export const byCode = {
  id: "enrol-code",
  render(app, root) {
    return page(app, root, {
      heading: t("pwa.code.heading"),
      intro: t("pwa.code.intro"),
      fields: [codeField()],
      submitText: t("auth.register_passkey"),
      doneKey: "pwa.enrol.done",
      collect(form) {
        const code = form.elements.enrolment_code.value.trim();
        const errors = code.length < 4 ? { enrolment_code: t("pwa.code.required") } : {};
        return { body: { enrolment_code: code }, errors };
      },
    });
  },
};

export const byRecoveryCode = {
  id: "enrol-recover",
  render(app, root) {
    return page(app, root, {
      heading: t("pwa.recover.heading"),
      intro: t("pwa.recover.intro"),
      fields: [
        field({
          name: "id_number",
          label: t("auth.id_number"),
          hint: t("pwa.enrol.id_hint"),
          autocomplete: "off",
          required: true,
          maxlength: 18,
          spellcheck: "false",
          class: "mono",
        }),
        field({
          name: "recovery_code",
          label: t("pwa.recover.code_label"),
          autocomplete: "off",
          required: true,
          maxlength: 64,
          spellcheck: "false",
          class: "mono",
        }),
      ],
      submitText: t("auth.register_passkey"),
      doneKey: "pwa.recover.done",
      collect(form) {
        const idNumber = normaliseId(form.elements.id_number.value);
        const code = form.elements.recovery_code.value.trim();
        const errors = {};
        const problem = idProblem(idNumber);
        if (problem) errors.id_number = t(`pwa.id.${problem}`);
        if (code.length < 4) errors.recovery_code = t("pwa.recover.code_required");
        return { body: { id_number: idNumber, recovery_code: code }, errors };
      },
    });
  },
};
