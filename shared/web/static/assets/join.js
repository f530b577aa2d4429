// The join page: what the program gives, the enrollment form, then the
// member's card with its wallet buttons.
import { t, lang, wire, onChange, formatNumber, formatDate } from "./i18n.js";
import { call, newKey } from "./api.js";

// What the program gives: loyalty.DefaultRules until GET /v1/program
// answers with the operator's rules, name, terms and contact.
const program = {
  name: null,
  terms: null,
  contact: null,
  welcome: 50,
  birthday: 100,
  tiers: [
    { id: "bronze", from: 0, percent: 100 },
    { id: "silver", from: 500, percent: 125 },
    { id: "gold", from: 1500, percent: 150 },
    { id: "platinum", from: 5000, percent: 200 },
  ],
};

// Kept for this tab only: the member's id and token, and an enrollment sent
// but not answered (its Idempotency-Key and body), so trying again after a
// network error replays it instead of enrolling twice.
const memberKey = "fidelio.member";
const pendingKey = "fidelio.enrollment";

const $ = (id) => document.getElementById(id);
const form = $("join-form");
const fields = ["name", "email", "birthday", "consent"];
let member = null; // the profile on show
let formState = "idle"; // idle | sending | retry

onChange(render);
wire();
form.addEventListener("submit", submit);
$("refresh").addEventListener("click", () => refresh(true));
$("forget").addEventListener("click", forget);
$("card-image").addEventListener("error", () => {
  if ($("card-image").getAttribute("src")) status("card.imgError", "error");
});
for (const name of fields) {
  $(name).addEventListener("input", () => {
    if ($(name).getAttribute("aria-invalid") === "true") fieldError(name, "");
  });
}
$("birthday").max = today();

if (saved()) {
  showCard(true);
  refresh(false);
}
loadProgram();

// loadProgram shows the program as the operator set it; without an answer
// the page keeps the defaults it was written with.
async function loadProgram() {
  const res = await call("GET", "/v1/program");
  if (!res.ok || !res.data) return;
  const p = res.data;
  Object.assign(program, { name: p.name, terms: p.terms ?? null, contact: p.contact ?? null });
  program.welcome = p.welcomeBonus;
  program.birthday = p.birthdayBonus;
  for (const tier of program.tiers) {
    tier.from = p.thresholds[tier.id];
    tier.percent = p.multiplierPercent[tier.id];
  }
  render();
}

// inLang is an operator's text ({en, fr}) in the page's language.
function inLang(text) {
  return text ? text[lang] || text.en || "" : "";
}

function saved() {
  try {
    return JSON.parse(sessionStorage.getItem(memberKey));
  } catch {
    return null;
  }
}

