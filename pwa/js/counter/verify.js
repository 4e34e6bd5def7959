// Verifying a pass on the counter's own device, with its offline bundle (getOfflineBundle):
// the ordered checks of docs/pass-format.md (version 2) in WebCrypto — Ed25519 for the
// certificate and the status list, AES-256-CTR to open the sealed part with the day's
// eligibility key, ECDSA P-256 for the phone's presentation — and DecompressionStream for
// the status list's zlib bits. The first failure is the reason, with the server's codes.

import { decode as base45 } from "../base45.js";

const PREFIX = "XY2:";
const TIERS = ["excellent", "very_good", "good", "fair", "improve", "none"];
const FLAG_RED = 1, FLAG_BLACK = 2, FLAG_GRAY = 4, FLAG_PAPER = 8;
const STEP_SECONDS = 30;
const MAX_STEP_DRIFT = 2;
const ISSUE_SKEW = 300;
const HEADER_LEN = 23;
const CERT_LEN = 134;
const PRESENTATION_LEN = 202;
const PAPER_MIN = 104;
const PAPER_MAX = 152;
const STATUS_LIST_SIZE = 2 ** 27;
const STATUS_BYTES = STATUS_LIST_SIZE / 8;
const MAX_TOKEN = 4 * 1024 * 1024;

export class ListsUnusable extends Error {}

const bytes = (text) => new TextEncoder().encode(text);

function fromB64url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) out[i] = raw.charCodeAt(i);
  return out;
}

function toB64url(data) {
  let raw = "";
  for (const b of data) raw += String.fromCharCode(b);
  return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const u32 = (d, at) => ((d[at] << 24) >>> 0) + (d[at + 1] << 16) + (d[at + 2] << 8) + d[at + 3];
const u16 = (d, at) => (d[at] << 8) + d[at + 1];

/** The scanned text as the spec canonicalises it, or null (not ASCII). */
export function canonical(text) {
  if (!/^[\x00-\x7f]*$/.test(text)) return null;
  return text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "").replace(/[a-z]/g, (c) => c.toUpperCase());
}

