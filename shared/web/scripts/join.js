// The join page: what the program gives, as GET /v1/program says, and the
// enrollment form. Once joined, the browser trades the member's token for a
// session cookie and opens the member space (/me); the page keeps no token.
import { t, lang, wire, onChange, formatNumber } from "./i18n.js";
import { call, newKey } from "./api.js";
import { formatMoney } from "./referral.js";
import { showLogo } from "./brand.js";

// What the program gives, as GET /v1/program answers: nothing is shown
// before it does, so that no rule is ever written here.
let program = null;
const tierIds = ["bronze", "silver", "gold", "platinum"];

// An enrollment sent but not answered (its Idempotency-Key and body), kept
// for this tab so that trying again after a network error replays it
// instead of enrolling twice.
const pendingKey = "fidelio.enrollment";

const $ = (id) => document.getElementById(id);
const form = $("join-form");
const fields = ["name", "email", "birthday", "consent"];
// The referral code of the link that brought the newcomer (?ref=), sent
// with the enrollment; dropped when the program refuses it.
let referralCode = (new URLSearchParams(location.search).get("ref") ?? "").trim().slice(0, 32);
let formState = "idle"; // idle | sending | retry

onChange(render);
wire();
form.addEventListener("submit", submit);
for (const name of fields) {
  $(name).addEventListener("input", () => {
    if ($(name).getAttribute("aria-invalid") === "true") fieldError(name, "");
  });
}
$("birthday").max = today();

openSpaceIfSignedIn();
loadProgram();

// openSpaceIfSignedIn sends a member whose browser is signed in to their
// space: the join form is for newcomers.
async function openSpaceIfSignedIn() {
  const r = await call("GET", "/v1/session");
  if (r.ok) location.replace("/me");
}

// loadProgram shows the program as the operator set it.
async function loadProgram() {
  const res = await call("GET", "/v1/program");
  if (!res.ok || !res.data) return;
  program = res.data;
  showLogo(program);
  render();
}

// inLang is an operator's text ({en, fr}) in the page's language.
function inLang(text) {
  return text ? text[lang] || text.en || "" : "";
}

function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// render writes what depends on the language and on the program.
function render() {
  renderProgram();
  $("join-submit").textContent = t(formState === "sending" ? "form.sending" : formState === "retry" ? "form.retry" : "form.submit");
  for (const name of fields) {
    const code = $(`${name}-error`).dataset.key;
    if (code) $(`${name}-error`).textContent = t(code);
  }
  const errors = $("form-errors");
  if (errors.dataset.key) errors.textContent = t(errors.dataset.key, { n: errors.dataset.n, detail: errors.dataset.detail });
}

// renderProgram writes the program's name, gifts, earn rate, tiers, terms
// and contact; the perks stay hidden until GET /v1/program has answered.
function renderProgram() {
  $("perks").hidden = !program;
  if (!program) return;
  $("program-name").textContent = inLang(program.name);
  document.title = t("join.title").replace("Fidelio", inLang(program.name));
  $("program-texts").hidden = !program.terms && !program.contact;
  $("program-terms").textContent = inLang(program.terms);
  $("program-contact").textContent = inLang(program.contact);
  $("program-terms").hidden = $("terms-heading").hidden = !program.terms;
  $("program-contact").hidden = $("contact-heading").hidden = !program.contact;
  renderReferral();
  $("perk-welcome").textContent = t("perk.welcome", { n: formatNumber(program.welcomeBonus) });
  $("perk-birthday").textContent = t("perk.birthday", { n: formatNumber(program.birthdayBonus), days: formatNumber(program.birthday.minTenureDays) });
  $("perk-expiry").textContent = t("perk.expiry", { n: formatNumber(program.expiryMonths) });
  $("tiers-note").textContent = t("tiers.note", { days: formatNumber(program.qualifyingDays) });
  const unit = new Intl.NumberFormat(lang, { style: "currency", currency: program.currency, maximumFractionDigits: 0 }).format(1);
  // French names the currency ("2 points par euro d'achat"): "par tranche de 1 €" read clumsily.
  const currency = new Intl.DisplayNames([lang], { type: "currency" }).of(program.currency);
  $("perk-earn").textContent = t(program.pointsPerUnit === 1 ? "perk.earnOne" : "perk.earnMany", { n: formatNumber(program.pointsPerUnit), unit, currency });
  $("tier-list").replaceChildren(
    ...tierIds.map((id) => {
      const li = document.createElement("li");
      li.className = `tier tier-${id}`;
      const name = document.createElement("strong");
      name.textContent = t(`tier.${id}`);
      const from = document.createElement("span");
      const at = program.thresholds[id];
      from.textContent = at === 0 ? t("tiers.start") : t("tiers.from", { n: formatNumber(at) });
      const rate = document.createElement("span");
      rate.className = "rate";
      rate.textContent = t("tiers.rate", { rate: formatNumber(program.multiplierPercent[id] / 100) });
      li.append(name, from, rate);
      return li;
    }),
  );
}

