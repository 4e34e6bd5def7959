// The one vocabulary of tiers and lists: their names come from the scoring model
// (getScoringRules), not from copies in the catalogs. Kept in localStorage so a phone that
// has been online once names them offline too; refreshed in the background on every start.

import { locale } from "./i18n.js";

const KEY = "xinyi.vocabulary";
let vocabulary = read();

function read() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

async function refresh() {
  try {
    const response = await fetch("/api/v1/scoring-rules", { credentials: "same-origin" });
    if (!response.ok) return;
    const { model } = await response.json();
    vocabulary = { tiers: [...model.tiers, model.no_tier], lists: model.lists, version: model.version };
    localStorage.setItem(KEY, JSON.stringify(vocabulary));
  } catch {
    // offline: keep what we have
  }
}

if (vocabulary) refresh();
else await refresh();

function named(items, code) {
  const found = (items || []).find((item) => item.code === code);
  return found ? found.name[locale()] || found.name["zh-CN"] : null;
}

/** A tier's name (excellent → 极好 / Excellent); "none" names having no score yet. */
export function tierName(code) {
  return named(vocabulary?.tiers, code || "none") || code || "";
}

/** A list's name (red → 红名单 / Red list). */
export function listName(kind) {
  return named(vocabulary?.lists, kind) || kind;
}

/** What being on a list means for a person. */
export function listMeaning(kind) {
  const found = (vocabulary?.lists || []).find((item) => item.code === kind);
  return found ? found.meaning[locale()] || found.meaning["zh-CN"] : "";
}

/** The lists' codes, in the model's order (red, gray, black). */
export function listCodes() {
  return (vocabulary?.lists || []).map((item) => item.code);
}
