// The member space: the card, the balance and what it buys, giving to
// charities, the history, the member's profile, email and data, and
// deleting the account. The browser is signed in by an HttpOnly session
// cookie (from the card's link, an emailed link, or joining); the page
// itself keeps no token and no member data in storage.
import { t, wire, onChange, formatNumber, formatDate, lang } from "./i18n.js";
import { call, newKey } from "./api.js";
import { formatMoney } from "./referral.js";
import { showLogo } from "./brand.js";

const $ = (id) => document.getElementById(id);
const tierOrder = ["bronze", "silver", "gold", "platinum"];

let program = null; // GET /v1/program: the rules, rewards and stores as the operator set them
let charities = [];
let member = null;
let entries = [];
let plan = null;
let statusKeys = {}; // notice id -> [key, vars, kind], redrawn in the other language
let giveKey = null; // the Idempotency-Key of a gift sent but not answered
let profileFilled = false; // the profile form holds the member's details, and then the member's edits
const fieldIds = ["profile-name", "profile-birthday", "email-new"];
// Where the links of emails land: /me/email's outcomes, and /me/link's.
const emailOutcomes = ["changed", "taken", "expired", "invalid", "deleted"];
const linkProblems = ["invalid", "expired", "replaced", "deleted"];

onChange(render);
wire();
$("signin-form").addEventListener("submit", askLink);
$("give-form").addEventListener("submit", give);
$("pledge-form").addEventListener("submit", savePledge);
$("pledge-cancel").addEventListener("click", stopPledge);
$("signout").addEventListener("click", signOut);
$("give-charity").addEventListener("change", giveHint);
$("referral-copy").addEventListener("click", copyReferral);
$("referral-share").addEventListener("click", shareReferral);
$("profile-form").addEventListener("submit", saveProfile);
$("marketing").addEventListener("change", setMarketing);
$("email-form").addEventListener("submit", changeEmail);
$("delete-open").addEventListener("click", () => {
  notice("delete-status", "");
  $("delete-dialog").showModal();
});
$("delete-cancel").addEventListener("click", () => $("delete-dialog").close());
$("delete-confirm").addEventListener("click", deleteAccount);
for (const id of fieldIds) {
  $(id).addEventListener("input", () => {
    if ($(id).getAttribute("aria-invalid") === "true") fieldError(id, "");
  });
}
start();

async function start() {
  const params = new URLSearchParams(location.search);
  const problem = linkProblems.includes(params.get("link")) ? params.get("link") : "";
  const emailOutcome = emailOutcomes.includes(params.get("email")) ? params.get("email") : "";
  if (location.search) history.replaceState(null, "", "/me");
  const [session, prog] = await Promise.all([call("GET", "/v1/session"), call("GET", "/v1/program")]);
  if (prog.ok) program = prog.data;
  showLogo(program);
  $("loading").hidden = true;
  if (!session.ok) {
    if (emailOutcome) showSignIn(`me.email.${emailOutcome}`, emailOutcome === "changed" ? "ok" : "warn");
    else showSignIn(problem ? `me.link.${problem}` : "", "warn");
    return;
  }
  await load(session.data.memberId);
  if (member && emailOutcome) {
    notice("space-status", emailOutcome === "changed" ? "me.email.changedTo" : `me.email.${emailOutcome}`, { email: member.email }, emailOutcome === "changed" ? "ok" : "warn");
  }
}

// showSignIn shows the sign-in form, with a message of kind ("ok", "warn",
// or "" for news).
function showSignIn(key, kind = "") {
  $("space").hidden = true;
  $("signin").hidden = false;
  notice("signin-status", key, {}, kind);
  render();
}

async function load(id) {
  const base = `/v1/members/${encodeURIComponent(id)}`;
  const [m, ledger, cs, p] = await Promise.all([
    call("GET", base),
    call("GET", `${base}/ledger?limit=100`),
    call("GET", "/v1/charities"),
    call("GET", `${base}/donation-plan`),
  ]);
  if (!m.ok) {
    showSignIn(m.status === 401 ? "me.link.expired" : "me.network");
    return;
  }
  member = m.data;
  entries = ledger.ok ? ledger.data.entries : [];
  charities = cs.ok ? cs.data.charities : [];
  plan = p.ok ? p.data : null;
  $("signin").hidden = true;
  $("space").hidden = false;
  if (!profileFilled) fillProfile();
  fillSelect("give-charity");
  fillSelect("pledge-charity");
  if (plan) {
    $("pledge-charity").value = plan.charityId;
    $("pledge-points").value = plan.monthlyPoints ? String(plan.monthlyPoints) : "";
    $("pledge-expiring").checked = !!plan.donateExpiringPoints;
  }
  render();
}

