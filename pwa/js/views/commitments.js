// Credit commitments (信用承诺): the city's published texts, each versioned, signed with the
// passkey over the exact text shown (e.g. the 告知承诺 used for 容缺受理); and every
// commitment I signed, with the exact text I signed.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { localised } from "../format.js";
import { busy, errorMessage } from "../forms.js";
import { locale, t, tOr } from "../i18n.js";
import { commitmentText, signCommitment } from "./caseform.js";
import { when } from "./cases.js";

export const id = "commitments";

function template(app, item, signed) {
  const headingId = `tpl-${item.code}`;
  const status = h("p", { class: "notice error", role: "alert", tabindex: "-1", hidden: true });
  const mine = signed.filter((s) => s.code === item.code && s.version === item.version);
  const button = h("button", {
    type: "button",
    class: mine.length ? "secondary" : "primary",
    "data-sign": item.code,
    text: t(mine.length ? "pwa.commitments.sign_again" : "pwa.commitments.sign"),
    "aria-describedby": `${headingId}-hint`,
  });
  let shown = item;
  const box = h("div", {}, commitmentText(shown, { headingLevel: "h3", idPrefix: headingId }));
  button.addEventListener("click", async () => {
    status.hidden = true;
    busy(button, true);
    try {
      await signCommitment("/api/v1/me/commitments/start", { code: item.code }, shown.text_sha256).then(({ credential }) =>
        api("/api/v1/me/commitments", { method: "POST", body: { credential } }),
      );
      app.flash("success", t("pwa.commitments.signed", { title: localised(item.title, item.code), version: item.version }));
      app.navigate("commitments");
    } catch (error) {
      if (error?.textChanged) {
        shown = error.textChanged;
        box.replaceChildren(commitmentText(shown, { headingLevel: "h3", idPrefix: headingId }));
        status.textContent = t("pwa.repair.text_changed");
      } else {
        status.textContent = errorMessage(error) || "";
      }
      status.hidden = !status.textContent;
      if (!status.hidden) status.focus();
      busy(button, false);
    }
  });
  return h(
    "li",
    { class: "card commitment-card", "data-template": item.code },
    box,
    mine.length ? h("p", { class: "tag", text: t("pwa.commitments.already", { count: mine.length }) }) : null,
    h("p", { class: "hint", id: `${headingId}-hint`, text: t("pwa.commitments.sign_hint") }),
    status,
    button,
  );
}

function signedItem(item) {
  const title = localised(item.title, item.code);
  return h(
    "li",
    { class: "card signed", "data-signature-id": item.id, "data-code": item.code },
    h("h3", { text: title }),
    h(
      "dl",
      { class: "facts compact" },
      h("dt", { text: t("pwa.commitments.signed_at") }),
      h("dd", {}, when(item.signed_at)),
      h("dt", { text: t("pwa.commitments.version") }),
      h("dd", { text: item.version }),
      h("dt", { text: t("pwa.commitments.purpose") }),
      h("dd", { text: tOr(`pwa.commitments.purpose.${item.purpose}`, item.purpose) }),
    ),
    h(
      "details",
      { class: "signed-text" },
      h("summary", { text: t("pwa.commitments.show_text") }),
      h("div", { class: "commitment-text", lang: item.locale, text: item.text }),
      h("p", { class: "small fingerprint" }, t("pwa.commitment.fingerprint"), " ", h("span", { class: "mono", text: item.text_sha256 })),
    ),
  );
}

