// The offline counter. While online it keeps the partner's offline bundle (getOfflineBundle:
// signing keys, the day's eligibility keys, a signed status list, the live offers) fresh in
// IndexedDB. When the network is gone it verifies on this device (counter/verify.js), says
// plainly that it is offline and how old its lists are, refuses once they are older than the
// limit the server sets (COUNTER_OFFLINE_HOURS), and queues every check and confirmed benefit;
// back online, it sends the queue (syncOfflineRedemptions) and says what became of it.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t, tOr } from "../i18n.js";
import * as store from "./store.js";
import { listsAsOf, verifyOffline, whyNot } from "./verify.js";

const REFRESH_MS = 5 * 60 * 1000; // the status list is re-signed every 5 minutes
// How often an offline counter tries the network again: the browser's "online" event is not
// enough (a counter's LAN can be up while the server is out of reach).
const RETRY_MS = 10 * 1000;
const BUNDLE = "/api/v1/passes/offline-bundle";
const SYNC = "/api/v1/partner/offline-redemptions";
const BATCH = 100;

const nowSeconds = () => Math.floor(Date.now() / 1000);

function counterName() {
  let name = localStorage.getItem("xinyi.counter.name");
  if (!name) {
    name = `counter-${crypto.randomUUID().slice(0, 8)}`;
    localStorage.setItem("xinyi.counter.name", name);
  }
  return name;
}

function ageText(seconds) {
  const minutes = Math.max(0, Math.floor(seconds / 60));
  if (minutes < 1) return t("counter.offline.age_now");
  if (minutes < 120) return t("counter.offline.age_minutes", { n: minutes });
  return t("counter.offline.age_hours", { n: Math.floor(minutes / 60) });
}

function issuedAt(token) {
  try {
    const body = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return Number(JSON.parse(atob(body)).iat) || 0;
  } catch {
    return 0;
  }
}

export class OfflineCounter {
  constructor(page, statusLine) {
    this.page = page;
    this.statusLine = statusLine;
    this.partnerId = page.dataset.partnerId;
    this.maxAge = Number(page.dataset.offlineMaxAge) || 12 * 3600;
    this.zone = page.dataset.timeZone || "Asia/Shanghai";
    this.tierNames = JSON.parse(page.dataset.tierNames || "{}");
    this.bundle = null;
    this.synced = null; // the last sync's summary
    this.syncing = false;
  }

  async start() {
    this.bundle = (await store.loadBundle(this.partnerId).catch(() => null)) || null;
    window.addEventListener("online", () => this.wentOnline());
    window.addEventListener("offline", () => this.show());
    setInterval(() => this.tick(), RETRY_MS);
    setInterval(() => this.show(), 30 * 1000);
    if (navigator.onLine) await this.wentOnline();
    else await this.show();
  }

  get limitHours() {
    return Math.round(this.maxAge / 3600);
  }

  age(now = nowSeconds()) {
    return this.bundle ? now - listsAsOf(this.bundle) : Infinity;
  }

  /** Refresh every 5 minutes online; offline or with a queue, try again every 10 seconds. */
  async tick() {
    if (!navigator.onLine) return;
    const due = Date.now() - (this.refreshedAt || 0) >= REFRESH_MS;
    const waiting = (await store.pending().catch(() => [])).length > 0;
    if (due || waiting || this.online === false) await this.wentOnline();
  }

  async wentOnline() {
    await this.refresh();
    await this.sync();
    await this.show();
  }

  /** Fetch a fresh bundle; a failure keeps the one we have. */
  async refresh() {
    try {
      const bundle = await api(BUNDLE);
      bundle.status_iat = issuedAt(bundle.status_list || "");
      this.bundle = bundle;
      await store.saveBundle(this.partnerId, bundle);
      this.online = true;
      this.refreshedAt = Date.now();
    } catch {
      this.online = false;
    }
  }

