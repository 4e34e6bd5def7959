// Base45 (RFC 9285): bytes as QR alphanumeric characters, so the pass QR uses the compact
// alphanumeric mode and a USB barcode scanner can type it. Mirrors backend/passes/base45.py.

export const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/** Every 2 bytes [a, b] → n = a·256 + b as three characters c d e, n = c + 45·d + 45²·e;
 * a final single byte → two characters. */
export function encode(bytes) {
  let out = "";
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let i = 0;
  for (; i + 1 < data.length; i += 2) {
    let n = data[i] * 256 + data[i + 1];
    const c = n % 45;
    n = (n - c) / 45;
    const d = n % 45;
    const e = (n - d) / 45;
    out += ALPHABET[c] + ALPHABET[d] + ALPHABET[e];
  }
  if (i < data.length) {
    const n = data[i];
    out += ALPHABET[n % 45] + ALPHABET[Math.floor(n / 45)];
  }
  return out;
}

export function decode(text) {
  if (text.length % 3 === 1) throw new Error("base45: bad length");
  const values = Array.from(text, (ch) => {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Error(`base45: invalid character ${JSON.stringify(ch)}`);
    return v;
  });
  const out = [];
  let i = 0;
  for (; i + 2 < values.length; i += 3) {
    const n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025;
    if (n > 0xffff) throw new Error("base45: value out of range");
    out.push(n >> 8, n & 0xff);
  }
  if (values.length - i === 2) {
    const n = values[i] + values[i + 1] * 45;
    if (n > 0xff) throw new Error("base45: value out of range");
    out.push(n);
  }
  return new Uint8Array(out);
}
