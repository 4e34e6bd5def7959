// The resident PWA: boot, state, hash router and the shell (top bar, offline banner).

import { api, onUnauthenticated, setApiLocale, setCsrfToken } from "./api.js";
import { $, add, clear, h } from "./dom.js";
import { initialLocale, locale, t, useLocale } from "./i18n.js";

// Each view is loaded when first shown (a dynamic import): the first load fetches the shell
// and one view, not thirty.
const VIEWS = {
  access: () => import("./views/access.js"),
  benefits: () => import("./views/benefits.js"),
  cases: () => import("./views/cases.js"),
  closeaccount: () => import("./views/closeaccount.js"),
  commitments: () => import("./views/commitments.js"),
  honours: () => import("./views/honours.js"),
  consent: () => import("./views/consent.js"),
  devices: () => import("./views/devices.js"),
  enrol: () => import("./views/enrol.js"),
  family: () => import("./views/family.js"),
  home: () => import("./views/home.js"),
  inbox: () => import("./views/inbox.js"),
  lists: () => import("./views/lists.js"),
  objectioncase: () => import("./views/objectioncase.js"),
  objectionform: () => import("./views/objectionform.js"),
  offers: () => import("./views/offers.js"),
  offline: () => import("./views/offline.js"),
  pass: () => import("./views/pass.js"),
  passkeys: () => import("./views/passkeys.js"),
  privacy: () => import("./views/privacy.js"),
  record: () => import("./views/record.js"),
  records: () => import("./views/records.js"),
  recovery: () => import("./views/recovery.js"),
  repaircase: () => import("./views/repaircase.js"),
  repairform: () => import("./views/repairform.js"),
  rights: () => import("./views/rights.js"),
  rightscases: () => import("./views/rightscases.js"),
  score: () => import("./views/score.js"),
  settings: () => import("./views/settings.js"),
  welcome: () => import("./views/welcome.js"),
};

// The view the next tap most likely opens, loaded while the phone is idle (and its own
// `prefetch(app)` run): from home, the pass, whose QR then waits only for its certificate.
const NEXT = { home: "pass" };

const ELDER_KEY = "xinyi.elder";
const SIGNED_IN_HINT = "xinyi.signedIn";

// Route → view (a VIEWS name, or "name#export"). `signedIn`: needs a session; `signedOut`:
// without one; `offline`: shown when the server cannot be reached (the pass signs locally).
const ROUTES = {
  "": { signedIn: "home", signedOut: "welcome" },
  code: { signedOut: "enrol#byCode" },
  recover: { signedOut: "enrol#byRecoveryCode" },
  passkeys: { signedIn: "passkeys" },
  access: { signedIn: "access" },
  "recovery-codes": { signedIn: "recovery" },
  settings: { signedIn: "settings", signedOut: "settings" },
  pass: { signedIn: "pass", offline: "pass" },
  devices: { signedIn: "devices" },
  score: { signedIn: "score" },
  records: { signedIn: "records" },
  record: { signedIn: "record" },
  lists: { signedIn: "lists" },
  offers: { signedIn: "offers" },
  benefits: { signedIn: "benefits" },
  cases: { signedIn: "cases" },
  "repair-new": { signedIn: "repairform" },
  repair: { signedIn: "repaircase" },
  "objection-new": { signedIn: "objectionform" },
  objection: { signedIn: "objectioncase" },
  commitments: { signedIn: "commitments" },
  honours: { signedIn: "honours" },
  inbox: { signedIn: "inbox" },
  rights: { signedIn: "rights" },
  consent: { signedIn: "consent" },
  close: { signedIn: "closeaccount" },
  family: { signedIn: "family" },
  "family-person": { signedIn: "family#person" },
  "rights-cases": { signedIn: "rightscases" },
  misuse: { signedIn: "rightscases#misuse" },
  review: { signedIn: "rightscases#review" },
  privacy: { signedIn: "privacy", signedOut: "privacy" },
  help: { signedIn: "privacy#help", signedOut: "privacy#help" },
};
// Routes with an id in the path: "#/records/12" → the "record" view (it reads the id).
const PATTERNS = [
  [/^records\/\d+$/, "record"],
  [/^repairs\/new$/, "repair-new"],
  [/^repairs\/\d+$/, "repair"],
  [/^objections\/new$/, "objection-new"],
  [/^objections\/\d+$/, "objection"],
  [/^family\/\d+$/, "family-person"],
  [/^misuse\/\d+$/, "misuse"],
  [/^review\/(score|list\/\d+)$/, "review"],
];

