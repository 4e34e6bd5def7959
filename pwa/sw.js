// Xinyi service worker: the app shell works offline; API responses are never cached.
//
// Shell files live under versioned URLs (/app/v/<BUILD>/…, set by the server when it serves
// this file): they never change, so they are answered from the cache first. Each file crosses
// the network once, page and worker together:
// - the page registers this worker after it has loaded, so installing reads the files the page
//   already fetched from the browser's HTTP cache (they are kept a year);
// - the page itself ("/", revalidated) is taken from the HTTP cache as the page got it
//   (`force-cache`), and fetched only if that copy is missing or names another build;
// - the catalog: only the one of the page's language, which the page names in a "keep"
//   message once this worker is active (the other language is fetched when chosen);
// - precached beyond that is only what the app needs offline (the pass, the offline page),
//   downloaded in the background after the first view is usable; other views are cached
//   when first used. Bump VERSION only to rename the cache.

const VERSION = "v5";
const BUILD = "dev";
const CACHE = `xinyi-shell-${VERSION}`;
const BASE = `/app/v/${BUILD}/`;
const SHELL = [
  "/manifest.webmanifest",
  ...[
    "styles.css",
    "js/app.js",
    "js/api.js",
    "js/dom.js",
    "js/i18n.js",
    "js/format.js",
    "js/forms.js",
    "js/vocabulary.js",
    "js/webauthn.js",
    "js/idnumber.js",
    "js/base45.js",
    "js/keystore.js",
    "js/pass.js",
    "js/qr.js",
    "js/svg.js",
    "js/views/home.js",
    "js/views/welcome.js",
    "js/views/pass.js",
    "js/views/offers.js",
    "js/views/offline.js",
    "vendor/qrcode-generator.mjs",
    "icons/icon.svg",
    "icons/icon-192.png",
    "icons/favicon-32.png",
  ].map((path) => BASE + path),
];
const NETWORK_TIMEOUT_MS = 4000;

/** The page as the browser last got it, if it is this build's; else a fresh copy. */
async function keepPage(cache) {
  for (const mode of ["force-cache", "no-cache"]) {
    const response = await fetch(new Request("/", { cache: mode }));
    if (!response.ok) continue;
    if ((await response.clone().text()).includes(`data-build="${BUILD}"`)) {
      await cache.put("/", response);
      return;
    }
  }
}

self.addEventListener("install", (event) => {
  // Not bypassing the HTTP cache: a versioned file found there is the same file.
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => Promise.all([cache.addAll(SHELL), keepPage(cache)]))
      .then(() => self.skipWaiting()),
  );
});

// {type: "keep", urls}: files of this build the page loaded before this worker controlled it
// (its catalog, a view): cached from the HTTP cache, so offline has what the page had.
self.addEventListener("message", (event) => {
  const { data } = event;
  if (data?.type !== "keep" || !Array.isArray(data.urls)) return;
  const urls = data.urls
    .map((url) => new URL(url, self.location.origin))
    .filter((url) => url.origin === self.location.origin && url.pathname.startsWith(BASE));
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all(
        urls.map(async (url) => {
          if (!(await cache.match(url.pathname))) await cache.add(url.pathname);
        }),
      ),
    ),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((k) => k.startsWith("xinyi-shell-") && k !== CACHE).map((k) => caches.delete(k)));
      // Files of older builds are never asked for again.
      const cache = await caches.open(CACHE);
      for (const request of await cache.keys()) {
        const path = new URL(request.url).pathname;
        if (path.startsWith("/app/v/") && !path.startsWith(BASE)) await cache.delete(request);
      }
      await self.clients.claim();
    })(),
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

/** A versioned file: the cache, else the network (and keep it). */
async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") cache.put(request, response.clone());
  return response;
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
  if (url.pathname.startsWith("/app/v/")) event.respondWith(cacheFirst(request));
  else if (isShellRequest(url)) event.respondWith(networkFirst(request, url.pathname));
});
