// My cases (我的申请): every repair request and objection I filed, its state, the date an
// answer is due and whether it is overdue. Also the pieces every case page shows the same
// way: the state tag, the dates due, the timeline and the evidence downloads.

import { api } from "../api.js";
import { add, h } from "../dom.js";
import { day, localised } from "../format.js";
import { formatDateTime, t, tOr } from "../i18n.js";

export const id = "cases";

/** "repair" | "objection" → its case page. */
export function caseHref(kind, caseId) {
  return kind === "repair" ? `#/repairs/${caseId}` : `#/objections/${caseId}`;
}

export function stateText(kind, state) {
  return tOr(`pwa.case.state.${kind}.${state}`, state);
}

export function stateTag(kind, state, extra = {}) {
  return h("span", { class: `tag case-state state-${state}`, "data-state": state, text: stateText(kind, state), ...extra });
}

export function overdueTag(item) {
  return item.overdue ? h("span", { class: "tag overdue", "data-overdue": "true", text: t("pwa.case.overdue") }) : null;
}

/** The date the next answer is due, in words (null once the case is closed). */
export function dueText(item) {
  if (!item.open) return null;
  if (item.kind === "repair") {
    if (item.state === "accepted" && item.decision_due) return t("pwa.case.due.decision", { date: day(item.decision_due) });
    if (item.state === "returned") return t("pwa.case.due.returned");
    return t("pwa.case.due.feedback", { date: day(item.feedback_due) });
  }
  if (item.state === "review_requested") return t("pwa.case.due.review");
  return t("pwa.case.due.answer", { date: day(item.answer_due) });
}

export function fact(label, value, attrs = {}) {
  return [h("dt", { text: label }), h("dd", attrs, value)];
}

export function when(iso) {
  return h("time", { datetime: iso, text: formatDateTime(iso) });
}

/** Who took a step, as a resident knows them: the deciding department (or the credit office
 * for a review), not the account or token that clicked. */
function stepBy(step, department) {
  if (!step.by) return null;
  if (step.status === "review_upheld" || step.status === "review_rejected") return t("pwa.case.by_office");
  return t("pwa.case.by", { name: department || step.by });
}

/** Every step so far, oldest first, and — while open — the step that comes next.
 * `department`: the deciding department's name. */
export function timeline(item, department = "") {
  const steps = (item.timeline || []).map((step) =>
    h(
      "li",
      { class: `step done state-${step.status}`, "data-status": step.status },
      h("span", { class: "step-name", text: stateText(item.kind, step.status) }),
      h("span", { class: "step-when small" }, when(step.at)),
      step.by ? h("span", { class: "step-by small", text: stepBy(step, department) }) : null,
    ),
  );
  const next = dueText(item);
  return h(
    "section",
    { class: "card", "aria-labelledby": "timeline-h" },
    h("h2", { id: "timeline-h", text: t("pwa.case.timeline") }),
    h(
      "ol",
      { class: "timeline plain", id: "case-timeline" },
      steps,
      next ? h("li", { class: "step next", "data-status": "next" }, h("span", { class: "step-name", text: next })) : null,
    ),
  );
}

function size(bytes) {
  if (bytes >= 1024 * 1024) return t("pwa.evidence.size_mb", { size: (bytes / (1024 * 1024)).toFixed(1) });
  return t("pwa.evidence.size_kb", { size: Math.max(1, Math.round(bytes / 1024)) });
}

export function fileSize(bytes) {
  return size(bytes);
}

/** The evidence files as downloads (the server sends them as attachments, never inline). */
export function evidenceSection(item) {
  const files = item.evidence || [];
  return h(
    "section",
    { class: "card", "aria-labelledby": "evidence-h" },
    h("h2", { id: "evidence-h", text: t("pwa.evidence.heading") }),
    files.length
      ? h(
          "ul",
          { class: "files plain", id: "case-evidence" },
          files.map((f) =>
            h(
              "li",
              { "data-file-id": f.id },
              h("a", { href: f.href, download: f.filename, text: t("pwa.evidence.download", { name: f.filename }) }),
              h("span", { class: "small", text: ` ${t("pwa.evidence.meta", { type: tOr(`pwa.evidence.type.${String(f.media_type).split("/").pop()}`, f.media_type), size: size(f.size) })}` }),
            ),
          ),
        )
      : h("p", { class: "small", id: "case-evidence", text: t("pwa.evidence.none") }),
  );
}

export function subjectText(item, names) {
  const name = item.record_id ? names.get(item.record_id) : null;
  const what = tOr(`pwa.objection.subject.${item.subject}`, item.subject);
  return name ? t("pwa.objection.subject_named", { what, name }) : what;
}

function caseItem(item, names) {
  const about =
    item.kind === "repair"
      ? localised(item.record?.name, item.record?.type || "")
      : subjectText(item, names);
  return h(
    "li",
    { class: "case-item", "data-case-kind": item.kind, "data-case-id": item.id, "data-state": item.state },
    h(
      "a",
      { href: caseHref(item.kind, item.id), class: "record-link" },
      h(
        "span",
        { class: "record-head" },
        h("span", { class: "record-name", text: about }),
        h("span", { class: "case-no mono", text: item.case_no }),
      ),
      h("span", { class: "record-meta", text: t("pwa.cases.submitted", { date: formatDateTime(item.submitted_at) }) }),
      h(
        "span",
        { class: "record-foot" },
        stateTag(item.kind, item.state),
        overdueTag(item),
        item.open ? h("span", { class: "small", text: dueText(item) }) : null,
      ),
    ),
  );
}

function group(kind, items, names) {
  const headingId = `cases-${kind}-h`;
  return h(
    "section",
    { "aria-labelledby": headingId },
    h("h2", { id: headingId, text: t(`pwa.cases.${kind}_heading`) }),
    items.length
      ? h("ul", { class: "records plain", id: `cases-${kind}` }, items.map((i) => caseItem(i, names)))
      : h("p", { class: "small", id: `cases-${kind}`, text: t(`pwa.cases.${kind}_none`) }),
  );
}

/** Record id → its name, for objections (which carry only the record's id). */
export async function recordNames() {
  return new Map([...(await recordIndex())].map(([rid, r]) => [rid, localised(r.name, r.type)]));
}

/** Record id → the record as the resident sees it. */
export async function recordIndex() {
  const records = await api("/api/v1/me/records").catch(() => ({ items: [] }));
  return new Map(records.items.map((r) => [r.id, r]));
}

export async function render(app, root) {
  const [repairs, objections, names] = await Promise.all([
    api("/api/v1/me/repairs"),
    api("/api/v1/me/objections"),
    recordNames(),
  ]);
  const heading = t("pwa.cases.heading");
  add(
    root,
    h("p", { class: "back" }, h("a", { href: "#/records", text: t("pwa.records.heading") })),
    h("h1", { tabindex: "-1", text: heading }),
    h("p", { class: "lead", text: t("pwa.cases.intro") }),
    group("repair", repairs.items, names),
    group("objection", objections.items, names),
    h("p", { class: "notice warning", text: t("pwa.record.free") }),
    h(
      "nav",
      { class: "card subtle", "aria-labelledby": "cases-more-h" },
      h("h2", { id: "cases-more-h", text: t("pwa.score.more") }),
      h(
        "ul",
        { class: "link-list" },
        h("li", {}, h("a", { href: "#/records", text: t("pwa.records.heading") })),
        h("li", {}, h("a", { href: "#/commitments", text: t("pwa.commitments.heading") })),
        h("li", {}, h("a", { href: "#/inbox", text: t("pwa.inbox.heading") })),
      ),
    ),
  );
  return { title: heading };
}
