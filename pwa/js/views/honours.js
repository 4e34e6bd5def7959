// My honours (诚信之星, 道德模范): what the credit office gave me, and my choice whether the
// public honour roll shows it. Nothing is published without my "yes"; I can withdraw at any
// time and the roll stops showing it at once.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { busy, errorMessage } from "../forms.js";
import { locale, t } from "../i18n.js";

export const id = "honours";

function item(app, honour) {
  const headingId = `honour-${honour.id}-h`;
  const status = h("p", { class: "notice error", role: "alert", tabindex: "-1", hidden: true });
  const choose = async (button, consent) => {
    status.hidden = true;
    busy(button, true);
    try {
      const saved = await api(`/api/v1/me/honours/${honour.id}/consent`, { method: "PUT", body: { consent } });
      app.flash("success", t(`pwa.honours.saved.${saved.consent}`));
      app.navigate("honours");
    } catch (error) {
      status.textContent = errorMessage(error) || "";
      status.hidden = !status.textContent;
      if (!status.hidden) status.focus();
      busy(button, false);
    }
  };
  const buttons = [];
  if (honour.consent === "given") {
    const withdraw = h("button", { type: "button", class: "secondary", "data-consent": "withdraw", text: t("pwa.honours.withdraw") });
    withdraw.addEventListener("click", () => choose(withdraw, false));
    buttons.push(withdraw);
  } else {
    const publish = h("button", { type: "button", class: "primary", "data-consent": "give", text: t("pwa.honours.publish") });
    publish.addEventListener("click", () => choose(publish, true));
    buttons.push(publish);
    if (honour.consent === "pending") {
      const decline = h("button", { type: "button", class: "secondary", "data-consent": "decline", text: t("pwa.honours.decline") });
      decline.addEventListener("click", () => choose(decline, false));
      buttons.push(decline);
    }
  }
  const citation = locale() === "en" && honour.citation_en ? honour.citation_en : honour.citation_zh;
  return h(
    "li",
    { class: "card honour", "data-honour-id": honour.id, "data-consent": honour.consent, "aria-labelledby": headingId },
    h("h2", { id: headingId, text: `${t(`programme.title.${honour.title}`)} · ${honour.year}` }),
    h("p", { class: `tag consent-${honour.consent}`, text: t(`pwa.honours.state.${honour.consent}`) }),
    h("p", { text: citation }),
    h("p", { class: "hint", text: t("pwa.honours.what_shown", { name: honour.shown_name }) }),
    status,
    h("div", { class: "actions" }, ...buttons),
  );
}

export async function render(app, root) {
  const mine = await api("/api/v1/me/honours");
  const heading = t("pwa.honours.heading");
  add(
    root,
    h("h1", { tabindex: "-1", text: heading }),
    h("p", { class: "lead", text: t("pwa.honours.intro") }),
    mine.items.length
      ? h("ul", { class: "plain", id: "my-honours" }, mine.items.map((i) => item(app, i)))
      : h("p", { id: "my-honours", text: t("pwa.honours.none") }),
    h("p", {}, h("a", { href: "/honours", text: t("pwa.honours.public_link") })),
  );
  return { title: heading };
}