function inLang(text) {
  return text ? text[lang] || text.en || "" : "";
}

function fillSelect(id) {
  const sel = $(id);
  const was = sel.value;
  sel.replaceChildren(
    ...charities.map((c) => {
      const o = document.createElement("option");
      o.value = c.id;
      o.textContent = c.name;
      return o;
    }),
  );
  if (was) sel.value = was;
}

// fillProfile puts the member's details in the profile form.
function fillProfile() {
  $("profile-name").value = member.name;
  $("profile-birthday").value = member.birthday ?? "";
  $("profile-birthday").max = today();
  $("profile-locale").value = localeLang(member.locale);
  profileFilled = true;
}

// localeLang is the page's language closest to a member's locale ("fr-FR").
function localeLang(locale) {
  return (locale ?? "").toLowerCase().startsWith("fr") ? "fr" : "en";
}

function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// fieldError shows a message (a key) under a field, or clears it.
function fieldError(id, key) {
  const el = $(`${id}-error`);
  el.dataset.key = key;
  el.textContent = key ? t(key) : "";
  if (key) $(id).setAttribute("aria-invalid", "true");
  else $(id).removeAttribute("aria-invalid");
}

// notice shows a message (a key of strings.js) in a status region.
function notice(id, key, vars = {}, kind = "") {
  statusKeys[id] = [key, vars, kind];
  const el = $(id);
  el.textContent = key ? t(key, vars) : "";
  el.className = "notice" + (kind ? ` ${kind}` : "");
}

function render() {
  for (const [id, [key, vars, kind]] of Object.entries(statusKeys)) notice(id, key, vars, kind);
  if (program?.name) {
    $("program-name").textContent = inLang(program.name);
    document.title = t("me.title").replace("Fidelio", inLang(program.name));
  }
  for (const id of fieldIds) {
    const key = $(`${id}-error`).dataset.key;
    if (key) $(`${id}-error`).textContent = t(key);
  }
  if (!member) return;
  $("card-heading").textContent = t("me.hello", { name: member.name });
  const tierName = t(`tier.${member.tier}`);
  const img = $("card-image");
  if (member.links?.card && img.getAttribute("src") !== member.links.card) img.src = member.links.card;
  img.alt = t("card.alt", { tier: tierName, balance: formatNumber(member.balance), number: member.memberNumber });
  $("apple-pass").href = member.links?.applePass ?? "#";
  $("apple-pass").hidden = !member.links?.applePass;
  $("google-save").href = member.links?.googleSave ?? "#";
  $("google-save").hidden = !member.links?.googleSave;
  $("balance").textContent = formatNumber(member.balance);
  $("tier").textContent = tierName;
  $("tier").className = `tier-chip tier-${member.tier}`;
  const next = member.nextTier;
  const have = member.qualifyingPoints ?? 0;
  const pct = next ? Math.round((100 * have) / Math.max(1, have + next.pointsNeeded)) : 100;
  $("next-tier").textContent = next ? t("card.next", { n: formatNumber(next.pointsNeeded), tier: t(`tier.${next.tier}`) }) : t("card.top");
  $("progress-bar").style.width = `${pct}%`;
  $("progress-bar").className = `tier-${member.tier}`;
  $("progress").setAttribute("aria-valuenow", String(pct));
  const exp = member.expiringSoon;
  $("expiring").hidden = !exp;
  if (exp) $("expiring").textContent = t("card.expiring", { n: formatNumber(exp.points), date: formatDate(exp.on) });
  $("member-number").textContent = member.memberNumber;
  $("download").href = `/v1/members/${encodeURIComponent(member.id)}/export`;
  renderProfile();
  renderRewards();
  renderReferral();
  giveHint();
  renderGiven();
  renderPledge();
  renderHistory();
}

