// The pass QR: error correction M, alphanumeric mode (Base45 text), drawn as one SVG path
// of dark modules on a white square with the 4-module quiet zone the standard asks for.

import qrcode from "../vendor/qrcode-generator.mjs";
import { s } from "./svg.js";

const QUIET = 4;

/** The module matrix for `text` (typeNumber 0: the smallest version that fits). */
export function qrMatrix(text) {
  const qr = qrcode(0, "M");
  qr.addData(text, "Alphanumeric");
  qr.make();
  const size = qr.getModuleCount();
  const rows = [];
  for (let r = 0; r < size; r += 1) {
    const row = [];
    for (let c = 0; c < size; c += 1) row.push(qr.isDark(r, c));
    rows.push(row);
  }
  return rows;
}

/** Horizontal runs of dark modules, one sub-path each: a short path, crisp edges. */
export function qrPath(rows) {
  const parts = [];
  rows.forEach((row, r) => {
    let c = 0;
    while (c < row.length) {
      if (!row[c]) {
        c += 1;
        continue;
      }
      const start = c;
      while (c < row.length && row[c]) c += 1;
      parts.push(`M${start + QUIET} ${r + QUIET}h${c - start}v1h-${c - start}z`);
    }
  });
  return parts.join("");
}

/** An <svg role="img"> of the QR for `text`, labelled `label`. */
export function qrSvg(text, { label, id } = {}) {
  const rows = qrMatrix(text);
  const side = rows.length + QUIET * 2;
  return s(
    "svg",
    {
      class: "qr",
      id,
      viewBox: `0 0 ${side} ${side}`,
      role: "img",
      "aria-label": label,
      "shape-rendering": "crispEdges",
      "data-modules": rows.length,
    },
    s("rect", { class: "qr-light", x: 0, y: 0, width: side, height: side, fill: "#fff" }),
    s("path", { class: "qr-dark", d: qrPath(rows), fill: "#000" }),
  );
}

/** Redraw an existing QR in place (the element, its label and focus stay). */
export function updateQr(svg, text) {
  const rows = qrMatrix(text);
  const side = rows.length + QUIET * 2;
  svg.setAttribute("viewBox", `0 0 ${side} ${side}`);
  svg.setAttribute("data-modules", String(rows.length));
  const [rect, path] = svg.children;
  rect.setAttribute("width", String(side));
  rect.setAttribute("height", String(side));
  path.setAttribute("d", qrPath(rows));
}
