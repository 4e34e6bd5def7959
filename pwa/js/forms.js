// Form fields with labels, hints and accessible error messages; problem → message.

import { Problem } from "./api.js";
import { h, newId } from "./dom.js";
import { has, locale, t } from "./i18n.js";
import { ceremonyErrorKey } from "./webauthn.js";

/** A labelled input with an optional hint and a slot for its error message. */
export function field({ name, label, hint, type = "text", value = "", ...attrs }) {
  const id = newId(`f-${name}`);
  const hintId = hint ? `${id}-hint` : null;
  const input = h("input", { id, name, type, value: value || null, "aria-describedby": hintId, ...attrs });
  return h(
    "div",
    { class: "field", "data-field": name },
    h("label", { for: id, text: label }),
    hint ? h("p", { class: "hint", id: hintId, text: hint }) : null,
    h("p", { class: "field-error", id: `${id}-error`, hidden: true }),
    input,
  );
}

export function formAlert() {
  return h("div", { class: "notice error form-alert", role: "alert", tabindex: "-1", hidden: true });
}

export function clearErrors(form) {
  for (const box of form.querySelectorAll(".field")) {
    const input = box.querySelector("input, select, textarea");
    const error = box.querySelector(".field-error");
    error.hidden = true;
    error.textContent = "";
    box.classList.remove("invalid");
    input.removeAttribute("aria-invalid");
    const hint = box.querySelector(".hint");
    if (hint) input.setAttribute("aria-describedby", hint.id);
    else input.removeAttribute("aria-describedby");
  }
  const alert = form.querySelector(".form-alert");
  if (alert) {
    alert.hidden = true;
    alert.textContent = "";
  }
}

/** Mark fields invalid: `messages` maps field name → message. Returns the first input. */
export function showFieldErrors(form, messages) {
  let first = null;
  for (const [name, message] of Object.entries(messages)) {
    const box = form.querySelector(`.field[data-field="${CSS.escape(name)}"]`);
    if (!box) continue;
    const input = box.querySelector("input, select, textarea");
    const error = box.querySelector(".field-error");
    error.textContent = message;
    error.hidden = false;
    box.classList.add("invalid");
    input.setAttribute("aria-invalid", "true");
    const hint = box.querySelector(".hint");
    input.setAttribute("aria-describedby", [error.id, hint?.id].filter(Boolean).join(" "));
    first ??= input;
  }
  return first;
}

export function showFormAlert(form, message) {
  const alert = form.querySelector(".form-alert");
  if (!alert) return;
  alert.textContent = message;
  alert.hidden = false;
}

/** The message to show for a problem: a specific catalog entry, else the server's
 * (already localised) title. */
export function problemMessage(problem) {
  if (!problem || problem.offline) return t("pwa.error.offline");
  if (problem.status === 429) {
    return problem.retryAfter
      ? t("pwa.error.retry_after", { seconds: problem.retryAfter })
      : problem.title || t("error.too_many_requests");
  }
  for (const key of [`pwa.problem.${problem.reason}`, `pwa.problem.${problem.code}`]) {
    if (has(key)) return t(key);
  }
  return problem.title || t("error.internal");
}

/** Field errors of a problem as {field: message}; ID-number problems get friendly text. */
export function problemFieldMessages(problem) {
  const out = {};
  for (const err of problem?.errors || []) {
    if (!err?.field || err.field === "(body)") continue;
    const specific = `pwa.id.${err.type}`;
    if (err.field === "id_number" && has(specific)) out[err.field] = t(specific);
    else out[err.field] = locale() === "en" ? err.message || problem.title : problem.title;
  }
  return out;
}

/** Show a problem on a form: field messages next to fields, the summary in the alert. */
export function showProblem(form, problem) {
  const first = showFieldErrors(form, problemFieldMessages(problem));
  showFormAlert(form, problemMessage(problem));
  (first || form.querySelector(".form-alert"))?.focus();
}

export function busy(button, on) {
  button.disabled = on;
  button.setAttribute("aria-busy", on ? "true" : "false");
}

/** Any failure of an API call or a passkey ceremony → the message to show (null: none,
 * e.g. an aborted autofill request). */
export function errorMessage(error) {
  if (error instanceof Problem) return problemMessage(error);
  const key = ceremonyErrorKey(error);
  return key ? t(key) : null;
}

/** Show any failure on a form (field errors for problems, the alert for the rest). */
export function showError(form, error) {
  if (error instanceof Problem) {
    showProblem(form, error);
    return;
  }
  const message = errorMessage(error);
  if (message) {
    showFormAlert(form, message);
    form.querySelector(".form-alert")?.focus();
  }
}
