// The privacy notice (个人信息保护告知书, versioned) and help: the credit office's service hall.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { localised } from "../format.js";
import { formatDate, t } from "../i18n.js";

export const id = "privacy";

export async function render(app, root) {
  const notice = await api("/api/v1/privacy-notice");
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.home") })),
    h("h1", { tabindex: "-1", text: localised(notice.title, t("pwa.privacy.heading")) }),
    h("p", { class: "hint", id: "notice-version", text: t("pwa.privacy.version", { version: notice.version, date: formatDate(notice.published) }) }),
    ...notice.sections.map((s) =>
      h("section", { class: "card", "data-section": s.code }, h("h2", { text: localised(s.heading, s.code) }), h("p", { text: localised(s.body, "") })),
    ),
    h("p", {}, h("a", { href: "#/help", text: t("pwa.help.heading") })),
  );
  return { title: t("pwa.privacy.heading") };
}

export const help = {
  id: "help",
  async render(app, root) {
    const info = await api("/api/v1/help");
    const hall = info.service_hall || {};
    add(
      root,
      h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.home") })),
      h("h1", { tabindex: "-1", text: t("pwa.help.heading") }),
      h("p", { class: "lead", text: t("pwa.help.intro", { office: localised(info.office, "") }) }),
      h(
        "section",
        { class: "card", id: "service-hall" },
        h("h2", { text: localised(hall.name, t("pwa.help.hall")) }),
        h(
          "dl",
          { class: "facts" },
          h("dt", { text: t("pwa.help.address") }),
          h("dd", { text: localised(hall.address, "") }),
          h("dt", { text: t("pwa.help.phone") }),
          h("dd", {}, h("a", { href: `tel:${hall.phone || ""}`, text: hall.phone || "" })),
          h("dt", { text: t("pwa.help.hours") }),
          h("dd", { text: localised(hall.hours, "") }),
        ),
      ),
      h("p", { text: t("pwa.help.free") }),
      h("p", {}, h("a", { href: "#/privacy", text: t("pwa.privacy.heading") })),
    );
    return { title: t("pwa.help.heading") };
  },
};
