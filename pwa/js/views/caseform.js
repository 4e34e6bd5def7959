// Form parts shared by the repair, objection and commitment pages: a labelled text area,
// the evidence picker with its checks, the commitment text as shown and signed, and the
// passkey signature over it. The checks here help; the server decides.

import { api } from "../api.js";
import { h, newId } from "../dom.js";
import { day, localised } from "../format.js";
import { locale, t } from "../i18n.js";
import { busy, errorMessage } from "../forms.js";
import { getPasskey } from "../webauthn.js";
import { fileSize } from "./cases.js";

export const MAX_FILES = 5;
export const MAX_BYTES = 10 * 1024 * 1024;
const ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png";

/** A labelled <textarea> in the same .field frame as forms.js's inputs (so its error
 * messages work the same way). */
export function areaField({ name, label, hint, value = "", rows = 5, ...attrs }) {
  const fieldId = newId(`f-${name}`);
  const hintId = hint ? `${fieldId}-hint` : null;
  const area = h("textarea", { id: fieldId, name, rows, "aria-describedby": hintId, ...attrs });
  area.value = value;
  return h(
    "div",
    { class: "field", "data-field": name },
    h("label", { for: fieldId, text: label }),
    hint ? h("p", { class: "hint", id: hintId, text: hint }) : null,
    h("p", { class: "field-error", id: `${fieldId}-error`, hidden: true }),
    area,
  );
}

/** The file picker for evidence, with the chosen files listed under it. */
export function evidenceField({ required = false, label } = {}) {
  const fieldId = newId("f-evidence");
  const hintId = `${fieldId}-hint`;
  const chosen = h("ul", { class: "files plain chosen", id: `${fieldId}-chosen`, "aria-live": "polite" });
  const input = h("input", {
    id: fieldId,
    name: "evidence",
    type: "file",
    multiple: true,
    accept: ACCEPT,
    required,
    "aria-describedby": hintId,
  });
  input.addEventListener("change", () => {
    chosen.replaceChildren(
      ...[...input.files].map((f) => h("li", {}, h("span", { text: f.name }), h("span", { class: "small", text: ` ${fileSize(f.size)}` }))),
    );
  });
  return h(
    "div",
    { class: "field file-field", "data-field": "evidence" },
    h("label", { for: fieldId, text: label || t(required ? "pwa.evidence.label" : "pwa.evidence.label_optional") }),
    h("p", { class: "hint", id: hintId, text: t(required ? "pwa.evidence.hint" : "pwa.evidence.hint_optional", { max: MAX_FILES }) }),
    h("p", { class: "field-error", id: `${fieldId}-error`, hidden: true }),
    input,
    chosen,
  );
}

/** What a file really is, by its first bytes (as the server checks it). */
async function sniff(file) {
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  const starts = (...bytes) => bytes.every((b, i) => head[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return "pdf";
  if (starts(0xff, 0xd8, 0xff)) return "jpeg";
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "png";
  return null;
}

/** The message for files that will not do (null: they may go). */
export async function evidenceProblem(files, { required }) {
  const list = [...files];
  if (!list.length) return required ? t("pwa.evidence.required") : null;
  if (list.length > MAX_FILES) return t("pwa.evidence.too_many", { max: MAX_FILES });
  for (const file of list) {
    if (!file.size) return t("pwa.evidence.empty", { name: file.name });
    if (file.size > MAX_BYTES) return t("pwa.evidence.too_large", { name: file.name });
    if (!(await sniff(file))) return t("pwa.evidence.wrong_type", { name: file.name });
  }
  return null;
}

/** The exact commitment text shown, with its title, version and fingerprint. */
export function commitmentText(commitment, { headingLevel = "h2", idPrefix = "commitment" } = {}) {
  return h(
    "div",
    { class: "commitment", "data-code": commitment.code, "data-version": commitment.version, "data-sha256": commitment.text_sha256 },
    h(headingLevel, { id: `${idPrefix}-title`, text: localised(commitment.title, commitment.code) }),
    h(
      "p",
      { class: "small commitment-version" },
      commitment.published
        ? t("pwa.commitment.version", { version: commitment.version, date: day(commitment.published) })
        : t("pwa.commitment.version_only", { version: commitment.version }),
    ),
    h("div", { class: "commitment-text", id: `${idPrefix}-text`, lang: commitment.locale || null, text: commitment.text }),
    h("p", { class: "small fingerprint" }, t("pwa.commitment.fingerprint"), " ", h("span", { class: "mono", text: commitment.text_sha256 })),
  );
}

/** Sign with the passkey: fresh options from `startPath` (their challenge binds the text),
 * refused here if the text changed since it was shown. Resolves to the assertion JSON and
 * the commitment it is over; rejects with {textChanged: commitment} when it changed. */
export async function signCommitment(startPath, body, shownSha256) {
  const started = await api(startPath, { method: "POST", body: { ...body, locale: locale() } });
  if (shownSha256 && started.commitment.text_sha256 !== shownSha256) {
    const changed = new Error("the commitment text changed");
    changed.textChanged = started.commitment;
    throw changed;
  }
  const credential = await getPasskey(started.publicKey);
  return { credential, commitment: started.commitment };
}

/** "Withdraw" with a confirmation step; `done(updated)` after the server agreed. */
export function withdrawControl({ path, caseNo, done }) {
  const status = h("p", { class: "notice error", role: "alert", tabindex: "-1", hidden: true });
  const start = h("button", { type: "button", class: "danger", id: "case-withdraw", text: t("pwa.case.withdraw") });
  const box = h("div", { class: "withdraw" }, h("div", { class: "actions" }, start), status);
  start.addEventListener("click", () => {
    const yes = h("button", { type: "button", class: "danger", id: "case-withdraw-confirm", text: t("pwa.case.withdraw_confirm") });
    const no = h("button", { type: "button", class: "secondary", text: t("pwa.common.cancel") });
    const question = t("pwa.case.withdraw_question", { case_no: caseNo });
    const confirmBox = h(
      "div",
      { class: "confirm", role: "group", "aria-label": question },
      h("p", { text: question }),
      h("div", { class: "actions" }, yes, no),
    );
    box.firstChild.replaceWith(confirmBox);
    yes.focus();
    no.addEventListener("click", () => {
      confirmBox.replaceWith(h("div", { class: "actions" }, start));
      start.focus();
    });
    yes.addEventListener("click", async () => {
      busy(yes, true);
      status.hidden = true;
      try {
        done(await api(path, { method: "POST" }));
      } catch (error) {
        confirmBox.replaceWith(h("div", { class: "actions" }, start));
        status.textContent = errorMessage(error);
        status.hidden = false;
        status.focus();
      }
    });
  });
  return box;
}
