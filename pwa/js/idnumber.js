// Client-side check of an 18-digit national ID number (GB 11643-1999), mirroring the
// server's rules so people see mistakes before anything is sent.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = "10X98765432";
const PROVINCES = new Set(
  "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split(" "),
);
const WHOLE_REGION = new Set(["71", "81", "82"]);

export function normaliseId(raw) {
  return String(raw || "").normalize("NFKC").replace(/\s+/g, "").toUpperCase();
}

/** null when valid, else one of "length" | "area" | "birth_date" | "check_digit". */
export function idProblem(raw, today = new Date()) {
  const value = normaliseId(raw);
  if (!/^\d{17}[\dX]$/.test(value)) return "length";
  const province = value.slice(0, 2);
  if (!PROVINCES.has(province) || (value.slice(2, 4) === "00" && !WHOLE_REGION.has(province))) return "area";
  const year = Number(value.slice(6, 10));
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  const born = new Date(Date.UTC(year, month - 1, day));
  if (born.getUTCFullYear() !== year || born.getUTCMonth() !== month - 1 || born.getUTCDate() !== day) {
    return "birth_date";
  }
  if (year < 1900 || born.getTime() > today.getTime()) return "birth_date";
  const sum = WEIGHTS.reduce((total, weight, i) => total + weight * Number(value[i]), 0);
  if (CHECK_CHARS[sum % 11] !== value[17]) return "check_digit";
  return null;
}
