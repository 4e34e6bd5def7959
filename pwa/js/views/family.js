// Family help (亲情账号): invite an enrolled family member, accept an invitation, end it at once
// (either side); and, as a helper, see the person I help and act for them — each action
// shown in both our "who viewed my data". The person is named in every request's path.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { localised, signed } from "../format.js";
import { busy, errorMessage, field, formAlert, showError } from "../forms.js";
import { formatDate, t } from "../i18n.js";
import { stateText } from "./cases.js";

export const id = "family";
const RELATIONS = ["child", "parent", "spouse", "sibling", "grandchild", "family"];

function endButton(app, grant) {
  const button = h("button", { type: "button", class: "danger", "data-end": String(grant.id), text: t("pwa.family.end") });
  button.addEventListener("click", async () => {
    busy(button, true);
    try {
      await api(`/api/v1/me/helpers/${grant.id}/end`, { method: "POST" });
      app.flash("success", t("pwa.family.ended", { name: grant.name }));
      app.navigate("family");
    } catch (error) {
      busy(button, false);
      app.announce(errorMessage(error) || "");
    }
  });
  return button;
}

function grantItem(app, grant) {
  const open = grant.status !== "ended";
  const item = h(
    "li",
    { class: "card grant", "data-grant": String(grant.id), "data-status": grant.status },
    h("h3", { text: `${grant.name} · ${t(`family.relation.${grant.relation}`)}` }),
    h("p", { text: t(`pwa.family.status.${grant.status}`, { date: formatDate(grant.ended_at || grant.accepted_at || grant.created_at) }) }),
  );
  if (grant.side === "helper" && grant.status === "invited") {
    const accept = h("button", { type: "button", class: "primary", "data-accept": String(grant.id), text: t("pwa.family.accept") });
    accept.addEventListener("click", async () => {
      busy(accept, true);
      try {
        await api(`/api/v1/me/helpers/${grant.id}/accept`, { method: "POST" });
        app.flash("success", t("pwa.family.accepted", { name: grant.name }));
        app.navigate("family");
      } catch (error) {
        busy(accept, false);
        app.announce(errorMessage(error) || "");
      }
    });
    add(item, accept);
  }
  if (grant.side === "helper" && grant.status === "active") {
    add(item, h("p", {}, h("a", { class: "button", href: `#/family/${grant.person_id}`, "data-help": String(grant.person_id), text: t("pwa.family.open", { name: grant.name }) })));
  }
  if (open) add(item, endButton(app, grant));
  return item;
}

function inviteForm(app) {
  const relation = h(
    "select",
    { id: "invite-relation", name: "relation" },
    RELATIONS.map((r) => h("option", { value: r, text: t(`family.relation.${r}`) })),
  );
  const form = h(
    "form",
    { class: "card", id: "invite-form", novalidate: true },
    h("h2", { text: t("pwa.family.invite_heading") }),
    h("p", { text: t("pwa.family.invite_body") }),
    formAlert(),
    field({ name: "name", label: t("family.name"), autocomplete: "off", required: true, maxlength: 64 }),
    field({ name: "id_number", label: t("family.id_number"), autocomplete: "off", required: true, maxlength: 18, inputmode: "text" }),
    h("label", { for: "invite-relation", text: t("family.relation") }),
    relation,
    h("button", { type: "submit", class: "primary", text: t("pwa.family.invite") }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    busy(button, true);
    try {
      const data = new FormData(form);
      await api("/api/v1/me/helpers", {
        method: "POST",
        body: { name: data.get("name"), id_number: String(data.get("id_number") || "").trim(), relation: data.get("relation") },
      });
      app.flash("success", t("pwa.family.invited"));
      app.navigate("family");
    } catch (error) {
      showError(form, error);
      busy(button, false);
    }
  });
  return form;
}

export async function render(app, root) {
  const mine = await api("/api/v1/me/helpers");
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/rights", text: t("pwa.rights.heading") })),
    h("h1", { tabindex: "-1", text: t("pwa.family.heading") }),
    h("p", { class: "lead", text: t("pwa.family.intro") }),
    h("h2", { text: t("pwa.family.helping") }),
    mine.helping.length
      ? h("ul", { class: "plain", id: "helping" }, mine.helping.map((g) => grantItem(app, g)))
      : h("p", { class: "hint", text: t("pwa.family.helping_none") }),
    h("h2", { text: t("pwa.family.helpers") }),
    mine.helpers.length
      ? h("ul", { class: "plain", id: "helpers" }, mine.helpers.map((g) => grantItem(app, g)))
      : h("p", { class: "hint", text: t("pwa.family.helpers_none") }),
    inviteForm(app),
    h("p", { class: "hint", text: t("pwa.family.counter_hint") }),
  );
  return { title: t("pwa.family.heading") };
}

