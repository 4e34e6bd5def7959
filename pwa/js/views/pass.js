// My pass (信用通行证): a QR the phone signs every 30 s with its own key, from a certificate
// the server renews silently. Works offline: the key and certificate are in IndexedDB.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { errorMessage } from "../forms.js";
import { listName, localised, tierName } from "../format.js";
import { formatDateTime, t } from "../i18n.js";
import {
  correctedNow,
  expiresAtMs,
  isExpired,
  load,
  needsRenewal,
  prepare,
  present,
  renew,
  stepSeconds,
  supported,
} from "../pass.js";
import { qrMatrix, qrSvg, updateQr } from "../qr.js";
import { termsText } from "./offers.js";
import { s } from "../svg.js";

export const id = "pass";

const RING = 2 * Math.PI * 16;
const FLAGS = [
  [0x01, "red"],
  [0x04, "gray"],
  [0x02, "black"],
];
let live = null; // the pass on screen: {root, certificate, device, step, …}

function online(app) {
  return navigator.onLine && !app.state.unreachable;
}

function statusText(app, certificate) {
  if (isExpired(certificate)) return t(online(app) ? "pwa.pass.expired_online" : "pwa.pass.expired_offline");
  if (!online(app)) return t("pwa.pass.offline_valid");
  return t("pwa.pass.valid_online");
}

/** What a partner's verifier reads from the sealed pass, folded away below the QR: a list
 * badge beside the code would tell whoever the phone is shown to. */
function carries(certificate) {
  const tags = listTags(certificate.flags || 0);
  return h(
    "details",
    { class: "pass-carries card", id: "pass-carries" },
    h("summary", { text: t("pwa.pass.carries") }),
    h("p", { class: "small", text: t("pwa.pass.carries_body") }),
    tags || noList(),
  );
}

function noList() {
  return h("p", { class: "pass-lists small", text: t("pwa.pass.carries_no_list") });
}

function listTags(flags) {
  const tags = FLAGS.filter(([bit]) => flags & bit).map(([, kind]) =>
    h("span", { class: `list-badge list-${kind}`, text: listName(kind) }),
  );
  return tags.length ? h("p", { class: "pass-lists" }, tags) : null;
}

function countdown() {
  const ring = s(
    "svg",
    { class: "ring", viewBox: "0 0 40 40", "aria-hidden": "true", focusable: "false" },
    s("circle", { class: "ring-track", cx: 20, cy: 20, r: 16 }),
    s("circle", {
      class: "ring-left",
      cx: 20,
      cy: 20,
      r: 16,
      "stroke-dasharray": RING.toFixed(2),
      "stroke-dashoffset": "0",
      transform: "rotate(-90 20 20)",
    }),
  );
  return h("div", { class: "countdown", id: "pass-countdown" }, ring, h("span", { class: "countdown-text", id: "pass-seconds" }));
}

function showCountdown(root, certificate) {
  const period = stepSeconds(certificate) * 1000;
  const now = correctedNow(certificate);
  const left = period - (now % period);
  const seconds = Math.max(1, Math.ceil(left / 1000));
  root.querySelector("#pass-seconds").textContent = t("pwa.pass.refresh_in", { seconds });
  root.querySelector(".ring-left").setAttribute("stroke-dashoffset", (RING * (1 - left / period)).toFixed(2));
}

function offerItem(offer) {
  const terms = termsText(offer);
  return h(
    "li",
    { class: "offer-mini", "data-offer-id": offer.id },
    h("span", { class: "offer-title", text: localised(offer.title) }),
    h("span", { class: "small", text: [offer.partner?.name, terms].filter(Boolean).join(" · ") }),
  );
}

/** The offers this pass unlocks, filled in when they arrive: the QR never waits for them. */
function benefits(offersLoading) {
  const section = h(
    "section",
    { class: "card", id: "pass-benefits", "aria-labelledby": "pass-benefits-h", "aria-busy": "true" },
    h("h2", { id: "pass-benefits-h", text: t("pwa.pass.benefits") }),
  );
  offersLoading.then((offers) => {
    fillBenefits(section, offers);
    section.removeAttribute("aria-busy");
  });
  return section;
}

