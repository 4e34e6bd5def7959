// One objection (异议): what it is about, the reason, the date the answer is due, every step,
// the answer — and, when it was rejected, asking the credit office for a human review
// (PIPL Art. 24); withdrawing it while it is open.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { day, localised } from "../format.js";
import { busy, clearErrors, formAlert, showError, showFieldErrors, showFormAlert } from "../forms.js";
import { t } from "../i18n.js";
import { areaField, withdrawControl } from "./caseform.js";
import { dueText, evidenceSection, fact, overdueTag, recordIndex, stateTag, subjectText, timeline, when } from "./cases.js";

export const id = "objection";

function caseId() {
  const match = /^#\/objections\/(\d+)/.exec(location.hash);
  return match ? match[1] : null;
}

function subjectLink(item, names) {
  const text = subjectText(item, names);
  if (item.subject === "record") return h("a", { href: `#/records/${item.subject_id}`, text });
  if (item.subject === "list_entry") return h("a", { href: "#/lists", text });
  return h("a", { href: "#/benefits", text });
}

function summary(item, names) {
  return h(
    "section",
    { class: "card", "aria-labelledby": "case-facts-h" },
    h("h2", { id: "case-facts-h", text: t("pwa.case.facts") }),
    h(
      "dl",
      { class: "facts", id: "case-facts" },
      fact(t("pwa.case.case_no"), h("span", { class: "mono", text: item.case_no }), { "data-fact": "case_no" }),
      fact(t("pwa.case.state"), [stateTag("objection", item.state), overdueTag(item)], { "data-fact": "state" }),
      fact(t("pwa.objection.subject"), subjectLink(item, names), { "data-fact": "subject" }),
      fact(t("pwa.case.submitted_at"), when(item.submitted_at), { "data-fact": "submitted_at" }),
      fact(t("pwa.case.answer_due"), day(item.answer_due), { "data-fact": "answer_due" }),
      item.answered_at ? fact(t("pwa.case.answered_at"), when(item.answered_at), { "data-fact": "answered_at" }) : null,
      item.filed_at_counter ? fact(t("pwa.case.filed_at"), t("pwa.case.filed_at_counter")) : null,
    ),
    item.suspended ? h("p", { class: "notice info", id: "case-suspended", text: t("pwa.objection.suspended") }) : null,
    item.overdue && !item.suspended ? h("p", { class: "notice warning", id: "case-overdue", text: t("pwa.objection.overdue") }) : null,
  );
}

function answers(item) {
  const blocks = [];
  if (item.answer) {
    const upheld = item.state === "upheld";
    blocks.push(
      h(
        "div",
        { class: `notice ${upheld ? "success" : "info"}`, id: "case-answer" },
        h("p", { text: t(upheld ? "pwa.objection.upheld" : "pwa.objection.rejected") }),
        h("p", { text: t("pwa.case.reasons", { text: item.answer }) }),
      ),
    );
  }
  if (item.review_reason) {
    blocks.push(h("p", { class: "small", id: "case-review-reason", text: t("pwa.objection.review_reason", { text: item.review_reason }) }));
  }
  if (item.review_answer) {
    const upheld = item.state === "review_upheld";
    blocks.push(
      h(
        "div",
        { class: `notice ${upheld ? "success" : "info"}`, id: "case-review-answer" },
        h("p", { text: t(upheld ? "pwa.objection.review_upheld" : "pwa.objection.review_rejected") }),
        h("p", { text: t("pwa.case.reasons", { text: item.review_answer }) }),
      ),
    );
  }
  if (item.state === "withdrawn") blocks.push(h("p", { class: "notice info", text: t("pwa.objection.withdrawn") }));
  return blocks;
}

function reviewForm(app, item) {
  const reason = areaField({
    name: "reason",
    label: t("pwa.objection.review_why"),
    hint: t("pwa.objection.review_hint"),
    required: true,
    maxlength: 1000,
    rows: 4,
  });
  const submit = h("button", { type: "submit", class: "primary", id: "review-submit", text: t("pwa.objection.review_submit") });
  const form = h("form", { id: "review-form", novalidate: true }, formAlert(), reason, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const text = form.elements.reason.value.trim();
    if (!text) {
      showFormAlert(form, t("pwa.case.fix_errors"));
      showFieldErrors(form, { reason: t("pwa.objection.reason_required") })?.focus();
      return;
    }
    busy(submit, true);
    try {
      await api(`/api/v1/me/objections/${item.id}/review`, { method: "POST", body: { reason: text } });
      app.flash("success", t("pwa.objection.review_requested", { case_no: item.case_no }));
      app.navigate(`objections/${item.id}`);
    } catch (error) {
      showError(form, error);
      busy(submit, false);
    }
  });
  return h(
    "section",
    { class: "card attention", id: "case-review", "aria-labelledby": "review-h" },
    h("h2", { id: "review-h", text: t("pwa.objection.review_heading") }),
    h("p", { text: t("pwa.objection.review_body") }),
    form,
  );
}

export async function render(app, root) {
  const wanted = caseId();
  if (!wanted) {
    app.navigate("cases");
    return { title: t("pwa.cases.heading") };
  }
  const [item, records] = await Promise.all([api(`/api/v1/me/objections/${wanted}`), recordIndex()]);
  const names = new Map([...records].map(([rid, r]) => [rid, localised(r.name, r.type)]));
  const record = item.record_id ? records.get(item.record_id) : null;
  // Who answers: the record's department; the credit office for a manual list entry.
  const department = record ? localised(record.department_name, record.department) : t("pwa.case.credit_office");
  const heading = t("pwa.objection.case_heading", { case_no: item.case_no });
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/cases", text: t("pwa.cases.heading") })),
    h("h1", { tabindex: "-1", text: heading }),
    item.open ? h("p", { class: "lead", id: "case-next", text: dueText(item) }) : null,
    answers(item),
    item.can_request_review ? reviewForm(app, item) : null,
    summary(item, names),
    timeline(item, department),
    h(
      "section",
      { class: "card", "aria-labelledby": "reason-h" },
      h("h2", { id: "reason-h", text: t("pwa.objection.reason") }),
      h("p", { class: "statement", id: "case-reason", text: item.reason }),
    ),
    evidenceSection(item),
    item.open
      ? h(
          "section",
          { class: "card subtle", "aria-labelledby": "withdraw-h" },
          h("h2", { id: "withdraw-h", text: t("pwa.case.withdraw_heading") }),
          h("p", { class: "small", text: t("pwa.objection.withdraw_body") }),
          withdrawControl({
            path: `/api/v1/me/objections/${item.id}/withdraw`,
            caseNo: item.case_no,
            done: () => {
              app.flash("success", t("pwa.case.withdrawn", { case_no: item.case_no }));
              app.navigate(`objections/${item.id}`);
            },
          }),
        )
      : null,
  );
  return { title: heading };
}
