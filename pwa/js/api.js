// fetch for the Xinyi API: JSON in and out, problem+json errors, CSRF on cookie writes.

const PUBLIC_WRITES = new Set([
  "/api/v1/enrolment/start",
  "/api/v1/enrolment/finish",
  "/api/v1/login/start",
  "/api/v1/login/finish",
]);
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

let language = "zh-CN";
let csrfToken = "";
const listeners = new Set();

export function setApiLocale(loc) {
  language = loc;
}

export function setCsrfToken(token) {
  csrfToken = token || "";
}

/** Called with the problem whenever a signed-in request comes back 401. */
export function onUnauthenticated(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** An RFC 9457 problem (or a network failure, code "network"). */
export class Problem extends Error {
  constructor({ status = 0, code = "network", title = "", detail = "", errors = [], retryAfter = null, raw = {} }) {
    super(detail || title || code);
    this.name = "Problem";
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = detail;
    this.errors = Array.isArray(errors) ? errors : [];
    this.retryAfter = retryAfter;
    this.raw = raw;
  }

  get reason() {
    return this.raw.reason || "";
  }

  get offline() {
    return this.code === "network";
  }
}

async function problemFrom(response) {
  let body = {};
  const type = response.headers.get("content-type") || "";
  if (type.includes("json")) {
    try {
      body = await response.json();
    } catch {
      body = {};
    }
  }
  const retry = Number.parseInt(response.headers.get("retry-after") || body.retry_after || "", 10);
  return new Problem({
    status: response.status,
    code: body.code || `http-${response.status}`,
    title: body.title || response.statusText,
    detail: body.detail || "",
    errors: body.errors,
    retryAfter: Number.isFinite(retry) ? retry : null,
    raw: body,
  });
}

/** `body` goes as JSON; `form` (a FormData, e.g. with evidence files) as multipart/form-data,
 * its boundary set by the browser. */
export async function api(path, { method = "GET", body, form, signal } = {}) {
  const verb = method.toUpperCase();
  const headers = {
    Accept: "application/json, application/problem+json",
    "Accept-Language": language,
  };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (!SAFE.has(verb) && !PUBLIC_WRITES.has(path)) {
    headers["X-CSRF-Token"] = cookie("xinyi_csrf") || csrfToken;
  }
  let response;
  try {
    response = await fetch(path, {
      method: verb,
      headers,
      body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
      credentials: "same-origin",
      cache: "no-store",
      signal,
    });
  } catch (error) {
    if (error?.name === "AbortError") throw error;
    throw new Problem({ code: "network", detail: String(error?.message || error) });
  }
  if (!response.ok) {
    const problem = await problemFrom(response);
    if (response.status === 401 && !PUBLIC_WRITES.has(path)) {
      for (const listener of listeners) listener(problem);
    }
    throw problem;
  }
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : null;
  if (data && typeof data.csrf_token === "string") setCsrfToken(data.csrf_token);
  return data;
}

/**
 * Send a server-rendered <form method="post"> the way the browser would (its fields, its
 * csrf_token, urlencoded) and parse the page that comes back, whatever its status: a page
 * that works without JavaScript is enhanced by swapping in parts of its own answer.
 * Resolves to {status, redirected, page}; a network failure throws Problem "network".
 */
export async function submitForm(form, { signal } = {}) {
  let response;
  let html;
  try {
    response = await fetch(form.action, {
      method: "POST",
      headers: { Accept: "text/html", "Accept-Language": language },
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      cache: "no-store",
      signal,
    });
    html = await response.text();
  } catch (error) {
    if (error?.name === "AbortError") throw error;
    throw new Problem({ code: "network", detail: String(error?.message || error) });
  }
  const page = new DOMParser().parseFromString(html, "text/html");
  return { status: response.status, redirected: response.redirected, page };
}
