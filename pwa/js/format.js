// Small formatting helpers shared by the credit views: localised names, points, money.

import { formatDate, locale, t, tOr } from "./i18n.js";

/** A {"zh-CN": …, "en": …} name from the server in the current language. */
export function localised(names, fallback = "") {
  if (!names || typeof names !== "object") return names ? String(names) : fallback;
  return names[locale()] || names["zh-CN"] || names.en || fallback;
}

/** Signed points with a real minus sign: +35, −8, 0. */
export function signed(points) {
  const n = Number(points) || 0;
  if (n > 0) return `+${n}`;
  if (n < 0) return `−${Math.abs(n)}`;
  return "0";
}

export function pointsText(points) {
  return t("pwa.points", { points: signed(points) });
}

export function pointsClass(points) {
  if (points > 0) return "points up";
  if (points < 0) return "points down";
  return "points";
}

/** Cents → yuan, without trailing zeros (100.00 → "100", 12.5 → "12.5"). */
export function yuan(cents) {
  const value = (Number(cents) || 0) / 100;
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(value);
}

export function dimensionName(code) {
  return tOr(`pwa.dimension.${code}`, code);
}

export { listCodes, listMeaning, listName, tierName } from "./vocabulary.js";

/** An ISO date (YYYY-MM-DD) shown in the current language, read as a calendar date. */
export function day(iso) {
  if (!iso) return "";
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? formatDate(`${iso}T00:00:00`) : formatDate(iso);
}

export function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