// 容缺受理: an application a government counter accepted with a document missing. While it
// waits, the exact commitment text is shown and signed here with the passkey, bound to it.
function deferral(app, item) {
  const status = h("p", { class: "notice error", role: "alert", tabindex: "-1", hidden: true });
  const facts = h(
    "dl",
    { class: "facts compact" },
    h("dt", { text: t("pwa.deferrals.counter") }),
    h("dd", { text: item.counter }),
    h("dt", { text: t("pwa.deferrals.matter") }),
    h("dd", { text: item.matter }),
    h("dt", { text: t("pwa.deferrals.document") }),
    h("dd", { text: localised(item.document_name, item.document) }),
    h("dt", { text: t("pwa.deferrals.due_on") }),
    h("dd", { text: item.due_on }),
    h("dt", { text: t("pwa.deferrals.status") }),
    h("dd", { class: "deferral-status", text: tOr(`pwa.deferrals.status.${item.status}`, item.status) }),
  );
  const card = h(
    "li",
    { class: "card deferral", id: `deferral-${item.id}`, "data-status": item.status },
    h("h3", { text: t("pwa.deferrals.number", { number: item.id }) }),
    facts,
  );
  if (item.status !== "awaiting_signature" || !item.commitment) return card;
  let shown = item.commitment;
  const box = h("div", {}, commitmentText(shown, { headingLevel: "h4", idPrefix: `deferral-${item.id}-c` }));
  const button = h("button", { type: "button", class: "primary", "data-sign-deferral": item.id, text: t("pwa.deferrals.sign") });
  button.addEventListener("click", async () => {
    status.hidden = true;
    busy(button, true);
    try {
      const { credential } = await signCommitment(`/api/v1/me/deferred-acceptances/${item.id}/start`, {}, shown.text_sha256);
      await api(`/api/v1/me/deferred-acceptances/${item.id}/sign`, { method: "POST", body: { credential } });
      app.flash("success", t("pwa.deferrals.signed", { due: item.due_on }));
      app.navigate("commitments");
    } catch (error) {
      if (error?.textChanged) {
        shown = error.textChanged;
        box.replaceChildren(commitmentText(shown, { headingLevel: "h4", idPrefix: `deferral-${item.id}-c` }));
        status.textContent = t("pwa.repair.text_changed");
      } else {
        status.textContent = errorMessage(error) || "";
      }
      status.hidden = !status.textContent;
      if (!status.hidden) status.focus();
      busy(button, false);
    }
  });
  add(card, box, status, button);
  return card;
}

export async function render(app, root) {
  const [templates, mine, deferred] = await Promise.all([
    api(`/api/v1/commitment-templates?locale=${encodeURIComponent(locale())}`),
    api("/api/v1/me/commitments"),
    api("/api/v1/me/deferred-acceptances"),
  ]);
  const signable = templates.items.filter((i) => i.purpose === "standalone");
  const heading = t("pwa.commitments.heading");
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/cases", text: t("pwa.cases.heading") })),
    h("h1", { tabindex: "-1", text: heading }),
    h("p", { class: "lead", text: t("pwa.commitments.intro") }),
    deferred.items.length
      ? h(
          "section",
          { "aria-labelledby": "deferrals-h", id: "deferrals" },
          h("h2", { id: "deferrals-h", text: t("pwa.deferrals.heading") }),
          h("p", { class: "small", text: t("pwa.deferrals.intro") }),
          h("ul", { class: "plain" }, deferred.items.map((i) => deferral(app, i))),
        )
      : null,
    h(
      "section",
      { "aria-labelledby": "templates-h" },
      h("h2", { id: "templates-h", text: t("pwa.commitments.published") }),
      signable.length
        ? h("ul", { class: "plain", id: "commitment-templates" }, signable.map((i) => template(app, i, mine.items)))
        : h("p", { id: "commitment-templates", text: t("pwa.commitments.none_published") }),
    ),
    h(
      "section",
      { "aria-labelledby": "mine-h" },
      h("h2", { id: "mine-h", text: t("pwa.commitments.mine") }),
      mine.items.length
        ? h("ul", { class: "plain", id: "commitments-mine" }, mine.items.map(signedItem))
        : h("p", { class: "small", id: "commitments-mine", text: t("pwa.commitments.none_signed") }),
    ),
  );
  return { title: heading };
}