function objectForm(app, personId, record) {
  const form = h(
    "form",
    { class: "objection-for", "data-record": String(record.id), novalidate: true },
    formAlert(),
    h("label", { for: `reason-${record.id}`, text: t("pwa.family.object_reason") }),
    h("textarea", { id: `reason-${record.id}`, name: "reason", rows: 3, maxlength: 2000, required: true }),
    h("button", { type: "submit", class: "secondary", text: t("pwa.family.object") }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    busy(button, true);
    try {
      const body = new FormData();
      body.set("subject", "record");
      body.set("subject_id", String(record.id));
      body.set("reason", String(new FormData(form).get("reason") || ""));
      const made = await api(`/api/v1/people/${personId}/objections`, { method: "POST", form: body });
      app.flash("success", t("pwa.family.objected", { case_no: made.case_no }));
      app.navigate(`family/${personId}`);
    } catch (error) {
      showError(form, error);
      busy(button, false);
    }
  });
  return form;
}

/** #/family/{person_id}: the person I help, as they would see it, and what I can do for them. */
export const person = {
  id: "family-person",
  async render(app, root) {
    const personId = location.hash.split("/")[2];
    const base = `/api/v1/people/${personId}`;
    let score;
    try {
      score = await api(`${base}/score`);
    } catch (error) {
      add(
        root,
        h("p", { class: "back" }, h("a", { href: "#/family", text: t("pwa.family.heading") })),
        h("h1", { tabindex: "-1", text: t("pwa.family.person_heading") }),
        h("p", { class: "notice error", role: "alert", id: "helper-refused", text: errorMessage(error) || "" }),
      );
      return { title: t("pwa.family.person_heading") };
    }
    const [records, cases, inbox] = await Promise.all([api(`${base}/records`), api(`${base}/cases`), api(`${base}/notifications`)]);
    add(
      root,
      h("p", { class: "back" }, h("a", { href: "#/family", text: t("pwa.family.heading") })),
      h("h1", { tabindex: "-1", text: t("pwa.family.person_heading") }),
      h("p", { class: "notice info", text: t("pwa.family.logged") }),
      h(
        "section",
        { class: "card", id: "helped-score" },
        h("h2", { text: t("pwa.family.their_score") }),
        score.has_score
          ? h("p", { class: "score-line", text: t("pwa.family.score_line", { score: score.score, tier: localised(score.tier.name, score.tier.code) }) })
          : h("p", { text: t("pwa.score.none_body") }),
      ),
      h(
        "section",
        { class: "card" },
        h("h2", { text: t("pwa.family.their_records") }),
        records.items.length
          ? h(
              "ul",
              { class: "plain", id: "helped-records" },
              records.items.map((r) =>
                h(
                  "li",
                  { class: "record-item", "data-record": String(r.id) },
                  h("h3", { text: `${localised(r.name, r.type)} ${signed(r.points)}` }),
                  h("p", { text: `${localised(r.department_name, r.department)} · ${formatDate(r.decision_date)}` }),
                  r.points < 0 && !r.disputed
                    ? h("details", { class: "object-for" }, h("summary", { text: t("pwa.family.object") }), objectForm(app, personId, r))
                    : null,
                  r.disputed ? h("p", { class: "tag", text: t("pwa.family.disputed") }) : null,
                ),
              ),
            )
          : h("p", { class: "hint", text: t("pwa.family.no_records") }),
      ),
      h(
        "section",
        { class: "card" },
        h("h2", { text: t("pwa.family.cases") }),
        h(
          "ul",
          { class: "plain", id: "helped-cases" },
          [...cases.objections.map((c) => ["objection", c]), ...cases.repairs.map((c) => ["repair", c])].map(([kind, c]) =>
            h("li", { "data-case": c.case_no, text: `${c.case_no} · ${stateText(kind, c.state)}` }),
          ),
        ),
      ),
      h("section", { class: "card" }, h("h2", { text: t("pwa.family.their_inbox") }), h("p", { text: t("pwa.family.inbox_count", { count: inbox.items.length, unread: inbox.unread }) })),
      h("p", {}, h("a", { class: "button", href: `/passes/paper/for/${personId}`, id: "helped-paper-pass", text: t("pwa.family.paper_pass") })),
    );
    return { title: t("pwa.family.person_heading") };
  },
};