const state = {
  me: null,
  unreachable: false, // the last /api/v1/me failed for lack of network
  elder: false,
  flash: null, // {kind, text} shown once at the top of the next view
  conditional: null, // {controller, done} of a pending passkey-autofill request
  unread: 0, // unread notices, shown as the inbox badge in the top bar
};

function store(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* storage blocked: preferences last for this page only */
  }
}

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function announce(text) {
  const region = $("#announcer");
  region.textContent = "";
  // A fresh text node after a tick makes screen readers announce repeated messages too.
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

function flash(kind, text) {
  state.flash = { kind, text };
}

function currentRoute() {
  const path = location.hash.replace(/^#\/?/, "").split("?")[0];
  if (Object.prototype.hasOwnProperty.call(ROUTES, path)) return path;
  return PATTERNS.find(([pattern]) => pattern.test(path))?.[1] || "";
}

export function navigate(route) {
  const target = `#/${route}`;
  if (location.hash === target || (route === "" && !location.hash)) render({ focus: true });
  else location.hash = target;
}

function translateShell() {
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  const other = locale() === "en" ? "zh-CN" : "en";
  const toggle = $("#lang-toggle");
  toggle.lang = other;
  toggle.textContent = other === "en" ? "English" : "中文";
  toggle.setAttribute("aria-label", t("pwa.lang.switch_to", { language: toggle.textContent }));
  $("#elder-toggle").setAttribute("aria-pressed", String(state.elder));
  const banner = $("#offline-banner");
  if (!banner.hidden) banner.textContent = t("pwa.offline.banner");
  document.querySelector('meta[name="description"]')?.setAttribute("content", t("app.tagline"));
  showUnread(state.unread);
}

/** The inbox in the top bar with its unread count, for signed-in residents only. */
function showUnread(count) {
  state.unread = Number(count) || 0;
  let link = $("#inbox-link");
  if (!link) {
    link = h("a", { id: "inbox-link", class: "chip inbox-chip", href: "#/inbox" });
    $(".topbar-actions").prepend(link);
  }
  link.hidden = !state.me?.person;
  if (currentRoute() === "inbox") link.setAttribute("aria-current", "page");
  else link.removeAttribute("aria-current");
  const shown = state.unread > 99 ? "99+" : String(state.unread);
  add(
    clear(link),
    h("span", { text: t("pwa.inbox.nav") }),
    state.unread ? h("span", { class: "badge", id: "inbox-badge", "aria-hidden": "true", text: shown }) : null,
    state.unread ? h("span", { class: "visually-hidden", text: t("pwa.inbox.unread_count", { count: state.unread }) }) : null,
  );
}

async function refreshUnread() {
  if (!state.me?.person) {
    showUnread(0);
    return;
  }
  try {
    showUnread((await api("/api/v1/me/notifications")).unread);
  } catch {
    showUnread(state.unread); /* offline: keep the last count */
  }
}

function applyElder(on, { remember = false } = {}) {
  state.elder = Boolean(on);
  document.body.classList.toggle("elder", state.elder);
  $("#elder-toggle").setAttribute("aria-pressed", String(state.elder));
  if (remember) {
    store(ELDER_KEY, state.elder ? "1" : "0");
    document.cookie = `xinyi_elder=${state.elder ? "1" : "0"}; path=/; max-age=31536000; samesite=lax`;
  }
}

async function savePreference(change) {
  if (!state.me) return;
  try {
    await api("/api/v1/me/preferences", { method: "PATCH", body: change });
  } catch {
    /* kept on this device; the server copy is updated next time */
  }
}

export async function setLanguage(loc) {
  await useLocale(loc, { remember: true });
  setApiLocale(locale());
  translateShell();
  const shown = render({ focus: false });
  announce(t("pwa.lang.changed"));
  await Promise.all([shown, savePreference({ locale: locale() })]);
}

export async function setElder(on) {
  applyElder(on, { remember: true });
  const shown = render({ focus: false });
  announce(t(state.elder ? "pwa.elder.on" : "pwa.elder.off"));
  await Promise.all([shown, savePreference({ elder_mode: state.elder })]);
}

async function adoptServerPreferences(me) {
  if (!me.locale) {
    // Never chosen on the server: keep what this device uses.
    await savePreference({ locale: locale(), elder_mode: state.elder });
    return;
  }
  if (me.locale !== locale()) {
    await useLocale(me.locale, { remember: true });
    setApiLocale(locale());
    translateShell();
  }
  if (me.elder_mode !== state.elder) applyElder(me.elder_mode, { remember: true });
}

/** The CSRF cookie is set with the session and readable: without it there is no session, and
 * asking /api/v1/me would only earn a 401 (in the console of every signed-out visit). */
function sessionCookie() {
  return document.cookie.split(";").some((part) => part.trim().startsWith("xinyi_csrf="));
}

export async function refreshMe() {
  if (!sessionCookie()) {
    state.me = null;
    state.unreachable = false;
    store(SIGNED_IN_HINT, null);
    return null;
  }
  try {
    const me = await api("/api/v1/me");
    state.me = me;
    state.unreachable = false;
    setCsrfToken(me.csrf_token);
    store(SIGNED_IN_HINT, "1");
    await adoptServerPreferences(me);
  } catch (problem) {
    state.me = null;
    state.unreachable = Boolean(problem?.offline);
    if (problem?.status === 401) store(SIGNED_IN_HINT, null);
    if (!problem?.status && !problem?.offline) throw problem;
  }
  return state.me;
}

export function abortConditional() {
  const pending = state.conditional;
  state.conditional = null;
  if (!pending) return Promise.resolve();
  pending.controller.abort();
  return pending.done.catch(() => {});
}

/** Sign in with a passkey: a modal request, or (conditional) one that waits for autofill. */
export async function signIn({ conditional = false } = {}) {
  await abortConditional();
  const generation = renderCount;
  const options = await api("/api/v1/login/start", { method: "POST" });
  let credential;
  if (conditional) {
    // The page moved on while the options were fetched: autofill belongs to the old view.
    if (generation !== renderCount) return;
    const controller = new AbortController();
    const { getPasskey } = await import("./webauthn.js");
    const done = getPasskey(options, { mediation: "conditional", signal: controller.signal });
    state.conditional = { controller, done };
    try {
      credential = await done;
    } finally {
      if (state.conditional?.controller === controller) state.conditional = null;
    }
  } else {
    const { getPasskey } = await import("./webauthn.js");
    credential = await getPasskey(options);
  }
  await api("/api/v1/login/finish", { method: "POST", body: credential });
  await refreshMe();
  flash("success", t("pwa.signin.done", { name: state.me?.display_name || "" }));
  navigate("");
}

/** After a passkey registration (enrolment, code, recovery): load the account, go home. */
export async function enrolled(message) {
  await refreshMe();
  flash("success", message);
  navigate("");
}

export async function signOut({ everywhere = false } = {}) {
  const path = everywhere ? "/api/v1/me/sessions/revoke-all" : "/api/v1/logout";
  await api(path, { method: "POST" });
  state.me = null;
  store(SIGNED_IN_HINT, null);
  const { clearPass } = await import("./pass.js");
  await clearPass(); // the pass key and certificate belong to the account, not the phone
  flash("success", t(everywhere ? "pwa.signout.everywhere_done" : "pwa.signout.done"));
  navigate("");
}

const app = {
  state,
  t,
  navigate,
  announce,
  flash,
  refreshMe: async () => {
    const me = await refreshMe();
    updateOnline();
    return me;
  },
  signIn,
  abortConditional,
  enrolled,
  signOut,
  setLanguage,
  setElder,
  signedInHint: () => stored(SIGNED_IN_HINT) === "1",
  setUnread: showUnread,
};

let renderCount = 0;
// Boot's first /api/v1/me: no view is chosen before it is answered, so a link followed while
// the app starts cannot show a signed-in resident the welcome screen (and its passkey prompt).
let sessionKnown = null;

/** A view module (or one of its exports) by name, loaded on first use. Offline and not yet
 * cached, a view cannot load: the offline page (precached) says so. */
async function loadView(name) {
  const [file, part] = name.split("#");
  try {
    const module = await VIEWS[file]();
    return part ? module[part] : module;
  } catch (error) {
    if (file === "offline") throw error;
    console.warn("view not loaded", name, error);
    return loadView("offline");
  }
}

function prefetch(name) {
  const load = () =>
    VIEWS[name]()
      .then((module) => module.prefetch?.(app))
      .catch(() => {}); // offline and not cached: loaded on use
  if ("requestIdleCallback" in window) requestIdleCallback(load, { timeout: 2000 });
  else setTimeout(load, 500);
}

export async function render({ focus = true } = {}) {
  const mine = ++renderCount;
  await abortConditional();
  await sessionKnown;
  if (mine !== renderCount) return; // a newer render is on its way
  const route = currentRoute();
  const entry = ROUTES[route];
  let name;
  if (state.unreachable && !state.me) name = (app.signedInHint() && entry.offline) || "offline";
  else if (state.me) name = entry.signedIn || "home";
  else name = entry.signedOut || "welcome";
  const view = await loadView(name);
  if (!state.me && entry.signedIn && !entry.signedOut && !state.unreachable) {
    flash("info", t("pwa.signin.needed"));
  }
  const main = $("#main");
  const container = h("div", { class: `view view-${route || "home"}` });
  if (state.flash) {
    container.append(h("p", { class: `notice ${state.flash.kind}`, text: state.flash.text }));
    announce(state.flash.text);
    state.flash = null;
  }
  let title;
  try {
    const result = await view.render(app, container);
    title = result?.title;
  } catch (error) {
    console.error(error);
    container.append(h("p", { class: "notice error", role: "alert", text: t("error.internal") }));
  }
  if (mine !== renderCount) return; // a newer render started meanwhile
  clear(main).append(container);
  document.title = title ? `${title} · ${t("app.name")}` : t("app.name");
  document.body.dataset.view = view.id || route || "home";
  if (focus) (main.querySelector("h1") || main).focus();
  view.mounted?.(app, container);
  if (state.me && NEXT[view.id]) prefetch(NEXT[view.id]);
  if (view.id !== "inbox") refreshUnread(); // the inbox view sets the count it loaded
  else showUnread(state.unread);
}

/** The banner shows when the browser says it is offline, or when the server could not be
 * reached although the browser thinks it is online (captive Wi-Fi, a dead connection). */
function updateOnline() {
  const banner = $("#offline-banner");
  const offline = !navigator.onLine || state.unreachable;
  banner.hidden = !offline;
  banner.textContent = offline ? t("pwa.offline.banner") : "";
  document.body.classList.toggle("is-offline", offline);
  if (state.unreachable) scheduleReconnect();
}

let reconnectTimer = null;
let reconnectDelay = 5000;

function scheduleReconnect() {
  if (reconnectTimer) return;
  reconnectTimer = setTimeout(async () => {
    reconnectTimer = null;
    await reconnect();
    reconnectDelay = Math.min(reconnectDelay * 2, 60000);
  }, reconnectDelay);
}

async function reconnect() {
  if (!state.unreachable) return;
  await refreshMe().catch(() => {});
  updateOnline();
  if (!state.unreachable) {
    reconnectDelay = 5000;
    render({ focus: false });
  }
}

function bindShell() {
  $("#lang-toggle").addEventListener("click", () => setLanguage(locale() === "en" ? "zh-CN" : "en"));
  $("#elder-toggle").addEventListener("click", () => setElder(!state.elder));
  window.addEventListener("hashchange", () => {
    // "#main" (the skip link) and other in-page anchors are not routes.
    if (location.hash && !location.hash.startsWith("#/")) return;
    render({ focus: true });
  });
  $(".skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    $("#main").focus();
  });
  window.addEventListener("offline", updateOnline);
  window.addEventListener("online", () => {
    updateOnline();
    // Back online: try at once and, if that races the network coming up, again in a second
    // (not after the long back-off built up while offline).
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    reconnectDelay = 1000;
    reconnect();
  });
  onUnauthenticated(() => {
    if (!state.me) return;
    state.me = null;
    store(SIGNED_IN_HINT, null);
    flash("info", t("pwa.signin.expired"));
    navigate("");
  });
}

/** The versioned files this page has loaded (its catalog, its views): the worker keeps them
 * from the HTTP cache, so it never downloads a file twice nor the other language. */
function loadedShellFiles() {
  const base = new URL(`/app/v/${document.documentElement.dataset.build}/`, location.href).href;
  return performance
    .getEntriesByType("resource")
    .map((entry) => entry.name)
    .filter((url) => url.startsWith(base));
}

/** After the page has loaded: installing the worker then reads the shell from the HTTP cache
 * instead of competing with the first view for the network. */
function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const register = () =>
    navigator.serviceWorker
      .register("/sw.js", { scope: "/" })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => registration.active?.postMessage({ type: "keep", urls: loadedShellFiles() }))
      .catch((error) => {
        console.warn("service worker not registered", error);
      });
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
}

async function boot() {
  applyElder(stored(ELDER_KEY) === "1");
  try {
    await useLocale(initialLocale());
  } catch {
    await useLocale("zh-CN").catch(() => {});
  }
  setApiLocale(locale());
  translateShell();
  bindShell();
  registerServiceWorker();
  sessionKnown = refreshMe().catch(() => {});
  await sessionKnown;
  updateOnline();
  await render({ focus: false });
  document.body.classList.add("ready");
}

boot();