  /** Send the queue; each item's outcome comes back (idempotent: a resend is harmless). */
  async sync() {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const items = await store.pending();
      for (let i = 0; i < items.length; i += BATCH) {
        const batch = items.slice(i, i + BATCH);
        const answer = await api(SYNC, {
          method: "POST",
          body: {
            counter: counterName(),
            items: batch.map(({ id, kind, text, offer_id, confirmed_at, lists_as_of }) => ({
              id, kind, text, offer_id, confirmed_at, lists_as_of,
            })),
          },
        });
        await store.forget(answer.items.map((x) => x.id));
        const confirms = answer.items.filter((x) => x.outcome !== "logged");
        this.synced = {
          recorded: (this.synced?.recorded || 0) + confirms.filter((x) => x.outcome === "recorded").length,
          flagged: (this.synced?.flagged || 0) + answer.flagged,
        };
      }
    } catch {
      /* still offline: the next tick tries again */
    } finally {
      this.syncing = false;
    }
  }

  /** The status line: online or offline, how old the lists are, what waits to be sent. */
  async show() {
    const waiting = (await store.pending().catch(() => [])).filter((x) => x.kind === "confirm").length;
    const offline = !navigator.onLine || this.online === false;
    const age = this.age();
    let text;
    let state;
    if (!this.bundle) {
      state = offline ? "unusable" : "online";
      text = offline ? t("counter.offline.no_bundle") : t("counter.offline.online_loading");
    } else if (!offline) {
      state = "online";
      text = t("counter.offline.online", { age: ageText(age) });
    } else if (age > this.maxAge) {
      state = "unusable";
      text = t("counter.offline.stale", { age: ageText(age), limit: this.limitHours });
    } else {
      state = "offline";
      text = t("counter.offline.offline", { age: ageText(age), limit: this.limitHours });
    }
    const parts = [h("span", { class: "status-text", text })];
    if (waiting) parts.push(h("span", { class: "status-queue", text: t("counter.offline.waiting", { count: waiting }) }));
    if (this.synced && !waiting) {
      parts.push(h("span", { class: "status-synced", text: t("counter.offline.synced", this.synced) }));
    }
    this.statusLine.dataset.state = state;
    this.statusLine.dataset.waiting = String(waiting);
    this.statusLine.dataset.flagged = String(this.synced?.flagged || 0);
    this.statusLine.replaceChildren(...parts);
  }

  /** Verify `text` on this device; the verdict's nodes for the verdict region. */
  async verify(text) {
    this.online = false;
    const now = nowSeconds();
    const bundle = this.bundle;
    if (!bundle) return [this.panel("refused", "no_bundle", [h("p", { class: "verdict-reason", text: t("counter.offline.no_bundle") })])];
    const age = now - listsAsOf(bundle);
    if (age > this.maxAge) {
      return [
        this.panel("refused", "lists_too_old", [
          h("p", { class: "verdict-reason", text: t("counter.offline.refused_stale", { age: ageText(age), limit: this.limitHours }) }),
          h("p", { class: "normal-procedure" }, h("strong", { text: t("counter.normal_procedure") })),
        ]),
      ];
    }
    const verdict = await verifyOffline(text, bundle, now);
    const note = h("p", { class: "offline-note", text: t("counter.offline.verdict_note", { age: ageText(age) }) });
    if (!verdict.valid) {
      return [
        this.panel("refused", verdict.reason, [
          note,
          h("p", { class: "verdict-reason", text: tOr(`pass.reason.${verdict.reason}`, t("pass.reason.other")) }),
          h("p", { class: "normal-procedure" }, h("strong", { text: t("counter.normal_procedure") })),
        ]),
      ];
    }
    const cert = verdict.certificate;
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: this.zone }).format(new Date(now * 1000));
    const offers = bundle.offers || [];
    const eligible = [];
    const ineligible = [];
    for (const offer of offers) {
      const why = whyNot(offer, cert, today);
      (why ? ineligible : eligible).push([offer, why]);
    }
    await store.queue({ id: crypto.randomUUID(), kind: "check", text, offer_id: null, confirmed_at: now, lists_as_of: listsAsOf(bundle) });
    const tier = this.tierNames[cert.tier] || cert.tier;
    const body = [note];
    if (!eligible.length) {
      body.push(h("p", { class: "normal-procedure" }, h("strong", { text: t("counter.normal_procedure") }), " ", h("span", { class: "small-print", text: t("counter.never_refuse") })));
    }
    if (cert.paper) {
      body.push(h("p", { class: "id-check", id: "id-check" }, h("strong", { text: t("counter.id_check") }), " ", t("counter.id_check_paper", { name: cert.holderName })));
    }
    body.push(h("p", { class: "verdict-facts" }, h("span", { class: "verdict-tier", text: t("counter.tier", { tier }) })));
    const title = (o) => o.title?.[document.documentElement.lang === "en" ? "en" : "zh-CN"] || o.title?.["zh-CN"] || "";
    if (eligible.length) {
      body.push(h("h3", { class: "verdict-sub", text: t("counter.applies") }));
      body.push(
        h("ul", { class: "offer-list" }, ...eligible.map(([o]) =>
          h("li", { class: "offer-item eligible", id: `offer-${o.id}` },
            h("p", { class: "offer-line", text: title(o) }),
            h("button", { type: "button", class: "confirm offline-confirm", "data-offer-id": String(o.id), "data-text": text },
              t("counter.confirm"), h("span", { class: "visually-hidden", text: ` ${title(o)}` })),
          ),
        )),
      );
    }
    if (ineligible.length) {
      body.push(h("h3", { class: "verdict-sub", text: t("counter.not_applies") }));
      body.push(
        h("ul", { class: "offer-list" }, ...ineligible.map(([o, why]) =>
          h("li", { class: "offer-item ineligible", "data-why-not": why },
            h("span", { class: "offer-line", text: title(o) }), " ",
            h("span", { class: "why-not", text: tOr(`pass.why_not.${why}`, t("pass.why_not.other"), { tier: this.tierNames[o.min_tier] || o.min_tier }) }),
          ),
        )),
      );
    }
    return [this.panel(eligible.length ? "ok" : "normal", "valid", body)];
  }

  panel(state, reason, body) {
    const mark = document.querySelector(`#verdict-marks [data-state="${state}"]`)?.cloneNode(true);
    const heading = h("h2", { id: "verdict-title", class: "verdict-title", tabindex: "-1" });
    if (mark) heading.append(...mark.childNodes, " ");
    heading.append(t(`counter.state.${state}`));
    return h("section", {
      class: `verdict verdict-${state}`, id: "verdict-panel", "aria-labelledby": "verdict-title",
      "data-reason": reason, "data-offline": "true",
    }, heading, ...body);
  }

  /** 确认办理 offline: queued, sent when back online; the row says so. */
  async confirm(button) {
    const now = nowSeconds();
    button.disabled = true;
    await store.queue({
      id: crypto.randomUUID(), kind: "confirm", text: button.dataset.text,
      offer_id: Number(button.dataset.offerId), confirmed_at: now, lists_as_of: listsAsOf(this.bundle),
    });
    const result = h("div", { class: "offer-result", "data-queued": "true" },
      h("p", { class: "offer-done", text: t("counter.offline.queued") }));
    button.replaceWith(result);
    await this.show();
  }
}