function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// render writes what depends on the language and on the member on show.
function render() {
  if (program.name) {
    $("program-name").textContent = inLang(program.name);
    document.title = t("join.title").replace("Fidelio", inLang(program.name));
  }
  $("program-texts").hidden = !program.terms && !program.contact;
  $("program-terms").textContent = inLang(program.terms);
  $("program-contact").textContent = inLang(program.contact);
  $("program-terms").hidden = $("terms-heading").hidden = !program.terms;
  $("program-contact").hidden = $("contact-heading").hidden = !program.contact;
  $("perk-welcome").textContent = t("perk.welcome", { n: formatNumber(program.welcome) });
  $("perk-birthday").textContent = t("perk.birthday", { n: formatNumber(program.birthday) });
  const list = $("tier-list");
  list.replaceChildren(
    ...program.tiers.map((tier) => {
      const li = document.createElement("li");
      li.className = `tier tier-${tier.id}`;
      const name = document.createElement("strong");
      name.textContent = t(`tier.${tier.id}`);
      const from = document.createElement("span");
      from.textContent = tier.from === 0 ? t("tiers.start") : t("tiers.from", { n: formatNumber(tier.from) });
      const rate = document.createElement("span");
      rate.className = "rate";
      rate.textContent = t("tiers.rate", { rate: formatNumber(tier.percent / 100) });
      li.append(name, from, rate);
      return li;
    }),
  );
  $("join-submit").textContent = t(formState === "sending" ? "form.sending" : formState === "retry" ? "form.retry" : "form.submit");
  for (const name of fields) {
    const code = $(`${name}-error`).dataset.key;
    if (code) $(`${name}-error`).textContent = t(code);
  }
  const errors = $("form-errors");
  if (errors.dataset.key) errors.textContent = t(errors.dataset.key, { n: errors.dataset.n, detail: errors.dataset.detail });
  const notice = $("card-status");
  if (notice.dataset.key) notice.textContent = t(notice.dataset.key);
  if (member) fillCard(member);
  else document.title = t("join.title");
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
  const details = JSON.stringify([v.name, v.email, v.birthday]);
  let pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(pendingKey));
  } catch {}
  if (!pending || pending.details !== details) {
    const body = { name: v.name, email: v.email, locale: lang };
    if (v.birthday) body.birthday = v.birthday;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) body.timeZone = zone;
    pending = { key: newKey(), details, json: JSON.stringify(body) };
    sessionStorage.setItem(pendingKey, JSON.stringify(pending));
  }
  setFormState("sending");
  const r = await call("POST", "/v1/members", { json: pending.json, key: pending.key });
  if (r.ok) {
    sessionStorage.removeItem(pendingKey);
    sessionStorage.setItem(memberKey, JSON.stringify({ id: r.data.id, token: r.data.token }));
    setFormState("idle");
    form.reset();
    member = r.data;
    showCard(false);
    return;
  }
  if (r.retry) {
    setFormState("retry");
    summary("err.enrollRetry");
    return;
  }
  sessionStorage.removeItem(pendingKey);
  setFormState("idle");
  if (r.code === "email_taken") {
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

function showCard(loading) {
  $("join").hidden = true;
  $("card").hidden = false;
  if (loading) {
    status("card.loading");
    return;
  }
  status("");
  fillCard(member);
  $("card-heading").focus();
  window.scrollTo(0, 0);
}

function showJoin(key) {
  member = null;
  $("card").hidden = true;
  $("join").hidden = false;
  $("card-image").removeAttribute("src");
  summary(key || "");
  render();
}

// status shows a message (a key of strings.js, or "" for none) above the card.
function status(key, kind) {
  const el = $("card-status");
  el.dataset.key = key;
  el.textContent = key ? t(key) : "";
  el.className = "notice" + (kind ? ` ${kind}` : "");
}

// fillCard shows a member's profile (the API's member view, with links).
function fillCard(m) {
  document.title = t("card.title");
  $("card-heading").textContent = t("card.hello", { name: m.name });
  const tierName = t(`tier.${m.tier}`);
  const img = $("card-image");
  if (m.links?.card && img.getAttribute("src") !== m.links.card) img.src = m.links.card;
  img.alt = t("card.alt", { tier: tierName, balance: formatNumber(m.balance), number: m.memberNumber });
  $("apple-pass").href = m.links?.applePass ?? "#";
  $("apple-pass").hidden = !m.links?.applePass;
  $("google-save").href = m.links?.googleSave ?? "#";
  $("google-save").hidden = !m.links?.googleSave;
  $("balance").textContent = formatNumber(m.balance);
  const chip = $("tier");
  chip.textContent = tierName;
  chip.className = `tier-chip tier-${m.tier}`;
  const next = m.nextTier;
  const bar = $("progress-bar");
  if (next) {
    $("next-tier").textContent = t("card.next", { n: formatNumber(next.pointsNeeded), tier: t(`tier.${next.tier}`) });
    const have = m.qualifyingPoints ?? 0;
    bar.style.width = `${Math.round((100 * have) / Math.max(1, have + next.pointsNeeded))}%`;
    bar.className = `tier-${m.tier}`;
  } else {
    $("next-tier").textContent = t("card.top");
    bar.style.width = "100%";
    bar.className = `tier-${m.tier}`;
  }
  const exp = $("expiring");
  exp.hidden = !m.expiringSoon;
  if (m.expiringSoon) exp.textContent = t("card.expiring", { n: formatNumber(m.expiringSoon.points), date: formatDate(m.expiringSoon.on) });
  $("member-number").textContent = m.memberNumber;
}

// refresh reads the profile again: the balance, and fresh 24-hour links.
async function refresh(byHand) {
  const s = saved();
  if (!s) return showJoin();
  const button = $("refresh");
  button.disabled = true;
  if (byHand) button.textContent = t("card.refreshing");
  const r = await call("GET", `/v1/members/${encodeURIComponent(s.id)}`, { token: s.token });
  button.disabled = false;
  button.textContent = t("card.refresh");
  if (r.ok) {
    member = r.data;
    showCard(false);
    return;
  }
  if (r.retry) {
    status("card.network", "error");
    return;
  }
  sessionStorage.removeItem(memberKey);
  showJoin("card.gone");
}

function forget() {
  sessionStorage.removeItem(memberKey);
  showJoin();
  $("join-heading").focus();
}
