// Staff sign-in page (/office/login): passkey sign-in, or first-time registration with the
// one-time code an officer issued. Messages come from the shared catalog.

import { api, Problem, setApiLocale } from "./api.js";
import { ceremonyErrorKey, createPasskey, getPasskey, passkeysSupported } from "./webauthn.js";

const lang = document.documentElement.lang === "en" ? "en" : "zh-CN";
const status = document.getElementById("office-status");
let messages = {};

function t(key) {
  return messages[key] || key;
}

function say(key, { error = false, text } = {}) {
  status.textContent = text || t(key);
  status.classList.toggle("error", error);
}

function failure(error) {
  if (!(error instanceof Problem)) {
    const key = ceremonyErrorKey(error);
    if (key) say(key, { error: true });
    else say("", { text: "" });
    return;
  }
  if (error?.offline) return say("pwa.error.offline", { error: true });
  if (error?.status === 429 && error.retryAfter) {
    return say("", { error: true, text: t("pwa.error.retry_after").replace("{seconds}", error.retryAfter) });
  }
  say("", { error: true, text: error?.title || t("error.internal") });
}

/** Only same-site console pages: never send someone elsewhere after sign-in. */
export function safeNext(raw) {
  if (!raw) return "/office";
  try {
    const url = new URL(raw, location.origin);
    const staffPage = ["/office", "/counter", "/partner"].some(
      (prefix) => url.pathname.startsWith(prefix) && raw.startsWith(prefix),
    );
    if (url.origin === location.origin && staffPage) {
      return url.pathname + url.search;
    }
  } catch {
    /* not a URL */
  }
  return "/office";
}

async function signIn(button) {
  button.disabled = true;
  say("office.status.waiting_passkey");
  try {
    const options = await api("/api/v1/login/start", { method: "POST" });
    const credential = await getPasskey(options);
    say("office.status.checking");
    await api("/api/v1/login/finish", { method: "POST", body: credential });
    say("office.status.signed_in");
    location.assign(safeNext(new URLSearchParams(location.search).get("next")));
  } catch (error) {
    failure(error);
    button.disabled = false;
  }
}

async function enrol(form) {
  const input = form.elements.enrolment_code;
  const submit = form.querySelector('button[type="submit"]');
  const code = input.value.trim();
  input.removeAttribute("aria-invalid");
  if (code.length < 4) {
    input.setAttribute("aria-invalid", "true");
    say("pwa.code.required", { error: true });
    input.focus();
    return;
  }
  submit.disabled = true;
  say("office.status.waiting_passkey");
  try {
    const options = await api("/api/v1/enrolment/start", { method: "POST", body: { enrolment_code: code } });
    const credential = await createPasskey(options);
    say("office.status.checking");
    await api("/api/v1/enrolment/finish", { method: "POST", body: credential });
    say("office.status.registered");
    location.assign(safeNext(new URLSearchParams(location.search).get("next")));
  } catch (error) {
    if (error?.status === 400 && error.code === "code_invalid") input.setAttribute("aria-invalid", "true");
    failure(error);
    submit.disabled = false;
  }
}

async function loadMessages() {
  try {
    const response = await fetch(`/i18n/${lang}.json`);
    messages = await response.json();
  } catch {
    messages = {};
  }
}

function main() {
  setApiLocale(lang);
  const button = document.getElementById("office-login");
  const form = document.getElementById("office-enrol");
  // Listeners first, synchronously: the form must never fall back to a plain GET submit
  // (that would put the one-time code in the URL).
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    if (passkeysSupported()) enrol(form);
  });
  button?.addEventListener("click", () => {
    if (passkeysSupported()) signIn(button);
  });
  loadMessages().then(() => {
    if (!passkeysSupported()) say("pwa.passkey.unsupported", { error: true });
  });
}

main();
