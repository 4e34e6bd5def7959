// One repair request (修复申请): its case number, state and dates, every step so far, what
// the department asked for if it returned the request (and adding it), the decision with
// its reasons, the evidence, the signed commitment — and withdrawing it while it is open.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { day, localised } from "../format.js";
import { busy, clearErrors, formAlert, showError, showFieldErrors, showFormAlert } from "../forms.js";
import { t } from "../i18n.js";
import { areaField, commitmentText, evidenceField, evidenceProblem, withdrawControl } from "./caseform.js";
import { dueText, evidenceSection, fact, overdueTag, stateTag, timeline, when } from "./cases.js";

export const id = "repair";

function caseId() {
  const match = /^#\/repairs\/(\d+)/.exec(location.hash);
  return match ? match[1] : null;
}

function summary(item) {
  const record = item.record;
  return h(
    "section",
    { class: "card", "aria-labelledby": "case-facts-h" },
    h("h2", { id: "case-facts-h", text: t("pwa.case.facts") }),
    h(
      "dl",
      { class: "facts", id: "case-facts" },
      fact(t("pwa.case.case_no"), h("span", { class: "mono", text: item.case_no }), { "data-fact": "case_no" }),
      fact(t("pwa.case.state"), [stateTag("repair", item.state), overdueTag(item)], { "data-fact": "state" }),
      record
        ? fact(t("pwa.repair.record"), h("a", { href: `#/records/${record.id}`, text: localised(record.name, record.type) }), { "data-fact": "record" })
        : null,
      record ? fact(t("pwa.case.department"), localised(record.department_name, record.department), { "data-fact": "department" }) : null,
      fact(t("pwa.case.submitted_at"), when(item.submitted_at), { "data-fact": "submitted_at" }),
      fact(t("pwa.case.feedback_due"), day(item.feedback_due), { "data-fact": "feedback_due" }),
      item.decision_due ? fact(t("pwa.case.decision_due"), day(item.decision_due), { "data-fact": "decision_due" }) : null,
      item.decided_at ? fact(t("pwa.case.decided_at"), when(item.decided_at), { "data-fact": "decided_at" }) : null,
      item.filed_at_counter ? fact(t("pwa.case.filed_at"), t("pwa.case.filed_at_counter")) : null,
    ),
    item.overdue ? h("p", { class: "notice warning", id: "case-overdue", text: t("pwa.repair.overdue") }) : null,
  );
}

function outcome(item) {
  if (item.state === "approved") {
    return h(
      "div",
      { class: "notice success", id: "case-outcome", "data-outcome": "approved" },
      h("p", { text: t("pwa.repair.approved") }),
      item.decision_reason ? h("p", { text: t("pwa.case.reasons", { text: item.decision_reason }) }) : null,
      item.legal_basis ? h("p", { text: t("pwa.case.legal_basis", { text: item.legal_basis }) }) : null,
    );
  }
  if (item.state === "rejected") {
    return h(
      "div",
      { class: "notice error", id: "case-outcome", "data-outcome": "rejected" },
      h("p", { text: t("pwa.repair.rejected") }),
      h("p", { text: t("pwa.case.reasons", { text: item.decision_reason || t("pwa.record.not_given") }) }),
      item.legal_basis ? h("p", { text: t("pwa.case.legal_basis", { text: item.legal_basis }) }) : null,
      h("p", { class: "small", text: t("pwa.repair.rejected_next") }),
    );
  }
  if (item.state === "withdrawn") return h("p", { class: "notice info", id: "case-outcome", text: t("pwa.repair.withdrawn") });
  return null;
}