// renderProfile writes the birthday's terms as GET /v1/program states
// them, the email written to, the marketing switch and what deleting
// costs.
function renderProfile() {
  const terms = program?.birthday;
  $("profile-birthday-rule").hidden = !terms;
  if (terms) $("profile-birthday-rule").textContent = t("me.birthdayRule", { tenure: formatNumber(terms.minTenureDays), cooldown: formatNumber(terms.changeCooldownDays) });
  $("email-now").textContent = member.email;
  $("marketing").checked = !!member.marketing;
  $("delete-points").textContent = t("me.deletePoints", { n: formatNumber(member.balance) });
}

function rewardName(r) {
  return lang === "fr" && r.nameFr ? r.nameFr : r.name;
}

function renderRewards() {
  const rewards = program?.rewards ?? [];
  const rank = tierOrder.indexOf(member.tier);
  const allowed = rewards.filter((r) => !r.minTier || tierOrder.indexOf(r.minTier) <= rank);
  const now = allowed.filter((r) => r.points <= member.balance);
  const later = allowed.filter((r) => r.points > member.balance).slice(0, 3);
  $("rewards-now").replaceChildren(...now.map((r) => rewardItem(r, t("me.rewardCost", { n: formatNumber(r.points) }), false)));
  $("rewards-none").hidden = now.length > 0;
  $("rewards-next").replaceChildren(...later.map((r) => rewardItem(r, t("me.rewardMore", { n: formatNumber(r.points - member.balance) }), true)));
}

// renderReferral shows the member's invitation link and what it brings,
// while the program's referral is on.
function renderReferral() {
  const terms = program?.referral;
  const mine = member.referral;
  $("referral").hidden = !terms || !mine;
  if ($("referral").hidden) return;
  const vars = { referrer: formatNumber(terms.referrerPoints), newMember: formatNumber(terms.newMemberPoints) };
  $("referral-lead").textContent = terms.minPurchase > 0 ? t("referral.lead", { ...vars, min: formatMoney(terms.minPurchase, program.currency) }) : t("referral.leadAny", vars);
  $("referral-cap").textContent = t("referral.cap", { n: formatNumber(terms.monthlyCap) });
  $("referral-link").value = mine.link;
  $("referral-code").textContent = mine.code;
  $("referral-share").hidden = !navigator.share;
}

async function copyReferral() {
  try {
    await navigator.clipboard.writeText(member.referral.link);
  } catch {
    // Without clipboard access the link is selected for the member to copy.
    $("referral-link").select();
    return;
  }
  notice("referral-status", "referral.copied", {}, "ok");
}

async function shareReferral() {
  const text = t("referral.shareText", { program: inLang(program.name), n: formatNumber(program.referral.newMemberPoints) });
  try {
    await navigator.share({ text, url: member.referral.link });
  } catch {}
}

function rewardItem(r, note, locked) {
  const li = document.createElement("li");
  if (locked) li.className = "locked";
  const name = document.createElement("span");
  name.textContent = rewardName(r);
  const cost = document.createElement("span");
  cost.className = "cost";
  cost.textContent = note;
  li.append(name, cost);
  return li;
}

function charityName(id) {
  return charities.find((c) => c.id === id)?.name ?? id;
}

function giveHint() {
  const c = charities.find((c) => c.id === $("give-charity").value);
  $("give-hint").textContent = c ? t("me.giveHint", { min: formatNumber(c.minPoints || 1), step: formatNumber(c.step || 1) }) : "";
}

function renderGiven() {
  const year = String(new Date().getFullYear());
  const per = new Map();
  for (const e of entries) {
    if (e.kind === "donate" && e.createdAt.startsWith(year)) per.set(e.charityId, (per.get(e.charityId) ?? 0) - e.points);
  }
  $("given").replaceChildren(
    ...[...per].map(([id, n]) => {
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = charityName(id);
      const pts = document.createElement("strong");
      pts.textContent = t("me.rewardCost", { n: formatNumber(n) });
      li.append(name, pts);
      return li;
    }),
  );
  $("given-none").hidden = per.size > 0;
}

function renderPledge() {
  let text = t("me.pledgeNone");
  if (plan?.monthlyPoints) {
    text = t("me.pledgeNow", { n: formatNumber(plan.monthlyPoints), charity: charityName(plan.charityId), date: formatDate(plan.nextPledgeOn) });
  } else if (plan) {
    text = t("me.pledgeExpiringOnly", { charity: charityName(plan.charityId) });
  }
  $("pledge-now").textContent = text;
  $("pledge-cancel").hidden = !plan;
}

