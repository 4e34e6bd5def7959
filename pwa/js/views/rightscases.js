// My misuse reports ("this wasn't me") and human review requests, with the office's answers;
// and the two forms that open them: #/misuse/{entry} and #/review/score | #/review/list/{id}.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { busy, formAlert, showError } from "../forms.js";
import { formatDate, t } from "../i18n.js";

export const id = "rights-cases";

function caseItem(c) {
  return h(
    "li",
    { class: "card rights-case", "data-case": c.case_no, "data-status": c.status },
    h("h2", { text: `${c.case_no} · ${t(`rights.kind.${c.kind}`)}` }),
    h("p", { text: t(`pwa.rightscases.status.${c.status}`, { date: formatDate(c.answered_at || c.created_at) }) }),
    h("p", { class: "statement", text: c.statement }),
    c.answer
      ? h("div", { class: "answer" }, h("h3", { text: t("pwa.rightscases.answer", { by: c.answered_by || "" }) }), h("p", { class: "answer-text", text: c.answer }))
      : h("p", { class: "hint", text: t("pwa.rightscases.waiting") }),
  );
}

export async function render(app, root) {
  const items = (await api("/api/v1/me/rights-cases")).items;
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/rights", text: t("pwa.rights.heading") })),
    h("h1", { tabindex: "-1", text: t("pwa.rightscases.heading") }),
    h("p", { class: "lead", text: t("pwa.rightscases.intro") }),
    items.length ? h("ul", { class: "plain", id: "rights-cases" }, items.map(caseItem)) : h("p", { class: "hint", text: t("pwa.rightscases.none") }),
  );
  return { title: t("pwa.rightscases.heading") };
}

function statementForm(app, { heading, intro, submit, send }) {
  const form = h(
    "form",
    { class: "card", id: "rights-form", novalidate: true },
    formAlert(),
    h("label", { for: "rights-statement", text: t("pwa.rightscases.statement") }),
    h("textarea", { id: "rights-statement", name: "statement", rows: 4, maxlength: 1000, required: true }),
    h("button", { type: "submit", class: "primary", text: submit }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    busy(button, true);
    try {
      const made = await send(String(new FormData(form).get("statement") || ""));
      app.flash("success", t("pwa.rightscases.filed", { case_no: made.case_no }));
      app.navigate("rights-cases");
    } catch (error) {
      showError(form, error);
      busy(button, false);
    }
  });
  return [h("h1", { tabindex: "-1", text: heading }), h("p", { class: "lead", text: intro }), form];
}

/** #/misuse/{entry_id}: "this wasn't me" about one entry of who viewed my data. */
export const misuse = {
  id: "misuse",
  async render(app, root) {
    const entry = location.hash.split("/")[2];
    add(
      root,
      h("p", { class: "back" }, h("a", { href: "#/access", text: t("pwa.access.heading") })),
      ...statementForm(app, {
        heading: t("pwa.rightscases.misuse_heading"),
        intro: t("pwa.rightscases.misuse_intro"),
        submit: t("pwa.rightscases.misuse_submit"),
        send: (statement) => api(`/api/v1/me/access-log/${entry}/misuse`, { method: "POST", body: { statement } }),
      }),
    );
    return { title: t("pwa.rightscases.misuse_heading") };
  },
};

/** #/review/score or #/review/list/{entry_id}: ask a person to review an automated decision. */
export const review = {
  id: "review",
  async render(app, root) {
    const [, , kind, entry] = location.hash.split("/");
    const body = kind === "list" ? { subject: "list_entry", subject_id: Number(entry) } : { subject: "score" };
    add(
      root,
      h("p", { class: "back" }, h("a", { href: kind === "list" ? "#/lists" : "#/score", text: t("pwa.nav.back") })),
      ...statementForm(app, {
        heading: t("pwa.rightscases.review_heading"),
        intro: t(kind === "list" ? "pwa.rightscases.review_list_intro" : "pwa.rightscases.review_score_intro"),
        submit: t("pwa.rightscases.review_submit"),
        send: (statement) => api("/api/v1/me/reviews", { method: "POST", body: { ...body, statement } }),
      }),
    );
    return { title: t("pwa.rightscases.review_heading") };
  },
};
