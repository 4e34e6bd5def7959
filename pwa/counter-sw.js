// The counter's service worker (scope /counter, served at /counter-sw.js): the counter page
// and everything it loads stay available without a network, so a counter tablet keeps
// verifying offline (counter/offline.js does the verifying). The resident app has its own
// worker (sw.js, scope /); this one never touches the resident app's caches. API answers
// are never cached here: the offline bundle lives in IndexedDB, where the page keeps it.
// Bump VERSION when ASSETS changes; activate deletes the old caches.

const VERSION = "c1";
const CACHE = `xinyi-counter-${VERSION}`;
const PAGE = "/counter";
const ASSETS = [
  "/app/styles.css",
  "/app/partner.css",
  "/app/counter.webmanifest",
  "/app/js/counter.js",
  "/app/js/api.js",
  "/app/js/base45.js",
  "/app/js/dom.js",
  "/app/js/i18n.js",
  "/app/js/counter/camera.js",
  "/app/js/counter/offline.js",
  "/app/js/counter/store.js",
  "/app/js/counter/verify.js",
  "/app/vendor/zxing-wasm/es/reader/index.js",
  "/app/vendor/zxing-wasm/es/share.js",
  "/app/vendor/zxing-wasm/reader/zxing_reader.wasm",
  "/app/icons/icon.svg",
  "/app/icons/icon-192.png",
  "/app/icons/icon-512.png",
  "/app/icons/icon-maskable-512.png",
  "/i18n/zh-CN.json",
  "/i18n/en.json",
];
const NETWORK_TIMEOUT_MS = 4000;

async function cachePage(cache) {
  // The page needs the clerk's session: cache it only when it really is the counter.
  try {
    const response = await fetch(PAGE, { credentials: "same-origin", cache: "reload" });
    if (response.ok && !response.redirected) await cache.put(PAGE, response);
  } catch {
    /* offline at install: the next visit caches it */
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) =>
        cache.addAll(ASSETS.map((url) => new Request(url, { cache: "reload" }))).then(() => cachePage(cache)),
      )
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("xinyi-counter-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

/** Network first (a fresh page and files when online), the cache when it fails or stalls. */
async function networkFirst(request, key, { page = false } = {}) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then((response) => {
    const keep = response.ok && response.type === "basic" && !(page && response.redirected);
    if (keep) cache.put(key, response.clone());
    return response;
  });
  network.catch(() => {});
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS, null));
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
    return (await cache.match(key)) || (await network);
  } catch (error) {
    const cached = await cache.match(key, { ignoreSearch: true });
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    if (url.pathname === PAGE) event.respondWith(networkFirst(request, PAGE, { page: true }));
    return;
  }
  if (ASSETS.includes(url.pathname)) event.respondWith(networkFirst(request, url.pathname));
});
