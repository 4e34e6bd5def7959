// My inbox (通知): a new record with its repair notice (两书同达), list changes, every step of
// my cases, deadlines a department missed, reminders (催告) before a default can be
// reported, commitments I signed. Each is worded here from its kind and parameters.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { day, listName, localised, pointsText } from "../format.js";
import { busy, errorMessage } from "../forms.js";
import { locale, t, tOr } from "../i18n.js";
import { stateText, when } from "./cases.js";

export const id = "inbox";

function workflowName(workflow) {
  return tOr(`pwa.case.kind.${workflow}`, workflow || "");
}

/** A notice's title and body from its kind and parameters. */
export function wording(notice) {
  const p = notice.params || {};
  switch (notice.kind) {
    case "record_new":
      return {
        title: t("notice.record_new.title", { name: localised(p.name, p.type || "") }),
        body: [
          t("notice.record_new.body", {
            department: localised(p.department, ""),
            date: day(p.decision_date),
            points: pointsText(p.points),
            until: day(p.expires_on),
          }),
          p.repairable ? t("notice.record_new.repair", { date: day(p.repairable_from) }) : t("notice.record_new.no_repair"),
        ].join(locale() === "en" ? " " : ""),
      };
    case "list_entry": {
      const change = ["on", "off"].includes(p.change) ? p.change : null;
      if (!change || !p.list) return { title: t("notice.list_entry.title"), body: t("notice.list_entry.body_generic") };
      const values = { list: listName(p.list), date: day(p.from) };
      return { title: t(`notice.list_entry.title_${change}`, values), body: t(`notice.list_entry.body_${change}`, values) };
    }
    case "case_status": {
      const values = { case_no: p.case_no || "", workflow: workflowName(p.workflow), state: stateText(p.workflow, p.status) };
      return {
        title: t("notice.case_status.title", values),
        body: tOr(`notice.case_status.${p.workflow}.${p.step}`, t("notice.case_status.body", values), values),
      };
    }
    case "deadline_passed":
      return {
        title: t("notice.deadline_passed.title", { case_no: p.case_no || "", workflow: workflowName(p.workflow) }),
        body: tOr(`notice.deadline_passed.${p.workflow}`, t("notice.deadline_passed.body", { date: day(p.due) }), { date: day(p.due) }),
      };
    case "reminder":
      return {
        title: t("notice.reminder.title"),
        body: t("notice.reminder.body", {
          offer: localised(p.offer, ""),
          partner: p.partner || "",
          due: day(p.due_on),
          date: day(p.settle_by),
        }),
      };
    case "commitment_signed":
      return {
        title: t("notice.commitment_signed.title"),
        body: t("notice.commitment_signed.body", { title: localised(p.title, ""), version: p.version || "" }),
      };
    case "honour":
      // Named to the honour roll (programme.honours): whether it is published is the resident's choice.
      return {
        title: t("notice.honour.title", { title: t(`programme.title.${p.title}`), year: p.year ?? "" }),
        body: t("notice.honour.body"),
      };
    case "deferral":
      // 容缺受理 (commitments.deferrals): the commitment to sign, under Credit commitments.
      return {
        title: t("notice.deferral.title"),
        body: t("notice.deferral.body", { counter: p.counter || "", matter: p.matter || "", due: day(p.due_on) }),
      };
    case "account_security": {
      // A passkey added through a counter or recovery code (auth.recovery): where, and what it ended.
      const values = { at: p.at ? day(p.at.slice(0, 10)) : "", counter: p.counter || "", sessions: p.sessions_ended ?? 0, passkeys: p.passkeys_removed ?? 0 };
      const way = p.via === "enrolment-code" ? "counter" : "recovery";
      return { title: t("notice.account_security.title"), body: t(`notice.account_security.body_${way}`, values) };
    }
    default:
      return { title: t("notice.other.title"), body: "" };
  }
}

function safeLink(link) {
  return typeof link === "string" && /^#\/[\w/?=&.-]*$/.test(link) ? link : null;
}

function item(app, notice) {
  const { title, body } = wording(notice);
  const link = safeLink(notice.link);
  const titleNode = link
    ? h("a", {
        href: link,
        text: title,
        onclick: async (event) => {
          if (notice.read) return;
          event.preventDefault();
          await api("/api/v1/me/notifications/read", { method: "POST", body: { ids: [notice.id] } }).catch(() => {});
          location.hash = link;
        },
      })
    : title;
  return h(
    "li",
    { class: `card notice-item${notice.read ? "" : " unread"}`, "data-notice-id": notice.id, "data-kind": notice.kind, "data-read": String(notice.read) },
    h("h2", { class: "notice-title" }, notice.read ? null : h("span", { class: "tag unread-tag", text: t("pwa.inbox.unread") }), titleNode),
    body ? h("p", { class: "notice-body", text: body }) : null,
    h("p", { class: "small notice-time" }, when(notice.created_at)),
  );
}

export async function render(app, root) {
  const first = await api("/api/v1/me/notifications");
  app.setUnread?.(first.unread);
  const heading = t("pwa.inbox.heading");
  const list = h("ul", { class: "plain", id: "inbox-list" }, first.items.map((n) => item(app, n)));
  const status = h("p", { class: "notice error", role: "alert", tabindex: "-1", hidden: true });
  const markAll = h("button", { type: "button", class: "secondary", id: "inbox-mark-all", text: t("pwa.inbox.mark_all") });
  markAll.hidden = !first.unread;
  markAll.addEventListener("click", async () => {
    busy(markAll, true);
    try {
      await api("/api/v1/me/notifications/read", { method: "POST", body: { all: true } });
      app.flash("success", t("pwa.inbox.all_read"));
      app.navigate("inbox");
    } catch (error) {
      status.textContent = errorMessage(error) || "";
      status.hidden = !status.textContent;
      busy(markAll, false);
    }
  });
  let before = first.next_before;
  const more = h("button", { type: "button", class: "secondary", id: "inbox-more", text: t("pwa.inbox.more") });
  more.hidden = !before;
  more.addEventListener("click", async () => {
    busy(more, true);
    try {
      const next = await api(`/api/v1/me/notifications?before=${before}`);
      list.append(...next.items.map((n) => item(app, n)));
      before = next.next_before;
      more.hidden = !before;
      app.announce(t("pwa.inbox.loaded", { count: next.items.length }));
    } catch (error) {
      status.textContent = errorMessage(error) || "";
      status.hidden = !status.textContent;
    } finally {
      busy(more, false);
    }
  });
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.home") })),
    h("h1", { tabindex: "-1", text: heading }),
    h("p", { class: "lead", id: "inbox-count", text: first.unread ? t("pwa.inbox.unread_count", { count: first.unread }) : t("pwa.inbox.all_read_now") }),
    h("div", { class: "actions" }, markAll),
    status,
    first.items.length
      ? list
      : h("div", { class: "empty card", id: "inbox-empty" }, h("h2", { text: t("pwa.inbox.none") }), h("p", { text: t("pwa.inbox.none_body") })),
    more,
    h("p", { class: "small" }, h("a", { href: "#/cases", text: t("pwa.cases.heading") })),
  );
  return { title: heading };
}