function renderHistory() {
  const stores = new Map((program?.stores ?? []).map((s) => [s.id, s.name]));
  const rewards = new Map((program?.rewards ?? []).map((r) => [r.id, rewardName(r)]));
  $("history").replaceChildren(
    ...entries.map((e) => {
      const li = document.createElement("li");
      const what = document.createElement("span");
      what.className = "what";
      let label = t(`kind.${e.kind}`);
      const where = e.charityId ? charityName(e.charityId) : e.rewardId ? rewards.get(e.rewardId) ?? e.rewardId : e.storeId ? stores.get(e.storeId) ?? e.storeId : "";
      if (where) label += ` · ${where}`;
      what.textContent = label;
      const when = document.createElement("span");
      when.className = "when";
      when.textContent = formatDate(e.createdAt.slice(0, 10));
      const pts = document.createElement("span");
      pts.className = "points" + (e.points > 0 ? " plus" : "");
      pts.textContent = (e.points > 0 ? "+" : "") + formatNumber(e.points);
      li.append(what, pts, when);
      return li;
    }),
  );
}

function wholePoints(value) {
  return /^\d{1,12}$/.test(value.trim()) ? Number(value.trim()) : 0;
}

async function give(event) {
  event.preventDefault();
  const points = wholePoints($("give-points").value);
  if (!points) {
    notice("give-status", "me.pointsWanted", {}, "error");
    $("give-points").focus();
    return;
  }
  giveKey ??= newKey();
  $("give-submit").disabled = true;
  const body = JSON.stringify({ charityId: $("give-charity").value, points });
  const r = await call("POST", `/v1/members/${encodeURIComponent(member.id)}/donations`, { json: body, key: giveKey });
  $("give-submit").disabled = false;
  if (r.retry) {
    notice("give-status", "me.network", {}, "error");
    return;
  }
  giveKey = null;
  if (!r.ok) {
    notice("give-status", "me.refused", { detail: r.detail }, "error");
    return;
  }
  notice("give-status", "me.thanks", { n: formatNumber(points), charity: charityName($("give-charity").value) }, "ok");
  $("give-points").value = "";
  await load(member.id);
}

async function savePledge(event) {
  event.preventDefault();
  const points = wholePoints($("pledge-points").value);
  if (!points && !$("pledge-expiring").checked) {
    notice("pledge-status", "me.pointsWanted", {}, "error");
    $("pledge-points").focus();
    return;
  }
  const body = JSON.stringify({ charityId: $("pledge-charity").value, monthlyPoints: points, donateExpiringPoints: $("pledge-expiring").checked });
  const r = await call("PUT", `/v1/members/${encodeURIComponent(member.id)}/donation-plan`, { json: body });
  if (!r.ok) {
    notice("pledge-status", r.retry ? "me.network" : "me.refused", { detail: r.detail }, "error");
    return;
  }
  notice("pledge-status", "me.pledgeSaved", {}, "ok");
  await load(member.id);
}

// remove sends a DELETE, whose answer has no body (204), and returns its
// status: 0 when no answer came.
async function remove(path) {
  try {
    const res = await fetch(path, { method: "DELETE", cache: "no-store" });
    return res.status;
  } catch {
    return 0;
  }
}

const done = (status) => status >= 200 && status < 300;

async function stopPledge() {
  if (!done(await remove(`/v1/members/${encodeURIComponent(member.id)}/donation-plan`))) {
    notice("pledge-status", "me.network", {}, "error");
    return;
  }
  notice("pledge-status", "me.pledgeStopped", {}, "ok");
  $("pledge-points").value = "";
  $("pledge-expiring").checked = false;
  await load(member.id);
}

async function askLink(event) {
  event.preventDefault();
  const email = $("signin-email").value.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    $("signin-error").textContent = t("err.email");
    $("signin-email").setAttribute("aria-invalid", "true");
    $("signin-email").focus();
    return;
  }
  $("signin-error").textContent = "";
  $("signin-email").removeAttribute("aria-invalid");
  $("signin-submit").disabled = true;
  const r = await call("POST", "/v1/session/email", { json: JSON.stringify({ email }) });
  $("signin-submit").disabled = false;
  if (r.ok) notice("signin-status", "me.linkSent", { email }, "ok");
  else notice("signin-status", r.retry ? "me.network" : "me.refused", { detail: r.detail }, "error");
}

