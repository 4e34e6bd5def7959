// Apply for free credit repair (申请信用修复) of one negative record: the conditions in plain
// words, evidence that the obligation is fulfilled, a statement, and the credit commitment
// (信用承诺书) — its exact, versioned text — signed with the passkey. The department that
// made the record decides; the case number comes back at once.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { day, dimensionName, localised, pointsText } from "../format.js";
import { busy, clearErrors, formAlert, showError, showFieldErrors, showFormAlert } from "../forms.js";
import { locale, t } from "../i18n.js";
import { areaField, commitmentText, evidenceField, evidenceProblem, signCommitment } from "./caseform.js";
import { fact } from "./cases.js";

export const id = "repair-new";

function wantedRecord() {
  const query = new URLSearchParams(location.hash.split("?")[1] || "");
  const value = query.get("record") || "";
  return /^\d{1,18}$/.test(value) ? value : null;
}

function recordCard(record) {
  return h(
    "section",
    { class: "card", "aria-labelledby": "repair-record-h" },
    h("h2", { id: "repair-record-h", text: t("pwa.repair.record") }),
    h(
      "dl",
      { class: "facts", id: "repair-record" },
      fact(t("pwa.record.what"), localised(record.name, record.type)),
      fact(t("pwa.record.department"), localised(record.department_name, record.department)),
      fact(t("pwa.record.decision_date"), day(record.decision_date)),
      fact(t("pwa.record.effect"), t("pwa.record.effect_text", { points: pointsText(record.points), dimension: dimensionName(record.dimension) })),
    ),
    h("p", { class: "small" }, h("a", { href: `#/records/${record.id}`, text: t("pwa.repair.see_record") })),
  );
}

function conditions(record) {
  return h(
    "section",
    { class: "card", "aria-labelledby": "repair-conditions-h" },
    h("h2", { id: "repair-conditions-h", text: t("pwa.repair.conditions") }),
    h(
      "ol",
      { class: "conditions", id: "repair-conditions" },
      h("li", {}, h("strong", { text: t("pwa.repair.condition.period") }), " ", t("pwa.repair.condition.period_body", { date: day(record.repairable_from) })),
      h("li", {}, h("strong", { text: t("pwa.repair.condition.fulfilled") }), " ", t("pwa.repair.condition.fulfilled_body")),
      h("li", {}, h("strong", { text: t("pwa.repair.condition.commitment") }), " ", t("pwa.repair.condition.commitment_body")),
    ),
    h("p", { class: "small", text: t("pwa.repair.who_decides", { department: localised(record.department_name, record.department) }) }),
  );
}

/** Not eligible (any more): say why, and from when if it is only too early. */
function notEligible(record, option) {
  const reason = option?.reason || "not_repairable";
  const text =
    reason === "too_early"
      ? t("pwa.record.repair_from", { date: day(option.eligible_from) })
      : t(`pwa.repair.why_not.${reason}`, { case_no: option?.open_case || "" });
  return h(
    "div",
    { class: "notice info", id: "repair-not-eligible", "data-reason": reason },
    h("p", { text }),
    reason === "too_early" ? h("p", { text: t("pwa.repair.why_not.too_early") }) : null,
  );
}

export async function render(app, root) {
  const wanted = wantedRecord();
  const heading = t("pwa.repair.heading");
  add(root, h("p", { class: "back" }, h("a", { href: wanted ? `#/records/${wanted}` : "#/records", text: t("pwa.record.back") })));
  add(root, h("h1", { tabindex: "-1", text: heading }));
  if (!wanted) {
    add(root, h("p", { class: "notice info", text: t("pwa.repair.pick_record") }));
    return { title: heading };
  }
  const [record, options, templates] = await Promise.all([
    api(`/api/v1/me/records/${wanted}`),
    api("/api/v1/me/repair-options"),
    api(`/api/v1/commitment-templates?locale=${encodeURIComponent(locale())}`),
  ]);
  const option = options.items.find((o) => String(o.record_id) === wanted);
  add(root, h("p", { class: "notice warning", id: "repair-free", text: t("pwa.repair.free") }), recordCard(record));
  if (!option?.eligible) {
    add(root, notEligible(record, option));
    return { title: heading };
  }
  let commitment = templates.items.find((c) => c.code === "repair");
  if (!commitment) throw new Error("no published repair commitment");
  add(root, conditions(record));

  const evidence = evidenceField({ required: true });
  const statement = areaField({
    name: "statement",
    label: t("pwa.repair.statement"),
    hint: t("pwa.repair.statement_hint"),
    required: true,
    maxlength: 2000,
  });
  const shown = h("div", { class: "commitment-box" }, commitmentText(commitment, { headingLevel: "h3" }));
  const agreeId = "repair-agree";
  const agree = h(
    "div",
    { class: "field", "data-field": "agree" },
    h("p", { class: "field-error", id: `${agreeId}-error`, hidden: true }),
    h(
      "label",
      { class: "check", for: agreeId },
      h("input", { type: "checkbox", id: agreeId, name: "agree", required: true }),
      h("span", { text: t("pwa.repair.agree") }),
    ),
  );
  const submit = h("button", { type: "submit", class: "primary", id: "repair-submit", text: t("pwa.repair.sign_submit") });
  const form = h(
    "form",
    { id: "repair-form", novalidate: true },
    h("h2", { id: "repair-form-h", text: t("pwa.repair.form_heading") }),
    formAlert(),
    evidence,
    statement,
    h(
      "section",
      { class: "commitment-section", "aria-labelledby": "commitment-title" },
      h("p", { class: "small", text: t("pwa.repair.commitment_intro") }),
      shown,
    ),
    agree,
    h("p", { class: "hint", text: t("pwa.repair.sign_hint") }),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const files = form.elements.evidence.files;
    const text = form.elements.statement.value.trim();
    const messages = {};
    const fileProblem = await evidenceProblem(files, { required: true });
    if (fileProblem) messages.evidence = fileProblem;
    if (!text) messages.statement = t("pwa.repair.statement_required");
    if (!form.elements.agree.checked) messages.agree = t("pwa.repair.agree_required");
    if (Object.keys(messages).length) {
      showFormAlert(form, t("pwa.case.fix_errors"));
      showFieldErrors(form, messages)?.focus();
      return;
    }
    busy(submit, true);
    try {
      const { credential } = await signCommitment("/api/v1/me/repairs/start", { record_id: Number(wanted) }, commitment.text_sha256);
      const body = new FormData();
      body.append("record_id", wanted);
      body.append("statement", text);
      body.append("credential", JSON.stringify(credential));
      for (const file of files) body.append("evidence", file, file.name);
      const created = await api("/api/v1/me/repairs", { method: "POST", form: body });
      app.flash("success", t("pwa.repair.submitted", { case_no: created.case_no }));
      app.navigate(`repairs/${created.id}`);
    } catch (error) {
      if (error?.textChanged) {
        // Never sign a text the resident has not seen: show the new one and ask again.
        commitment = error.textChanged;
        shown.replaceChildren(commitmentText(commitment, { headingLevel: "h3" }));
        form.elements.agree.checked = false;
        showFormAlert(form, t("pwa.repair.text_changed"));
        form.querySelector(".form-alert")?.focus();
      } else {
        showError(form, error);
      }
      busy(submit, false);
    }
  });
  add(root, h("section", { class: "card", "aria-labelledby": "repair-form-h" }, form));
  return { title: heading };
}
