// Amounts of money are integer minor units (1250 is 12.50 EUR), as in the
// API: what staff type is read digit by digit, never through a float.

// toMinor reads an amount as typed at the till — "12.50", "12,5", "12" — as
// minor units (1250, 1250, 1200). Anything else, a third decimal included,
// is null: the page asks again rather than guess.
export function toMinor(text) {
  const m = /^\s*(\d{1,9})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
}

// formatMinor shows minor units of euros the way lang writes them.
export function formatMinor(minor, lang) {
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  const cents = String(abs % 100).padStart(2, "0");
  const whole = new Intl.NumberFormat(lang).format((abs - (abs % 100)) / 100);
  return lang === "fr" ? `${sign}${whole},${cents}\u00a0€` : `${sign}€${whole}.${cents}`;
}
