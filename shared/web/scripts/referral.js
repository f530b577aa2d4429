// What the join page and the member space say of referral (parrainage),
// from the terms GET /v1/program answers: nothing is written here.
import { lang } from "./i18n.js";

// formatMoney shows integer minor units of currency the way lang writes
// them; the amount is only divided for display.
export function formatMoney(minor, currency) {
  const f = new Intl.NumberFormat(lang, { style: "currency", currency });
  const digits = f.resolvedOptions().maximumFractionDigits;
  const whole = new Intl.NumberFormat(lang, { style: "currency", currency, minimumFractionDigits: 0, maximumFractionDigits: digits });
  return whole.format(minor / 10 ** digits);
}