// ---- P-256 point decompression (WebCrypto imports only uncompressed points everywhere) ----
const P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function modPow(base, exponent, modulus) {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

function bigOf(data) {
  return BigInt("0x" + Array.from(data, (b) => b.toString(16).padStart(2, "0")).join(""));
}

function bytesOf(n) {
  const hex = n.toString(16).padStart(64, "0");
  return Uint8Array.from(hex.match(/../g), (h) => parseInt(h, 16));
}

/** 33-byte SEC 1 compressed point → 65-byte uncompressed, or null when not on P-256. */
export function decompress(point) {
  if (point.length !== 33 || (point[0] !== 2 && point[0] !== 3)) return null;
  const x = bigOf(point.subarray(1));
  if (x >= P) return null;
  const y2 = (((x * x * x - 3n * x + B) % P) + P) % P;
  let y = modPow(y2, (P + 1n) / 4n, P);
  if ((y * y) % P !== y2) return null;
  if (Number(y & 1n) !== (point[0] & 1)) y = P - y;
  const out = new Uint8Array(65);
  out[0] = 4;
  out.set(point.subarray(1), 1);
  out.set(bytesOf(y), 33);
  return out;
}

// ---- keys, cached per bundle ----
const keyCache = new Map();

async function ed25519(jwk) {
  const id = `ed:${jwk.x}`;
  if (!keyCache.has(id)) {
    keyCache.set(id, crypto.subtle.importKey("raw", fromB64url(jwk.x), { name: "Ed25519" }, false, ["verify"]));
  }
  return keyCache.get(id);
}

async function aesKey(k) {
  const id = `aes:${k}`;
  if (!keyCache.has(id)) {
    keyCache.set(id, crypto.subtle.importKey("raw", fromB64url(k), { name: "AES-CTR" }, false, ["decrypt"]));
  }
  return keyCache.get(id);
}

function signingKey(bundle, kid) {
  return (bundle.jwks?.keys || []).find((k) => k.kty === "OKP" && k.crv === "Ed25519" && k.kid === kid);
}

// ---- the status list (checked and inflated once per token) ----
let statusCache = { token: "", bits: null, iat: 0 };

/** The status list's bits and issue time, or ListsUnusable. Its 5-minute `exp` is for online
 * use; the counter's own limit (maxAge, docs/operations.md) bounds it offline instead. */
export async function statusList(bundle) {
  const token = bundle.status_list || "";
  if (statusCache.token === token && statusCache.bits) return statusCache;
  if (!token || token.length > MAX_TOKEN) throw new ListsUnusable("no status list");
  const [head, body, sig] = token.split(".");
  let header, claims;
  try {
    header = JSON.parse(new TextDecoder().decode(fromB64url(head)));
    claims = JSON.parse(new TextDecoder().decode(fromB64url(body)));
  } catch {
    throw new ListsUnusable("status list unreadable");
  }
  const jwk = signingKey(bundle, header.kid);
  if (header.typ !== "statuslist+jwt" || header.alg !== "EdDSA" || !jwk) throw new ListsUnusable("status list header");
  const ok = await crypto.subtle.verify("Ed25519", await ed25519(jwk), fromB64url(sig), bytes(`${head}.${body}`));
  if (!ok) throw new ListsUnusable("status list signature");
  if (claims.iss !== "xinyi" || claims.size !== STATUS_LIST_SIZE) throw new ListsUnusable("status list claims");
  const stream = new Blob([fromB64url(claims.bits)]).stream().pipeThrough(new DecompressionStream("deflate"));
  const bits = new Uint8Array(await new Response(stream).arrayBuffer());
  if (bits.length !== STATUS_BYTES) throw new ListsUnusable("status list size");
  statusCache = { token, bits, iat: claims.iat };
  return statusCache;
}

function revoked(bits, index) {
  return Boolean(bits[index >> 3] & (0x80 >> (index & 7)));
}

/** How old the lists are (seconds) at `now`: the older of the bundle and its status list. */
export function listsAsOf(bundle) {
  const iat = Number(bundle.status_iat || 0) || Number(bundle.generated_at || 0);
  return Math.min(Number(bundle.generated_at || 0), iat);
}

/**
 * Verify `text` at `now` (Unix seconds) with `bundle`. Resolves to
 * {valid, reason, certificate?: {tier, lists, paper, holderName, birthYear, expiresAt}}.
 */
export async function verifyOffline(text, bundle, now) {
  const fail = (reason, certificate = null) => ({ valid: false, reason, certificate });
  const cleaned = canonical(text);
  if (cleaned === null || !cleaned.startsWith(PREFIX)) return fail("malformed");
  let data;
  try {
    data = base45(cleaned.slice(PREFIX.length));
  } catch {
    return fail("malformed");
  }
  const phone = data.length === PRESENTATION_LEN;
  if (!phone && !(data.length >= PAPER_MIN && data.length <= PAPER_MAX)) return fail("malformed");
  if (data[0] !== 2) return fail("malformed");
  const certLen = phone ? CERT_LEN : data.length;
  const kid = toB64url(data.subarray(1, 9));
  const ekid = u16(data, 9);
  const passId = data.slice(11, 23);
  const jwk = signingKey(bundle, kid);
  const day = (bundle.eligibility_keys || []).find((k) => k.ekid === ekid);
  if (!jwk || !day) return fail("unknown_key");
  const signedPart = data.subarray(0, certLen - 64);
  const signature = data.subarray(certLen - 64, certLen);
  if (!(await crypto.subtle.verify("Ed25519", await ed25519(jwk), signature, signedPart))) {
    return fail("bad_signature");
  }
  const counter = new Uint8Array(16);
  counter.set(passId, 0);
  const plain = new Uint8Array(
    await crypto.subtle.decrypt(
      { name: "AES-CTR", counter, length: 32 },
      await aesKey(day.k),
      data.subarray(HEADER_LEN, certLen - 64),
    ),
  );
  const issuedAt = u32(plain, 0);
  const expiresAt = u32(plain, 4);
  const tierIndex = plain[8];
  const flags = plain[9];
  const statusIndex = u32(plain, 10);
  const paper = Boolean(flags & FLAG_PAPER);
  if (tierIndex >= TIERS.length || flags & 0xf0 || paper === phone) return fail("malformed");
  if (statusIndex >= STATUS_LIST_SIZE || issuedAt >= expiresAt) return fail("malformed");
  const certificate = {
    tier: TIERS[tierIndex],
    lists: [[FLAG_RED, "red"], [FLAG_GRAY, "gray"], [FLAG_BLACK, "black"]].filter(([bit]) => flags & bit).map(([, name]) => name),
    paper,
    holderName: "",
    birthYear: 0,
    expiresAt,
  };
  let deviceKey = null;
  if (phone) {
    deviceKey = decompress(plain.subarray(14, 47));
    if (!deviceKey) return fail("malformed");
  } else {
    const m = plain[16];
    if (m > 48 || plain.length !== 17 + m) return fail("malformed");
    try {
      certificate.holderName = new TextDecoder("utf-8", { fatal: true }).decode(plain.subarray(17));
    } catch {
      return fail("malformed");
    }
    certificate.birthYear = u16(plain, 14);
  }
  if (now >= expiresAt) return fail("expired", certificate);
  if (issuedAt > now + ISSUE_SKEW) return fail("not_yet_valid", certificate);
  if (phone) {
    const step = u32(data, CERT_LEN);
    const current = Math.floor(now / STEP_SECONDS);
    if (step < current - MAX_STEP_DRIFT) return fail("stale_presentation", certificate);
    if (step > current + MAX_STEP_DRIFT) return fail("clock_skew", certificate);
    const key = await crypto.subtle.importKey("raw", deviceKey, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    const ok = await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      data.subarray(CERT_LEN + 4, PRESENTATION_LEN),
      data.subarray(0, CERT_LEN + 4),
    );
    if (!ok) return fail("bad_presentation", certificate);
  }
  let status;
  try {
    status = await statusList(bundle);
  } catch {
    return fail("status_list_unusable", certificate);
  }
  if (revoked(status.bits, statusIndex)) return fail("revoked", certificate);
  return { valid: true, reason: "valid", certificate };
}

/** Why an offer of the bundle does not apply (null: it applies), as `eligibility.why_not`. */
export function whyNot(offer, certificate, today) {
  if (offer.status && offer.status !== "live") return "not_live";
  if (today < offer.valid_from) return "not_started";
  if (today > offer.valid_until) return "ended";
  if (offer.quota !== null && offer.quota !== undefined && offer.used >= offer.quota) return "quota_exhausted";
  const blocked = (offer.excluded_lists || []).filter((x) => certificate.lists.includes(x)).sort();
  if (blocked.length) return `on_${blocked[0]}_list`;
  const missing = (offer.required_lists || []).filter((x) => !certificate.lists.includes(x)).sort();
  if (missing.length) return `not_on_${missing[0]}_list`;
  if (TIERS.indexOf(certificate.tier) > TIERS.indexOf(offer.min_tier)) return "tier_too_low";
  return null;
}