function fillBenefits(section, offers) {
  if (!offers) {
    add(section, h("p", { class: "small", text: t("pwa.pass.benefits_offline") }));
    return;
  }
  const eligible = offers.items.filter((o) => o.eligible);
  add(
    section,
    eligible.length
      ? h("ul", { class: "plain offer-minis", id: "pass-offers" }, eligible.map(offerItem))
      : h("p", { id: "pass-offers", text: t("pwa.pass.benefits_none") }),
    h("p", { class: "small", text: t("pwa.pass.benefits_note") }),
    h("p", {}, h("a", { href: "#/offers", text: t("pwa.pass.all_offers") })),
  );
}

function failure(app, root, error) {
  const retry = h("button", { type: "button", class: "primary", id: "pass-retry", text: t("pwa.pass.retry") });
  retry.addEventListener("click", () => app.navigate("pass"));
  const offline = !error || error.offline;
  add(
    root,
    h(
      "div",
      { class: "notice error", role: "alert", id: "pass-error" },
      h("p", { text: offline ? t("pwa.pass.first_needs_network") : errorMessage(error) || t("error.internal") }),
    ),
    retry,
  );
}

/** From home, before the pass is opened: its keys are made while the phone is idle, and the
 * QR encoder runs once on a pass-sized text (its first run, before the engine has compiled
 * it, takes several times longer than the next). */
export async function prefetch(app) {
  const me = app.state.me;
  if (!me?.person || !supported()) return;
  await prepare(me.id);
  qrMatrix(`XY2:${"0".repeat(303)}`);
}