async function signOut() {
  await remove("/v1/session");
  member = null;
  showSignIn("me.signedOut");
}

// saveProfile sends what changed in the profile form; the API judges the
// birthday, and its refusal shows beside the field.
async function saveProfile(event) {
  event.preventDefault();
  const name = $("profile-name").value.trim();
  if (!name) {
    fieldError("profile-name", "err.name");
    $("profile-name").focus();
    return;
  }
  const change = {};
  if (name !== member.name) change.name = name;
  const birthday = $("profile-birthday").value;
  if (birthday && birthday !== (member.birthday ?? "")) change.birthday = birthday;
  const locale = $("profile-locale").value;
  if (locale !== localeLang(member.locale)) change.locale = locale;
  if (!Object.keys(change).length) {
    notice("profile-status", "me.profileSame");
    return;
  }
  $("profile-submit").disabled = true;
  const r = await call("PATCH", `/v1/members/${encodeURIComponent(member.id)}`, { json: JSON.stringify(change) });
  $("profile-submit").disabled = false;
  if (r.code === "invalid_birthday") {
    notice("profile-status", "");
    fieldError("profile-birthday", "me.birthdayInvalid");
    $("profile-birthday").focus();
    return;
  }
  if (!r.ok) {
    notice("profile-status", r.retry ? "me.network" : "me.refused", { detail: r.detail }, "error");
    return;
  }
  member = r.data;
  fillProfile();
  render();
  notice("profile-status", "me.profileSaved", {}, "ok");
}

// setMarketing gives or withdraws the consent as soon as the switch moves.
async function setMarketing() {
  const on = $("marketing").checked;
  notice("marketing-status", "");
  const r = await call("PUT", `/v1/members/${encodeURIComponent(member.id)}/marketing`, { json: JSON.stringify({ marketing: on }) });
  if (!r.ok) {
    $("marketing").checked = !!member.marketing;
    notice("marketing-status", r.retry ? "me.network" : "me.refused", { detail: r.detail }, "error");
    return;
  }
  member.marketing = r.data.marketing;
  $("marketing").checked = member.marketing;
  notice("marketing-status", member.marketing ? "me.marketingOn" : "me.marketingOff", {}, "ok");
}

// changeEmail asks for a link to the new address; the email changes when
// the link is opened (GET /me/email, which comes back to /me?email=…).
async function changeEmail(event) {
  event.preventDefault();
  const email = $("email-new").value.trim();
  let problem = "";
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problem = "err.email";
  else if (email.toLowerCase() === member.email) problem = "me.emailSame";
  fieldError("email-new", problem);
  if (problem) {
    $("email-new").focus();
    return;
  }
  notice("email-status", "");
  $("email-submit").disabled = true;
  const r = await call("POST", `/v1/members/${encodeURIComponent(member.id)}/email`, { json: JSON.stringify({ email }) });
  $("email-submit").disabled = false;
  if (r.ok) {
    notice("email-status", "me.emailSent", { email: r.data.email, old: member.email }, "ok");
    $("email-new").value = "";
    return;
  }
  if (r.code === "email_taken" || r.code === "invalid_email") {
    fieldError("email-new", r.code === "email_taken" ? "me.emailTaken" : "err.email");
    $("email-new").focus();
    return;
  }
  notice("email-status", r.retry ? "me.network" : r.code === "mail_unavailable" ? "me.mailOff" : "me.refused", { detail: r.detail }, "error");
}

// deleteAccount deletes the account once the member confirmed in the
// dialog; the session ends with it.
async function deleteAccount() {
  $("delete-confirm").disabled = true;
  notice("delete-status", "me.deleting");
  const status = await remove(`/v1/members/${encodeURIComponent(member.id)}`);
  $("delete-confirm").disabled = false;
  if (!done(status)) {
    notice("delete-status", status ? "me.refused" : "me.network", { detail: status }, "error");
    return;
  }
  $("delete-dialog").close();
  member = null;
  $("space").hidden = true;
  $("deleted").hidden = false;
  $("deleted-heading").focus();
}
