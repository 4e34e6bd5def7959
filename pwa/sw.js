// Xinyi service worker: the app shell works offline; API responses are never cached.
// Network first keeps shell files fresh; bump VERSION when the SHELL list changes, and
// activate deletes the old caches.

const VERSION = "v5";
const CACHE = `xinyi-shell-${VERSION}`;
const SHELL = [
  "/",
  "/manifest.webmanifest",
  "/app/styles.css",
  "/app/js/app.js",
  "/app/js/api.js",
  "/app/js/base45.js",
  "/app/js/dom.js",
  "/app/js/format.js",
  "/app/js/vocabulary.js",
  "/app/js/forms.js",
  "/app/js/i18n.js",
  "/app/js/idnumber.js",
  "/app/js/keystore.js",
  "/app/js/pass.js",
  "/app/js/qr.js",
  "/app/js/svg.js",
  "/app/js/webauthn.js",
  "/app/js/views/access.js",
  "/app/js/views/benefits.js",
  "/app/js/views/caseform.js",
  "/app/js/views/cases.js",
  "/app/js/views/closeaccount.js",
  "/app/js/views/commitments.js",
  "/app/js/views/consent.js",
  "/app/js/views/devices.js",
  "/app/js/views/enrol.js",
  "/app/js/views/family.js",
  "/app/js/views/home.js",
  "/app/js/views/inbox.js",
  "/app/js/views/lists.js",
  "/app/js/views/objectioncase.js",
  "/app/js/views/objectionform.js",
  "/app/js/views/offers.js",
  "/app/js/views/offline.js",
  "/app/js/views/pass.js",
  "/app/js/views/passkeys.js",
  "/app/js/views/privacy.js",
  "/app/js/views/record.js",
  "/app/js/views/records.js",
  "/app/js/views/recovery.js",
  "/app/js/views/repaircase.js",
  "/app/js/views/repairform.js",
  "/app/js/views/rights.js",
  "/app/js/views/rightscases.js",
  "/app/js/views/score.js",
  "/app/js/views/settings.js",
  "/app/js/views/welcome.js",
  "/app/vendor/qrcode-generator.mjs",
  "/app/icons/icon.svg",
  "/app/icons/icon-192.png",
  "/app/icons/icon-512.png",
  "/app/icons/icon-maskable-512.png",
  "/app/icons/apple-touch-icon.png",
  "/app/icons/favicon-32.png",
  "/i18n/zh-CN.json",
  "/i18n/en.json",
];
const NETWORK_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("xinyi-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function isShellRequest(url) {
  return (
    url.pathname === "/" ||
    url.pathname === "/manifest.webmanifest" ||
    url.pathname.startsWith("/app/") ||
    url.pathname.startsWith("/i18n/")
  );
}

/** Network first (so updates show at once), the cache when the network fails or stalls. */
async function networkFirst(request, cacheKey) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then((response) => {
    if (response.ok && response.type === "basic") cache.put(cacheKey, response.clone());
    return response;
  });
  network.catch(() => {}); // a late failure after the cache answered is not an error
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS, null));
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
    const cached = await cache.match(cacheKey);
    return cached || (await network);
  } catch (error) {
    const cached = await cache.match(cacheKey, { ignoreSearch: true });
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return; // never cached: always the live answer
  if (request.mode === "navigate") {
    // Only the PWA's own page; /office and others are server pages that need the network.
    if (url.pathname !== "/") return;
    event.respondWith(networkFirst(request, "/"));
    return;
  }
  if (isShellRequest(url)) event.respondWith(networkFirst(request, url.pathname));
});
