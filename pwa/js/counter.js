// The counter page (/counter). The server renders every verdict and outcome
// (partners/_verdict.html, partners/_outcome.html); this script only enhances the page: it
// sends the page's own forms with fetch and swaps in that part of the page that comes back,
// so a scan needs no reload and the scan field stays ready for the next resident. It also
// scans with the camera on any browser that has one (counter/camera.js).
// Without JavaScript the same forms POST to /counter and /counter/redeem. When the network
// is gone it verifies on the device and queues confirmed benefits (counter/offline.js); the
// counter's own service worker (/counter-sw.js) keeps the page itself available.

import { setApiLocale, submitForm } from "./api.js";
import { cameraSupported, startScan } from "./counter/camera.js";
import { OfflineCounter } from "./counter/offline.js";
import { h } from "./dom.js";
import { t, useLocale } from "./i18n.js";

const root = document.getElementById("counter");
if (root) init(root);

async function init(page) {
  const chosen = page.dataset.locale === "en" ? "en" : "zh-CN";
  try {
    await useLocale(chosen);
  } catch {
    return; // no catalog (offline): the plain forms still work
  }
  setApiLocale(chosen);
  const form = document.getElementById("scan-form");
  const input = document.getElementById("pass-text");
  const region = document.getElementById("verdict");
  let latest = 0; // only the answer to the newest scan is shown
  const offline = new OfflineCounter(page, document.getElementById("counter-status"));
  offline.start().catch(() => {}); // no IndexedDB (private mode): online only
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/counter-sw.js", { scope: "/counter" }).catch(() => {});
  }

  /** No network: the verdict from this device's own lists. */
  async function verifyHere(text, mine) {
    const nodes = await offline.verify(text);
    if (mine !== latest) return;
    region.replaceChildren(...nodes);
    document.getElementById("verdict-title")?.focus();
    document.title = `${document.getElementById("verdict-title")?.textContent.trim()} · ${t("counter.title")}`;
    offline.show();
    input.focus();
  }


  /** The localised title of a page that is not the counter (error.html's h1). */
  function problemOf(answer) {
    return answer.page.querySelector("main h1")?.textContent.trim() || t("counter.error");
  }

  /** False, after dealing with it, if the answer is not the counter page. */
  function isCounter(answer) {
    if (answer.page.getElementById("verdict")) return true;
    // Signed out: the server sent the sign-in page; go there the way the plain form would.
    if (answer.redirected) location.assign("/counter");
    return false;
  }

  /** The scan field's error (a blank scan) as the answer marks it. */
  function markField(answer) {
    const error = answer.page.getElementById("pass-text-error");
    const field = answer.page.getElementById("pass-text");
    document.getElementById("pass-text-error")?.remove();
    if (error) {
      error.setAttribute("role", "alert");
      document.getElementById("pass-text-hint").after(error);
    }
    for (const name of ["aria-invalid", "aria-describedby"]) {
      if (field?.hasAttribute(name)) input.setAttribute(name, field.getAttribute(name));
      else input.removeAttribute(name);
    }
  }

  async function verify() {
    const mine = ++latest;
    const sent = submitForm(form); // reads the fields now
    const text = input.value;
    input.value = ""; // a scanner may type the next pass while this one is checked
    region.replaceChildren(h("p", { class: "checking", text: t("counter.checking") }));
    if (!navigator.onLine) {
      sent.catch(() => {});
      await verifyHere(text, mine);
      return;
    }
    let answer;
    try {
      answer = await sent;
    } catch {
      if (mine !== latest) return;
      await verifyHere(text, mine);
      return;
    }
    if (mine !== latest) return;
    if (!isCounter(answer)) {
      region.replaceChildren(notice(problemOf(answer)));
    } else {
      region.replaceChildren(...answer.page.getElementById("verdict").childNodes);
      markField(answer);
      document.title = answer.page.title;
    }
    input.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    verify();
  });

  // 确认办理: the form carries the idempotency key the server gave this verdict, so sending
  // it again (a retry after a network failure) never records twice.
  region.addEventListener("click", (event) => {
    const button = event.target.closest("button.offline-confirm");
    if (button && !button.disabled) offline.confirm(button).then(() => input.focus());
  });

  region.addEventListener("submit", async (event) => {
    const redeem = event.target.closest("form.redeem");
    if (!redeem) return;
    event.preventDefault();
    const button = redeem.querySelector("button.confirm");
    if (button.disabled) return;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    let answer = null;
    for (let attempt = 0; attempt < 2 && !answer; attempt += 1) {
      answer = await submitForm(redeem).catch(() => null);
    }
    if (!redeem.isConnected) return; // a newer scan has replaced this verdict
    const result = answer?.page.querySelector("#verdict .offer-result");
    if (result) {
      result.querySelector(".offer-refused")?.setAttribute("role", "alert");
      redeem.replaceWith(result);
      document.title = answer.page.title;
      input.focus();
      return;
    }
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (answer && isCounter(answer)) {
      region.replaceChildren(...answer.page.getElementById("verdict").childNodes);
      document.title = answer.page.title;
    } else if (!answer?.redirected) {
      redeem.querySelector(".field-error")?.remove();
      redeem.append(notice(answer ? problemOf(answer) : t("counter.offline")));
    }
    input.focus();
  });

  setUpCamera((text) => {
    input.value = text.trim();
    verify();
  });
}

/** A message of the script's own (no answer came back): said at once, as an alert. */
function notice(text) {
  return h("p", { class: "field-error", role: "alert", text });
}

async function setUpCamera(scanned) {
  const button = document.getElementById("camera-button");
  const box = document.getElementById("camera");
  const video = document.getElementById("camera-video");
  const stopButton = document.getElementById("camera-stop");
  if (!button || !cameraSupported()) return; // no camera API at all: the button stays hidden
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
    box.removeAttribute("data-decoder");
    stop = startScan(video, {
      onReady(name) {
        box.dataset.decoder = name; // which decoder reads the frames (native or zxing-wasm)
      },
      onText(text) {
        close();
        scanned(text);
      },
      onError() {
        close();
        const region = document.getElementById("verdict");
        region.replaceChildren(notice(t("counter.camera_denied")));
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
