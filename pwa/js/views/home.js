// Signed in: who I am, and the things I can do. Elder mode shows fewer, larger choices.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { localised } from "../format.js";
import { busy } from "../forms.js";
import { t, tOr } from "../i18n.js";

export const id = "home";

function row(label, value, valueClass) {
  return [h("dt", { text: label }), h("dd", { class: valueClass || null, text: value })];
}

function profile(me) {
  const person = me.person;
  const items = person
    ? [
        ...row(t("auth.name"), person.name),
        ...row(t("auth.id_number"), person.id_number_masked, "mono"),
        ...row(t("pwa.profile.district"), tOr(`district.${person.district_code}`, person.district_code)),
        ...row(t("pwa.profile.birth_year"), String(person.birth_year)),
      ]
    : [...row(t("pwa.profile.account"), me.display_name)];
  return h(
    "section",
    { class: "card profile", "aria-labelledby": "profile-h" },
    h("h2", { id: "profile-h", text: t("pwa.profile.heading") }),
    h("dl", { class: "facts" }, items),
  );
}

function scoreTile() {
  return h(
    "li",
    {},
    h(
      "a",
      { href: "#/score", class: "tile tile-gauge", id: "score-tile" },
      h("span", { class: "tile-title", text: t("pwa.score.heading") }),
      h("span", { class: "tile-desc tile-score pending", id: "home-score", "aria-live": "polite", text: t("pwa.home.score_desc") }),
    ),
  );
}

function tile(href, titleKey, descKey, icon) {
  return h(
    "li",
    {},
    h(
      "a",
      { href, class: `tile tile-${icon}` },
      h("span", { class: "tile-title", text: t(titleKey) }),
      descKey ? h("span", { class: "tile-desc", text: t(descKey) }) : null,
    ),
  );
}

/** The score on its tile: the number and tier, filled in when it arrives (the tile keeps its
 * size, so nothing moves); without a score yet, the tile says so. */
async function showScore(root) {
  const slot = root.querySelector("#home-score");
  if (!slot) return;
  try {
    const score = await api("/api/v1/me/score");
    slot.textContent = score.has_score
      ? t("pwa.home.score_value", { score: score.score, tier: localised(score.tier.name) })
      : t("pwa.home.score_none");
    slot.classList.remove("pending");
  } catch {
    slot.textContent = ""; /* offline: the tile still opens the score page */
  }
}

function reminders(me) {
  const notes = [];
  if (me.person && me.recovery_codes_left === 0) {
    notes.push(
      h(
        "p",
        { class: "notice info" },
        t("pwa.home.no_recovery_codes"),
        " ",
        h("a", { href: "#/recovery-codes", text: t("pwa.home.make_codes") }),
      ),
    );
  }
  if (me.passkeys === 1) {
    notes.push(
      h(
        "p",
        { class: "notice info", id: "one-passkey" },
        t("pwa.home.one_passkey"),
        " ",
        h("a", { href: "#/passkeys", id: "one-passkey-how", text: t("pwa.home.one_passkey_how") }),
      ),
    );
  }
  return notes;
}

export async function render(app, root) {
  const me = app.state.me;
  const elder = app.state.elder;
  const signOut = h("button", { type: "button", class: "secondary wide", id: "signout", text: t("auth.sign_out") });
  signOut.addEventListener("click", async () => {
    busy(signOut, true);
    try {
      await app.signOut();
    } catch {
      busy(signOut, false);
      app.announce(t("pwa.error.offline"));
    }
  });
  // Elder mode: fewer, larger choices — the pass and the score first.
  const credit = elder
    ? [
        tile("#/pass", "pwa.pass.heading", null, "qr"),
        scoreTile(),
      ]
    : [
        tile("#/pass", "pwa.pass.heading", "pwa.home.pass_desc", "qr"),
        scoreTile(),
        tile("#/records", "pwa.records.heading", "pwa.home.records_desc", "doc"),
        tile("#/lists", "pwa.lists.heading", "pwa.home.lists_desc", "flag"),
        tile("#/offers", "pwa.offers.heading", "pwa.home.offers_desc", "gift"),
        tile("#/benefits", "pwa.benefits.heading", "pwa.home.benefits_desc", "receipt"),
      ];
  const tiles = elder
    ? [
        tile("#/access", "pwa.access.heading", null, "eye"),
        tile("#/family", "pwa.family.heading", null, "key"),
        tile("#/help", "pwa.help.heading", null, "list"),
        tile("#/settings", "pwa.settings.heading_elder", null, "gear"),
      ]
    : [
        tile("#/access", "pwa.access.heading", "pwa.home.access_desc", "eye"),
        tile("#/rights", "pwa.rights.heading", "pwa.home.rights_desc", "doc"),
        tile("#/family", "pwa.family.heading", "pwa.home.family_desc", "key"),
        tile("#/passkeys", "pwa.passkeys.heading", "pwa.home.passkeys_desc", "key"),
        tile("#/recovery-codes", "pwa.recovery.heading", "pwa.home.recovery_desc", "list"),
        tile("#/settings", "pwa.settings.heading", "pwa.home.settings_desc", "gear"),
      ];
  add(root, 
    h(
      "div",
      { class: "hero" },
      h("h1", { tabindex: "-1", text: t("pwa.home.greeting", { name: me.display_name }) }),
      h("p", { class: "lead", text: t("pwa.home.lead") }),
    ),
    ...(elder ? [] : reminders(me)),
    me.kind === "staff" ? h("p", { class: "notice info" }, h("a", { href: "/office", text: t("pwa.home.staff_console") })) : null,
    me.person
      ? h(
          "nav",
          { "aria-labelledby": "credit-h" },
          h("h2", { id: "credit-h", class: elder ? "visually-hidden" : "tiles-heading", text: t("pwa.home.credit") }),
          h("ul", { class: `tiles${elder ? " tiles-elder" : ""}`, id: "credit-tiles" }, credit),
        )
      : null,
    profile(me),
    h(
      "nav",
      { "aria-labelledby": "tasks-h" },
      h("h2", { id: "tasks-h", class: elder ? "visually-hidden" : "tiles-heading", text: t("pwa.home.account") }),
      h("ul", { class: `tiles${elder ? " tiles-elder" : ""}`, id: "account-tiles" }, tiles),
    ),
    signOut,
  );
  if (me.person) showScore(root); // not awaited: the page shows at once, the number follows
  return { title: t("pwa.home.title") };
}