/** Add material: required when the department returned the request, optional before. */
function moreMaterial(app, item) {
  const returned = item.state === "returned";
  const evidence = evidenceField({ required: true });
  const statement = areaField({
    name: "statement",
    label: t("pwa.repair.statement_update"),
    hint: t("pwa.repair.statement_update_hint"),
    maxlength: 2000,
    rows: 3,
  });
  const submit = h("button", { type: "submit", class: "primary", id: "more-submit", text: t(returned ? "pwa.repair.resubmit" : "pwa.repair.add_material") });
  const form = h("form", { id: "more-form", novalidate: true }, formAlert(), evidence, statement, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const files = form.elements.evidence.files;
    const problem = await evidenceProblem(files, { required: true });
    if (problem) {
      showFormAlert(form, t("pwa.case.fix_errors"));
      showFieldErrors(form, { evidence: problem })?.focus();
      return;
    }
    busy(submit, true);
    const body = new FormData();
    const text = form.elements.statement.value.trim();
    if (text) body.append("statement", text);
    for (const file of files) body.append("evidence", file, file.name);
    try {
      await api(`/api/v1/me/repairs/${item.id}/evidence`, { method: "POST", form: body });
      app.flash("success", t(returned ? "pwa.repair.resubmitted" : "pwa.repair.material_added", { case_no: item.case_no }));
      app.navigate(`repairs/${item.id}`);
    } catch (error) {
      showError(form, error);
      busy(submit, false);
    }
  });
  if (returned) {
    return h(
      "section",
      { class: "card attention", id: "case-returned", "aria-labelledby": "returned-h" },
      h("h2", { id: "returned-h", text: t("pwa.repair.returned_heading") }),
      h("p", { text: t("pwa.repair.returned_body") }),
      h("blockquote", { class: "missing", id: "case-missing", text: item.missing || t("pwa.record.not_given") }),
      form,
    );
  }
  return h(
    "details",
    { class: "card more-material", id: "case-more" },
    h("summary", { text: t("pwa.repair.add_material_heading") }),
    h("p", { class: "small", text: t("pwa.repair.add_material_body") }),
    form,
  );
}

function statementSection(item) {
  return h(
    "section",
    { class: "card", "aria-labelledby": "statement-h" },
    h("h2", { id: "statement-h", text: t("pwa.repair.statement") }),
    h("p", { class: "statement", id: "case-statement", text: item.statement }),
  );
}

function commitmentSection(item) {
  const signed = item.commitment;
  if (!signed) return null;
  return h(
    "section",
    { class: "card", "aria-labelledby": "case-commitment-title" },
    h("p", { class: "small", id: "case-commitment-signed" }, t("pwa.commitment.signed_at"), " ", when(signed.signed_at)),
    commitmentText(signed, { headingLevel: "h2", idPrefix: "case-commitment" }),
  );
}

export async function render(app, root) {
  const wanted = caseId();
  if (!wanted) {
    app.navigate("cases");
    return { title: t("pwa.cases.heading") };
  }
  const item = await api(`/api/v1/me/repairs/${wanted}`);
  const heading = t("pwa.repair.case_heading", { case_no: item.case_no });
  const open = item.open;
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/cases", text: t("pwa.cases.heading") })),
    h("h1", { tabindex: "-1", text: heading }),
    open ? h("p", { class: "lead", id: "case-next", text: dueText(item) }) : null,
    outcome(item),
    item.state === "returned" ? moreMaterial(app, item) : null,
    summary(item),
    timeline(item, item.record ? localised(item.record.department_name, item.record.department) : ""),
    statementSection(item),
    evidenceSection(item),
    item.state === "submitted" ? moreMaterial(app, item) : null,
    commitmentSection(item),
    open
      ? h(
          "section",
          { class: "card subtle", "aria-labelledby": "withdraw-h" },
          h("h2", { id: "withdraw-h", text: t("pwa.case.withdraw_heading") }),
          h("p", { class: "small", text: t("pwa.repair.withdraw_body") }),
          withdrawControl({
            path: `/api/v1/me/repairs/${item.id}/withdraw`,
            caseNo: item.case_no,
            done: () => {
              app.flash("success", t("pwa.case.withdrawn", { case_no: item.case_no }));
              app.navigate(`repairs/${item.id}`);
            },
          }),
        )
      : null,
    h("p", { class: "notice warning", text: t("pwa.record.free") }),
  );
  return { title: heading };
}