// renderReferral tells a newcomer who came by a friend's link what it brings.
function renderReferral() {
  const terms = program.referral;
  const note = $("referral-note");
  note.hidden = !referralCode || !terms || !terms.newMemberPoints;
  if (note.hidden) return;
  const n = formatNumber(terms.newMemberPoints);
  note.textContent = terms.minPurchase > 0 ? t("referral.invited", { n, min: formatMoney(terms.minPurchase, program.currency) }) : t("referral.invitedAny", { n });
}

function fieldError(name, key) {
  const el = $(`${name}-error`);
  el.dataset.key = key;
  el.textContent = key ? t(key) : "";
  if (key) $(name).setAttribute("aria-invalid", "true");
  else $(name).removeAttribute("aria-invalid");
}

// summary says what went wrong above the form, in its alert region, so a
// screen reader announces it.
function summary(key, vars = {}) {
  const el = $("form-errors");
  el.dataset.key = key;
  el.dataset.n = vars.n ?? "";
  el.dataset.detail = vars.detail ?? "";
  el.textContent = key ? t(key, vars) : "";
}

function validate() {
  const bad = [];
  const name = $("name").value.trim();
  const email = $("email").value.trim();
  const birthday = $("birthday").value;
  fieldError("name", name ? "" : "err.name");
  if (!name) bad.push("name");
  const emailOK = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
  fieldError("email", emailOK ? "" : "err.email");
  if (!emailOK) bad.push("email");
  const birthdayOK = birthday === "" || (/^\d{4}-\d{2}-\d{2}$/.test(birthday) && birthday >= "1900-01-01" && birthday < today());
  fieldError("birthday", birthdayOK ? "" : "err.birthday");
  if (!birthdayOK) bad.push("birthday");
  fieldError("consent", $("consent").checked ? "" : "err.consent");
  if (!$("consent").checked) bad.push("consent");
  return { bad, name, email, birthday };
}

async function submit(event) {
  event.preventDefault();
  if (formState === "sending") return;
  const v = validate();
  if (v.bad.length) {
    summary(v.bad.length === 1 ? "err.summaryOne" : "err.summaryMany", { n: v.bad.length });
    $(v.bad[0]).focus();
    return;
  }
  summary("");
  // The same details as an enrollment still unanswered are that enrollment:
  // it is sent again as it was, with its key. Other details are a new one.
  const marketing = $("marketing").checked;
  const details = JSON.stringify([v.name, v.email, v.birthday, referralCode, marketing]);
  let pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(pendingKey));
  } catch {}
  if (!pending || pending.details !== details) {
    const body = { name: v.name, email: v.email, locale: lang };
    if (v.birthday) body.birthday = v.birthday;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) body.timeZone = zone;
    if (referralCode) body.referralCode = referralCode;
    // Marketing messages only with the member's own yes: off unless ticked.
    if (marketing) body.marketing = true;
    pending = { key: newKey(), details, json: JSON.stringify(body) };
    sessionStorage.setItem(pendingKey, JSON.stringify(pending));
  }
  setFormState("sending");
  const r = await call("POST", "/v1/members", { json: pending.json, key: pending.key });
  if (r.ok) {
    sessionStorage.removeItem(pendingKey);
    // The token is traded for an HttpOnly session cookie at once and never
    // kept: the member space opens in this tab, and in any other later.
    const session = await call("POST", "/v1/session", { token: r.data.token });
    if (session.ok) {
      location.assign("/me");
      return;
    }
    setFormState("idle");
    summary("err.refused", { detail: session.detail || session.status });
    return;
  }
  if (r.retry) {
    setFormState("retry");
    summary("err.enrollRetry");
    return;
  }
  sessionStorage.removeItem(pendingKey);
  setFormState("idle");
  if (r.code === "unknown_referral_code" || r.code === "self_referral") {
    // The link, not the newcomer, is at fault: the form goes without it.
    referralCode = "";
    render();
    summary(r.code === "self_referral" ? "referral.self" : "referral.unknown");
    $("join-submit").focus();
  } else if (r.code === "email_taken") {
    fieldError("email", "err.emailTaken");
    summary("err.summaryOne", { n: 1 });
    $("email").focus();
  } else {
    summary("err.refused", { detail: r.detail || r.status });
  }
}

function setFormState(s) {
  formState = s;
  const button = $("join-submit");
  button.disabled = s === "sending";
  button.setAttribute("aria-busy", String(s === "sending"));
  button.textContent = t(s === "sending" ? "form.sending" : s === "retry" ? "form.retry" : "form.submit");
}

