// My data and my rights (PIPL): download everything the city holds about me, signed credit
// reports to show a landlord or an employer, and the way to each other right.

import { Problem, api } from "../api.js";
import { add, h } from "../dom.js";
import { busy, errorMessage } from "../forms.js";
import { formatDate, locale, t } from "../i18n.js";
import { getPasskey } from "../webauthn.js";

export const id = "rights";

function csrf() {
  const found = document.cookie.split(";").map((p) => p.trim()).find((p) => p.startsWith("xinyi_csrf="));
  return found ? decodeURIComponent(found.slice("xinyi_csrf=".length)) : "";
}

/** A POST/GET that answers with a file: saved under the name the server gives. */
export async function download(path, { method = "GET", body } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept-Language": locale() },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    throw new Problem({ code: "network", detail: String(error?.message || error) });
  }
  if (!response.ok) {
    const raw = await response.json().catch(() => ({}));
    throw new Problem({ status: response.status, code: raw.code, title: raw.title, detail: raw.detail, raw });
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "")?.[1] || "download";
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return { name };
}

/** A fresh passkey confirmation for one step ("export" or "close"). */
export async function confirmStep(step) {
  const started = await api("/api/v1/me/confirmations", { method: "POST", body: { step } });
  return getPasskey(started.publicKey);
}

function action(label, idName, run, { kind = "primary" } = {}) {
  const status = h("p", { class: "notice", role: "status", hidden: true, tabindex: "-1" });
  const button = h("button", { type: "button", class: kind, id: idName, text: label });
  button.addEventListener("click", async () => {
    busy(button, true);
    status.hidden = true;
    try {
      const text = await run();
      status.className = "notice success";
      status.textContent = text || "";
    } catch (error) {
      status.className = "notice error";
      status.textContent = errorMessage(error) || "";
    }
    status.hidden = !status.textContent;
    if (!status.hidden) status.focus();
    busy(button, false);
  });
  return [button, status];
}

function reportItem(app, report) {
  const state = t(`pwa.rights.report_state.${report.state}`);
  const item = h(
    "li",
    { class: "card report-item", "data-code": report.code, "data-state": report.state },
    h("h3", { text: t("pwa.rights.report_code", { code: report.code }) }),
    h("p", { text: t("pwa.rights.report_facts", { state, until: formatDate(report.expires_at), checks: report.checks }) }),
  );
  if (report.state === "current") {
    const [again] = action(t("pwa.rights.report_download"), `report-pdf-${report.code}`, async () => {
      await download(`/api/v1/me/credit-reports/${report.code}/pdf`);
      return t("pwa.rights.report_downloaded");
    }, { kind: "secondary" });
    const [revoke] = action(t("pwa.rights.report_revoke"), `report-revoke-${report.code}`, async () => {
      await api(`/api/v1/me/credit-reports/${report.code}/revoke`, { method: "POST" });
      app.flash("success", t("pwa.rights.report_revoked", { code: report.code }));
      app.navigate("rights");
      return "";
    }, { kind: "danger" });
    add(item, h("div", { class: "actions" }, again, revoke));
  }
  return item;
}

export async function render(app, root) {
  const reports = (await api("/api/v1/me/credit-reports")).items;
  const [exportButton, exportStatus] = action(t("pwa.rights.export"), "export-data", async () => {
    const credential = await confirmStep("export");
    const saved = await download("/api/v1/me/export", { method: "POST", body: { credential } });
    return t("pwa.rights.exported", { name: saved.name });
  });
  const choices = ["zh-CN", "en"].map((loc) => {
    const [button] = action(t(`pwa.rights.report_make_${loc === "en" ? "en" : "zh"}`), `report-make-${loc}`, async () => {
      const made = await api("/api/v1/me/credit-reports", { method: "POST", body: { locale: loc } });
      await download(made.pdf_url);
      app.flash("success", t("pwa.rights.report_made", { code: made.code }));
      app.navigate("rights");
      return "";
    }, { kind: loc === "en" ? "secondary" : "primary" });
    return button;
  });
  const links = [
    ["#/consent", "pwa.consent.heading"],
    ["#/family", "pwa.family.heading"],
    ["#/rights-cases", "pwa.rightscases.heading"],
    ["#/access", "pwa.access.heading"],
    ["#/privacy", "pwa.privacy.heading"],
    ["#/help", "pwa.help.heading"],
    ["#/close", "pwa.close.heading"],
  ];
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/", text: t("pwa.nav.home") })),
    h("h1", { tabindex: "-1", text: t("pwa.rights.heading") }),
    h("p", { class: "lead", text: t("pwa.rights.intro") }),
    h(
      "section",
      { class: "card", "aria-labelledby": "export-h" },
      h("h2", { id: "export-h", text: t("pwa.rights.export_heading") }),
      h("p", { text: t("pwa.rights.export_body") }),
      h("p", { class: "hint", text: t("pwa.rights.confirm_hint") }),
      exportButton,
      exportStatus,
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "report-h" },
      h("h2", { id: "report-h", text: t("pwa.rights.report_heading") }),
      h("p", { text: t("pwa.rights.report_body") }),
      h("div", { class: "actions" }, ...(app.state.elder ? choices.slice(0, 1) : choices)),
      reports.length
        ? h("ul", { class: "plain report-list", id: "report-list" }, reports.map((r) => reportItem(app, r)))
        : h("p", { class: "hint", text: t("pwa.rights.report_none") }),
    ),
    h(
      "nav",
      { class: "card", "aria-labelledby": "more-h" },
      h("h2", { id: "more-h", text: t("pwa.rights.more") }),
      h("ul", { class: "link-list" }, links.map(([href, key]) => h("li", {}, h("a", { href, text: t(key) })))),
    ),
  );
  return { title: t("pwa.rights.heading") };
}
