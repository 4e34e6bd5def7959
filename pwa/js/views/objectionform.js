// Object (提出异议) to a record, a list entry or a partner-reported default: what it is about,
// the reason, optional evidence. It shows as "under objection" at once; the source answers
// by a date the case shows, and if it does not, the effect is suspended until it does.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { day, listName, localised, pointsText } from "../format.js";
import { busy, clearErrors, formAlert, showError, showFieldErrors, showFormAlert } from "../forms.js";
import { formatDateTime, t } from "../i18n.js";
import { areaField, evidenceField, evidenceProblem } from "./caseform.js";
import { fact } from "./cases.js";

export const id = "objection-new";
const SUBJECTS = ["record", "list_entry", "default"];

function wanted() {
  const query = new URLSearchParams(location.hash.split("?")[1] || "");
  const subject = query.get("subject");
  const subjectId = query.get("id") || "";
  if (!SUBJECTS.includes(subject) || !/^\d{1,18}$/.test(subjectId)) return null;
  return { subject, subjectId };
}

/** What the objection is about, as facts; null when it is not (or no longer) mine. */
async function about(subject, subjectId) {
  if (subject === "record") {
    const record = await api(`/api/v1/me/records/${subjectId}`);
    return {
      back: `#/records/${subjectId}`,
      facts: [
        fact(t("pwa.record.what"), localised(record.name, record.type)),
        fact(t("pwa.record.department"), localised(record.department_name, record.department)),
        fact(t("pwa.record.decision_date"), day(record.decision_date)),
        fact(t("pwa.record.effect"), pointsText(record.points)),
      ],
    };
  }
  if (subject === "list_entry") {
    const { items } = await api("/api/v1/me/lists");
    const entry = items.find((i) => String(i.id) === subjectId);
    if (!entry) return null;
    return {
      back: "#/lists",
      facts: [
        fact(t("pwa.objection.list"), listName(entry.list)),
        fact(t("pwa.record.legal_basis"), localised(entry.legal_basis) || t("pwa.record.not_given")),
        fact(t("pwa.lists.start"), day(entry.start)),
      ],
    };
  }
  const { items } = await api("/api/v1/me/benefits");
  const use = items.find((i) => String(i.id) === subjectId);
  if (!use) return null;
  return {
    back: "#/benefits",
    facts: [
      fact(t("pwa.objection.default_of"), localised(use.offer)),
      fact(t("pwa.objection.partner"), use.partner),
      fact(t("pwa.objection.used_at"), formatDateTime(use.at)),
    ],
  };
}

export async function render(app, root) {
  const target = wanted();
  const heading = t("pwa.objection.heading");
  const subject = target ? await about(target.subject, target.subjectId) : null;
  add(
    root,
    h("p", { class: "back" }, h("a", { href: subject?.back || "#/records", text: t("pwa.objection.back") })),
    h("h1", { tabindex: "-1", text: heading }),
  );
  if (!subject) {
    add(root, h("p", { class: "notice info", id: "objection-nothing", text: t("pwa.objection.nothing") }));
    return { title: heading };
  }
  const reason = areaField({
    name: "reason",
    label: t("pwa.objection.reason"),
    hint: t("pwa.objection.reason_hint"),
    required: true,
    maxlength: 2000,
  });
  const evidence = evidenceField({ required: false });
  const submit = h("button", { type: "submit", class: "primary", id: "objection-submit", text: t("pwa.objection.submit") });
  const form = h("form", { id: "objection-form", novalidate: true }, formAlert(), reason, evidence, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const text = form.elements.reason.value.trim();
    const files = form.elements.evidence.files;
    const messages = {};
    if (!text) messages.reason = t("pwa.objection.reason_required");
    const fileProblem = await evidenceProblem(files, { required: false });
    if (fileProblem) messages.evidence = fileProblem;
    if (Object.keys(messages).length) {
      showFormAlert(form, t("pwa.case.fix_errors"));
      showFieldErrors(form, messages)?.focus();
      return;
    }
    busy(submit, true);
    const body = new FormData();
    body.append("subject", target.subject);
    body.append("subject_id", target.subjectId);
    body.append("reason", text);
    for (const file of files) body.append("evidence", file, file.name);
    try {
      const created = await api("/api/v1/me/objections", { method: "POST", form: body });
      app.flash("success", t("pwa.objection.submitted", { case_no: created.case_no }));
      app.navigate(`objections/${created.id}`);
    } catch (error) {
      showError(form, error);
      busy(submit, false);
    }
  });
  add(
    root,
    h("p", { class: "lead", text: t("pwa.objection.intro") }),
    h(
      "section",
      { class: "card", "aria-labelledby": "objection-about-h" },
      h("h2", { id: "objection-about-h", text: t(`pwa.objection.about.${target.subject}`) }),
      h("dl", { class: "facts", id: "objection-about" }, subject.facts),
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "objection-how-h" },
      h("h2", { id: "objection-how-h", text: t("pwa.objection.how") }),
      h(
        "ol",
        { class: "conditions" },
        h("li", { text: t("pwa.objection.how.marked") }),
        h("li", { text: t("pwa.objection.how.answer") }),
        h("li", { text: t("pwa.objection.how.late") }),
        h("li", { text: t("pwa.objection.how.review") }),
      ),
    ),
    h("p", { class: "notice warning", text: t("pwa.record.free") }),
    h(
      "section",
      { class: "card", "aria-labelledby": "objection-form-h" },
      h("h2", { id: "objection-form-h", text: t("pwa.objection.form_heading") }),
      form,
    ),
  );
  return { title: heading };
}
