// The counter page (/counter): verify a scanned pass without reloading, record the benefit
// with one click, and scan with the camera where the browser can read QR codes.
// Without JavaScript the same forms POST to /counter and /counter/redeem.

import { cameraSupported, startScan } from "./counter/camera.js";
import { newKey, postJson } from "./counter/http.js";
import { loadMessages, translator } from "./counter/i18n.js";
import { el, renderProblem, renderRedeemed, renderRefused, renderVerdict, stateOf } from "./counter/render.js";

const root = document.getElementById("counter");
if (root) init(root);

async function init(page) {
  const locale = page.dataset.locale === "en" ? "en" : "zh-CN";
  const messages = await loadMessages(locale);
  if (!Object.keys(messages).length) return; // no catalog (offline): the plain forms still work
  const t = translator(messages);
  const form = document.getElementById("scan-form");
  const input = document.getElementById("pass-text");
  const region = document.getElementById("verdict");
  const csrf = form.elements.csrf_token.value;
  let latest = 0; // only the answer to the newest scan is shown

  function ready() {
    input.value = "";
    input.removeAttribute("aria-invalid");
    input.focus();
  }

  function show(node, state) {
    region.replaceChildren(node);
    document.title = state ? `${t(`counter.state.${state}`)} · ${page.dataset.title}` : page.dataset.title;
  }

  async function verify(text) {
    const mine = ++latest;
    const body = { text };
    const chosen = form.elements.offer_id?.value;
    if (chosen) body.offer_id = Number(chosen);
    region.replaceChildren(el("p", { class: "checking", text: t("counter.checking") }));
    const response = await postJson("/api/v1/passes/verify", body, { "X-CSRF-Token": csrf });
    if (mine !== latest) return;
    if (response.ok) {
      show(renderVerdict(response.body, { t, locale, csrf, text }), stateOf(response.body));
    } else {
      show(renderProblem(response, t), "refused");
    }
    ready();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      input.setAttribute("aria-invalid", "true");
      region.replaceChildren(el("p", { class: "field-error", role: "alert", text: t("counter.missing") }));
      input.focus();
      return;
    }
    verify(text);
  });

  // 确认办理: one Idempotency-Key per click, so a retried request never records twice.
  region.addEventListener("submit", async (event) => {
    const redeem = event.target.closest("form.redeem");
    if (!redeem) return;
    event.preventDefault();
    const button = redeem.querySelector("button.confirm");
    if (button.disabled) return;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    const key = newKey();
    const body = { text: redeem.elements.text.value, offer_id: Number(redeem.elements.offer_id.value) };
    const headers = { "X-CSRF-Token": csrf, "Idempotency-Key": key };
    let response = await postJson("/api/v1/redemptions", body, headers);
    if (response.status === 0) response = await postJson("/api/v1/redemptions", body, headers); // same key: safe
    if (response.ok) {
      redeem.replaceWith(renderRedeemed(response.body, button, t));
      document.title = `${t("counter.outcome_ok")} · ${page.dataset.title}`;
      ready();
      return;
    }
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (response.status === 409 || response.status === 404) {
      const reason = response.body.reason || (response.status === 404 ? "not_live" : "not_eligible");
      redeem.replaceWith(renderRefused(reason, button, t));
    } else {
      const note = renderProblem(response, t).querySelector(".verdict-reason");
      note.setAttribute("role", "alert");
      redeem.after(note);
    }
    ready();
  });

  setUpCamera(t, verify);
}

async function setUpCamera(t, verify) {
  const button = document.getElementById("camera-button");
  const box = document.getElementById("camera");
  const video = document.getElementById("camera-video");
  const stopButton = document.getElementById("camera-stop");
  if (!button || !(await cameraSupported())) return; // no BarcodeDetector: the button stays hidden
  button.hidden = false;
  let stop = null;

  function close() {
    stop?.();
    stop = null;
    box.hidden = true;
    button.hidden = false;
  }

  button.addEventListener("click", () => {
    box.hidden = false;
    button.hidden = true;
    stopButton.focus();
    stop = startScan(video, {
      onText(text) {
        close();
        verify(text.trim());
      },
      onError() {
        close();
        const region = document.getElementById("verdict");
        region.replaceChildren(el("p", { class: "field-error", role: "alert", text: t("counter.camera_denied") }));
        button.focus();
      },
    });
  });
  stopButton.addEventListener("click", () => {
    close();
    button.focus();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && stop) {
      close();
      button.focus();
    }
  });
}