export async function render(app, root) {
  const heading = t("pwa.pass.heading");
  add(root, h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.home") })), h("h1", { tabindex: "-1", text: heading }));
  const me = app.state.me;
  if (!supported()) {
    add(root, h("p", { class: "notice error", text: t("pwa.pass.unsupported") }), paperLink());
    return { title: heading };
  }
  if (me && !me.person) {
    add(root, h("p", { class: "notice info", id: "pass-error", text: t("pwa.pass.residents_only") }));
    return { title: heading };
  }
  let { device, certificate } = await load();
  let problem = null;
  let renewal = Promise.resolve();
  if (me && online(app) && (needsRenewal(certificate, me.id) || device?.accountId !== me.id)) {
    renewal = renew(me.id).then(
      (renewed) => ({ certificate, device } = renewed),
      (error) => {
        problem = error;
      },
    );
  }
  // The offers are asked after the certificate: on a slow line the QR comes first.
  const offersLoading = me
    ? renewal.then(() => api("/api/v1/me/offers")).catch(() => null)
    : Promise.resolve(null);
  await renewal;
  const accountId = me ? me.id : certificate?.accountId;
  if (!certificate || !device || certificate.accountId !== accountId || device.accountId !== accountId) {
    failure(app, root, problem);
    return { title: heading };
  }
  const period = stepSeconds(certificate) * 1000;
  const step = Math.floor(correctedNow(certificate) / period);
  const expired = isExpired(certificate);
  const qr = expired
    ? null
    : qrSvg(await present(certificate, device, step), { label: t("pwa.pass.qr_label"), id: "pass-qr" });
  const status = h("p", { class: "pass-status", id: "pass-status", role: "status", text: statusText(app, certificate) });
  const card = h(
    "section",
    { class: `pass-card${expired ? " expired" : ""}`, id: "pass-card", "aria-labelledby": "pass-hint" },
    h("p", { class: "pass-hint", id: "pass-hint", text: t("pwa.pass.show_hint") }),
    h("div", { class: "qr-frame" }, qr || h("p", { class: "pass-expired", text: t("pwa.pass.expired_no_qr") })),
    h(
      "div",
      { class: "pass-facts" },
      h(
        "p",
        { class: "pass-tier" },
        h("span", { class: "pass-tier-label", text: t("pwa.pass.tier") }),
        h("strong", { id: "pass-tier", class: `tier-${certificate.tier}`, text: tierName(certificate.tier) }),
      ),
      qr ? countdown() : null,
    ),
    h("p", { class: "pass-validity", id: "pass-validity", text: t("pwa.pass.valid_to", { time: formatDateTime(new Date(expiresAtMs(certificate)).toISOString()) }) }),
  );
  add(
    root,
    status,
    problem && !problem.offline ? h("p", { class: "notice warning", text: t("pwa.pass.renew_failed") }) : null,
    card,
    h("p", { class: "pass-privacy small", id: "pass-privacy", text: t("pwa.pass.privacy") }),
    carries(certificate),
    benefits(offersLoading),
    h(
      "section",
      { class: "card", "aria-labelledby": "pass-more-h" },
      h("h2", { id: "pass-more-h", text: t("pwa.pass.more") }),
      paperLink(),
      h("p", { class: "small", text: t("pwa.pass.paper_note") }),
      h("ul", { class: "link-list" }, h("li", {}, h("a", { href: "#/devices", id: "devices-link", text: t("pwa.devices.heading") }))),
    ),
  );
  live = { root, app, certificate, device, step, timer: null, renewing: false, stopped: false, status };
  if (qr) showCountdown(root, certificate);
  return { title: heading };
}

function paperLink() {
  return h("p", {}, h("a", { href: "/passes/paper", class: "button secondary", id: "paper-pass-link", text: t("pwa.pass.paper") }));
}

function setStatus(state) {
  const text = statusText(state.app, state.certificate);
  if (state.status.textContent !== text) state.status.textContent = text;
}

async function renewInBackground(state) {
  const me = state.app.state.me;
  if (state.renewing || !me || !online(state.app)) return;
  state.renewing = true;
  try {
    const { certificate, device } = await renew(me.id);
    if (state.stopped) return;
    Object.assign(state, { certificate, device, step: null });
    state.root.querySelector("#pass-tier").textContent = tierName(certificate.tier);
    state.root.querySelector(".pass-lists")?.replaceWith(listTags(certificate.flags || 0) || noList());
    state.root.querySelector("#pass-validity").textContent = t("pwa.pass.valid_to", {
      time: formatDateTime(certificate.expires_at),
    });
    setStatus(state);
  } catch {
    /* keep showing the certificate we have; try again at the next step */
  } finally {
    state.renewing = false;
  }
}

async function tick(state) {
  if (state.stopped) return;
  if (!state.root.isConnected) {
    stop(state);
    return;
  }
  const { certificate } = state;
  const period = stepSeconds(certificate) * 1000;
  const now = correctedNow(certificate);
  const step = Math.floor(now / period);
  const qr = state.root.querySelector("#pass-qr");
  if (step !== state.step) {
    if (needsRenewal(certificate, state.app.state.me?.id ?? certificate.accountId) && state.app.state.me) {
      renewInBackground(state);
    }
    if (isExpired(certificate)) {
      setStatus(state);
      if (online(state.app)) state.app.navigate("pass"); // fetch a new one, or explain why not
      return;
    }
    state.step = step;
    const text = await present(state.certificate, state.device, step);
    if (state.stopped) return;
    if (qr) updateQr(qr, text);
  }
  if (qr) showCountdown(state.root, certificate);
  const delay = 1000 - (correctedNow(certificate) % 1000) + 15;
  state.timer = setTimeout(() => tick(state), delay);
}

function stop(state) {
  state.stopped = true;
  clearTimeout(state.timer);
  window.removeEventListener("online", state.onNetwork);
  window.removeEventListener("offline", state.onNetwork);
  document.removeEventListener("visibilitychange", state.onVisible);
  if (live === state) live = null;
}

export function mounted(app, root) {
  const state = live;
  if (!state || state.root !== root) return;
  state.onNetwork = () => {
    setStatus(state);
    if (navigator.onLine) renewInBackground(state);
  };
  state.onVisible = () => {
    if (document.visibilityState !== "visible" || state.stopped) return;
    clearTimeout(state.timer);
    tick(state); // timers sleep in the background: catch up at once
  };
  window.addEventListener("online", state.onNetwork);
  window.addEventListener("offline", state.onNetwork);
  document.addEventListener("visibilitychange", state.onVisible);
  if (state.root.querySelector("#pass-qr")) tick(state);
}

