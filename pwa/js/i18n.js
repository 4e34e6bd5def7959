// Message catalogs shared with the server (/i18n/<locale>.json). zh-CN is primary; a key
// missing from the current catalog falls back to zh-CN if it was loaded, then to the key.

export const LOCALES = ["zh-CN", "en"];
export const DEFAULT_LOCALE = "zh-CN";
const STORAGE_KEY = "xinyi.locale";
const catalogs = new Map();
let current = DEFAULT_LOCALE;

export function locale() {
  return current;
}

export function storedLocale() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return LOCALES.includes(saved) ? saved : null;
  } catch {
    return null;
  }
}

export function browserLocale() {
  for (const lang of navigator.languages || [navigator.language || ""]) {
    const l = String(lang).toLowerCase();
    if (l.startsWith("zh")) return "zh-CN";
    if (l.startsWith("en")) return "en";
  }
  return DEFAULT_LOCALE;
}

export function initialLocale() {
  return storedLocale() || browserLocale();
}

// Next to the modules' own build: /app/v/<build>/js/i18n.js reads /app/v/<build>/i18n/…, kept
// for a year; a page that loads /app/js/i18n.js (the counter) reads /i18n/…, revalidated.
const CATALOGS = new URL(import.meta.url.includes("/app/v/") ? "../i18n/" : "/i18n/", import.meta.url);

async function load(loc) {
  if (catalogs.has(loc)) return catalogs.get(loc);
  const response = await fetch(new URL(`${loc}.json`, CATALOGS), { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`catalog ${loc}: ${response.status}`);
  const messages = await response.json();
  catalogs.set(loc, messages);
  return messages;
}

/** Load the catalog of this language only (both are complete: a test checks it), remember the
 * choice, set <html lang>. */
export async function useLocale(loc, { remember = false } = {}) {
  const chosen = LOCALES.includes(loc) ? loc : DEFAULT_LOCALE;
  await load(chosen);
  current = chosen;
  document.documentElement.lang = chosen;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, chosen);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    // Server-rendered pages (errors, the office console) read this cookie.
    document.cookie = `xinyi_locale=${chosen}; path=/; max-age=31536000; samesite=lax`;
  }
  return chosen;
}

export function has(key) {
  return Boolean(catalogs.get(current)?.[key] ?? catalogs.get(DEFAULT_LOCALE)?.[key]);
}

export function t(key, values = {}) {
  const message = catalogs.get(current)?.[key] ?? catalogs.get(DEFAULT_LOCALE)?.[key] ?? key;
  return message.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
  );
}

/** `t(key)` if the catalog has it, else `fallback` (e.g. a raw action code). */
export function tOr(key, fallback, values = {}) {
  return has(key) ? t(key, values) : fallback;
}

export function formatDateTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** A moment in the city's time zone (the server names it, e.g. Asia/Shanghai), labelled:
 * "2026年12月2日 08:17 北京时间". Residents may be travelling; the city's clock is the one
 * its offices and deadlines keep. */
export function formatCityTime(iso, zone = "Asia/Shanghai") {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let text;
  try {
    text = new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(date);
  } catch {
    return formatDateTime(iso); // an unknown zone name: the device's own time
  }
  const label = has(`time.zone.${zone}`) ? t(`time.zone.${zone}`) : t("time.zone.other", { zone });
  return `${text} ${label}`;
}

export function formatDate(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(current, { dateStyle: "medium" }).format(date);
}
