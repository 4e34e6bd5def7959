// Messages for the counter page from the shared catalog (/i18n/{locale}.json), with the
// same {placeholder} filling as the server's translate().

export async function loadMessages(locale) {
  try {
    const response = await fetch(`/i18n/${locale}.json`, { credentials: "same-origin" });
    if (response.ok) return await response.json();
  } catch {
    /* offline: the caller keeps the plain form */
  }
  return {};
}

export function translator(messages) {
  const t = (key, values = {}) =>
    (messages[key] ?? key).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  t.has = (key) => Object.prototype.hasOwnProperty.call(messages, key);
  return t;
}
