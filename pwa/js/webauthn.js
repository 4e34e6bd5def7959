// Passkey ceremonies. Uses the WebAuthn JSON helpers (parse*OptionsFromJSON, toJSON) and
// falls back to manual base64url conversion on browsers that lack them.

const PKC = globalThis.PublicKeyCredential;

export function passkeysSupported() {
  return Boolean(PKC && navigator.credentials?.create && navigator.credentials?.get);
}

export async function conditionalMediationAvailable() {
  if (!passkeysSupported() || typeof PKC.isConditionalMediationAvailable !== "function") return false;
  try {
    return await PKC.isConditionalMediationAvailable();
  } catch {
    return false;
  }
}

function fromB64u(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
}

function toB64u(buffer) {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function descriptors(list) {
  return (list || []).map((d) => ({ ...d, id: fromB64u(d.id) }));
}

function creationOptions(json) {
  if (typeof PKC.parseCreationOptionsFromJSON === "function") return PKC.parseCreationOptionsFromJSON(json);
  return {
    ...json,
    challenge: fromB64u(json.challenge),
    user: { ...json.user, id: fromB64u(json.user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  };
}

function requestOptions(json) {
  if (typeof PKC.parseRequestOptionsFromJSON === "function") return PKC.parseRequestOptionsFromJSON(json);
  return { ...json, challenge: fromB64u(json.challenge), allowCredentials: descriptors(json.allowCredentials) };
}

function credentialJSON(credential) {
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: toB64u(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toB64u(r.attestationObject);
    response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
  } else {
    response.authenticatorData = toB64u(r.authenticatorData);
    response.signature = toB64u(r.signature);
    if (r.userHandle) response.userHandle = toB64u(r.userHandle);
  }
  return {
    id: credential.id,
    rawId: toB64u(credential.rawId),
    type: credential.type,
    response,
    clientExtensionResults: credential.getClientExtensionResults?.() || {},
    authenticatorAttachment: credential.authenticatorAttachment || null,
  };
}

/** Register a new passkey from PublicKeyCredentialCreationOptionsJSON → RegistrationResponseJSON. */
export async function createPasskey(optionsJSON) {
  const credential = await navigator.credentials.create({ publicKey: creationOptions(optionsJSON) });
  return credentialJSON(credential);
}

/** Use a passkey from PublicKeyCredentialRequestOptionsJSON → AuthenticationResponseJSON.
 * `mediation: "conditional"` waits for the user to pick one from autofill. */
export async function getPasskey(optionsJSON, { mediation, signal } = {}) {
  const request = { publicKey: requestOptions(optionsJSON) };
  if (mediation) request.mediation = mediation;
  if (signal) request.signal = signal;
  const credential = await navigator.credentials.get(request);
  return credentialJSON(credential);
}

/** A DOMException from a ceremony → an i18n key (null when it needs no message). */
export function ceremonyErrorKey(error) {
  switch (error?.name) {
    case "AbortError":
      return null;
    case "NotAllowedError":
      return "pwa.passkey.cancelled";
    case "InvalidStateError":
      return "pwa.passkey.already_on_device";
    case "NotSupportedError":
      return "pwa.passkey.unsupported";
    case "SecurityError":
      return "pwa.passkey.security";
    default:
      return "pwa.passkey.failed";
  }
}
