// The credit pass on this phone (docs/pass-format.md, version 2): a non-extractable P-256
// device key that names this phone, a fresh non-extractable presentation key per renewal
// that the day-long certificate binds (so two certificates share no key), and a
// presentation signed every 30 s. Signing is local, so the pass keeps working offline.

import { api } from "./api.js";
import { encode } from "./base45.js";
import * as keystore from "./keystore.js";

export const PREFIX = "XY2:";
export const CERTIFICATE_BYTES = 134;
const DEVICE = "device";
const CERTIFICATE = "certificate";
const RENEW_AFTER_MS = 6 * 3600 * 1000; // renew silently every 6 h: fewer scans share a certificate
const ECDSA = { name: "ECDSA", namedCurve: "P-256" };
let renewedThisRun = false; // "renew on every app start when online"
let spare = null; // {accountId, key}: the next renewal's presentation key, made ahead of time

export function supported() {
  return Boolean(globalThis.crypto?.subtle && globalThis.indexedDB);
}

function unb64url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
}

/** The stored device key and certificate (either may be missing). */
export async function load() {
  const [device, certificate] = await Promise.all([keystore.get(DEVICE), keystore.get(CERTIFICATE)]);
  return { device: device || null, certificate: certificate || null };
}

/** Forget this phone's pass: on sign-out, when the phone is removed, or another account. */
export async function clearPass() {
  renewedThisRun = false;
  spare = null;
  try {
    await keystore.clear();
  } catch {
    /* no IndexedDB: nothing was stored */
  }
}

let deviceQueue = Promise.resolve();

/** This phone's device key for the account, made once: calls run one after another, so a
 * renewal and `prepare` at the same moment cannot make two. */
function deviceFor(accountId) {
  const next = deviceQueue.then(() => deviceNow(accountId));
  deviceQueue = next.catch(() => {});
  return next;
}

async function deviceNow(accountId) {
  const device = await keystore.get(DEVICE);
  if (device && device.accountId === accountId) return device;
  if (device) await clearPass(); // another resident used this browser before
  // extractable = false: the private key can sign but can never be exported.
  const keyPair = await crypto.subtle.generateKey(ECDSA, false, ["sign"]);
  const fresh = { keyPair, accountId, createdAt: Date.now() };
  await keystore.put(DEVICE, fresh);
  return fresh;
}

async function publicJwk(keyPair) {
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", keyPair.publicKey);
  return { kty, crv, x, y };
}

/** A fresh presentation key for the next renewal; like the device key, it can never be
 * exported, and it is used for one certificate only. */
function presentationKeyFor(accountId) {
  const ready = spare?.accountId === accountId ? spare.key : null;
  spare = null;
  return ready || crypto.subtle.generateKey(ECDSA, false, ["sign"]);
}

/** Make the keys of the next renewal while the phone is idle (the home page does, as the pass
 * is what a resident opens next): only local work, nothing is sent. */
export async function prepare(accountId) {
  await deviceFor(accountId);
  if (spare?.accountId !== accountId) {
    spare = { accountId, key: crypto.subtle.generateKey(ECDSA, false, ["sign"]) };
  }
}

/** The phone's clock corrected by the offset measured at the last renewal. */
export function correctedNow(certificate) {
  return Date.now() + (certificate?.offsetMs || 0);
}

export function stepSeconds(certificate) {
  return certificate?.step_seconds || 30;
}

export function expiresAtMs(certificate) {
  return certificate ? Date.parse(certificate.expires_at) : 0;
}

export function isExpired(certificate) {
  return !certificate || correctedNow(certificate) >= expiresAtMs(certificate);
}

export function needsRenewal(certificate, accountId) {
  if (!certificate || certificate.accountId !== accountId) return true;
  if (certificate.format_version !== 2) return true; // stored before version 2: renew when online
  if (!renewedThisRun) return true;
  const age = correctedNow(certificate) - Date.parse(certificate.issued_at);
  return isExpired(certificate) || age >= RENEW_AFTER_MS;
}

/** POST /api/v1/me/pass with this phone's public keys; keep the answer and the clock offset.
 * A device key the server refuses (the phone was removed elsewhere) is replaced once.
 * Resolves to the new certificate and the device key it names. */
export async function renew(accountId, { retried = false } = {}) {
  const [device, presentationKey] = await Promise.all([deviceFor(accountId), presentationKeyFor(accountId)]);
  const [deviceKey, presentation] = await Promise.all([publicJwk(device.keyPair), publicJwk(presentationKey)]);
  const body = { device_key: deviceKey, presentation_key: presentation };
  const sent = Date.now();
  let issued;
  try {
    issued = await api("/api/v1/me/pass", { method: "POST", body });
  } catch (problem) {
    const deviceRefused = problem?.status === 422 && problem.errors?.some((e) => e.field === "device_key");
    if (deviceRefused && !retried) {
      await clearPass();
      return renew(accountId, { retried: true });
    }
    throw problem;
  }
  const received = Date.now();
  // server_time is whole seconds: +500 ms centres it; the request took (received − sent).
  const offsetMs = Math.round(issued.server_time * 1000 + 500 - (sent + received) / 2);
  const certificate = { ...issued, accountId, offsetMs, fetchedAt: received, presentationKey };
  // Stored while the QR is drawn (the pass on screen does not wait for IndexedDB); a failed
  // write leaves the previous certificate for offline use.
  keystore.put(CERTIFICATE, certificate).catch((error) => console.warn("pass not stored", error));
  renewedThisRun = true;
  return { certificate, device };
}

/** The QR text for one time step: "XY2:" + Base45(certificate ‖ step ‖ ECDSA(r ‖ s)), signed
 * with the certificate's own presentation key (the device key for one stored before). */
export async function present(certificate, device, step) {
  const cert = unb64url(certificate.certificate);
  // A version-1 certificate stored before the update still works until it expires.
  const [prefix, length] = cert[0] === 1 ? ["XY1:", 132] : [PREFIX, CERTIFICATE_BYTES];
  if (cert.length !== length) throw new Error("certificate: wrong length");
  const signer = certificate.presentationKey || device.keyPair;
  const signed = new Uint8Array(length + 4);
  signed.set(cert);
  new DataView(signed.buffer).setUint32(length, step, false);
  // WebCrypto's ECDSA signature is already raw r ‖ s (IEEE P1363), 64 bytes for P-256.
  const signature = new Uint8Array(
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, signer.privateKey, signed),
  );
  const all = new Uint8Array(signed.length + signature.length);
  all.set(signed);
  all.set(signature, signed.length);
  return prefix + encode(all);
}
