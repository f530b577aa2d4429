// The operator's console: sign in with an operator key (kept for the tab
// only), then the screens the key's role may use. Everything here calls the
// admin API (README's route table); the API refuses what the role may not
// do, and the page hides it so nobody is offered a button that fails.
import { call, newKey } from "./api.js";
import * as i18n from "./i18n.js";
import { t, formatNumber } from "./i18n.js";
import { formatMinor, toMinor } from "./money.js";
import strings from "./strings.js";
import consoleStrings from "./admin-strings.js";
import { chart } from "./admin-charts.js";
import { screens } from "./admin-campaigns.js";

for (const l of Object.keys(consoleStrings)) Object.assign(strings[l], consoleStrings[l]);

const keyName = "fidelio.operator.key";
const ranks = { analyst: 1, manager: 2, owner: 3 };
const $ = (id) => document.getElementById(id);

let operatorKey = sessionStorage.getItem(keyName) || "";
let session = null; // {keyId, name, role}
let program = null; // the rules, for the currency
let current = null; // the member on show
let rerender = () => {};

// may says whether the signed-in key's role reaches need.
const may = (need) => session && ranks[session.role] >= ranks[need];

// api calls the admin API with the operator key; a key that stopped working
// signs the tab out.
async function api(method, path, opts = {}) {
  const res = await call(method, path, { ...opts, token: operatorKey });
  if (res.status === 401 && session) signOut("console.expired");
  return res;
}

function problem(res) {
  if (res.retry) return t("console.network");
  return res.detail || res.code || t("console.network");
}

function say(text, kind = "") {
  const s = $("status");
  s.className = "notice " + kind;
  s.textContent = text;
}

// el builds an element: el("td", {className: "num"}, "12", child…).
function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith("data-") || k.startsWith("aria-") || k === "scope") e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// table builds a data table: heads are strings, rows arrays of cells.
function table(caption, heads, rows, empty) {
  if (!rows.length) return el("p", { className: "note" }, empty ?? t("console.none"));
  return el("div", { className: "table-wrap" },
    el("table", { className: "data" },
      el("caption", { className: "visually-hidden" }, caption),
      el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => (c instanceof Node && c.tagName === "TD" ? c : el("td", {}, c))))))));
}

const num = (n) => el("td", { className: "num" }, formatNumber(n));
const day = (iso) => (iso ? new Intl.DateTimeFormat(i18n.lang, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(iso)) : "");
const moment = (iso) => new Intl.DateTimeFormat(i18n.lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
const money = (m) => (m ? (m.currency === "EUR" ? formatMinor(m.value, i18n.lang) : `${formatNumber(m.value / 100)} ${m.currency}`) : "—");
const tierName = (tier) => (tier ? t("tier." + tier) : "");
const isoDay = (d) => d.toISOString().slice(0, 10);

function button(label, onClick, cls = "button small") {
  const b = el("button", { type: "button", className: cls }, label);
  b.addEventListener("click", onClick);
  return b;
}

// confirm asks in a modal dialog; withNote asks for a reason too.
function confirm(text, withNote = false) {
  const d = $("confirm");
  $("confirm-text").textContent = text;
  $("confirm-note").value = "";
  $("confirm-note").hidden = $("confirm-note-label").hidden = !withNote;
  d.returnValue = "";
  d.showModal();
  return new Promise((resolve) => d.addEventListener("close", () => resolve(d.returnValue === "yes" ? { note: $("confirm-note").value.trim() } : null), { once: true }));
}

// showRole hides what the key's role may not do.
function showRole() {
  for (const e of document.querySelectorAll("[data-role]")) e.hidden = !may(e.dataset.role);
  for (const id of ["settings-fields", "settings-auto", "settings-referral"]) $(id).disabled = !may("owner");
  const who = $("who");
  who.hidden = !session;
  if (session) who.textContent = t("console.who", { name: session.name, role: t("role." + session.role) });
}

// Sign-in ------------------------------------------------------------------

async function signIn(key) {
  operatorKey = key;
  const res = await call("GET", "/v1/admin/session", { token: key });
  if (!res.ok) {
    operatorKey = "";
    return res;
  }
  session = res.data;
  sessionStorage.setItem(keyName, key);
  const rules = await api("GET", "/v1/admin/program");
  program = rules.ok ? rules.data : { currency: "EUR" };
  $("signin").hidden = true;
  $("console").hidden = $("signout").hidden = false;
  showRole();
  route();
  return res;
}

function signOut(why) {
  sessionStorage.removeItem(keyName);
  operatorKey = "";
  session = current = null;
  $("console").hidden = $("signout").hidden = true;
  $("signin").hidden = false;
  $("operator-key").value = "";
  $("operator-key-error").textContent = why ? t(why) : "";
  showRole();
  $("operator-key").focus();
}

$("signin").addEventListener("submit", async (e) => {
  e.preventDefault();
  const key = $("operator-key").value.trim();
  const err = $("operator-key-error");
  if (!key.startsWith("fa_")) {
    err.textContent = t("console.keyForm");
    return;
  }
  err.textContent = "";
  $("signin-submit").disabled = true;
  const res = await signIn(key);
  $("signin-submit").disabled = false;
  if (!res.ok) err.textContent = res.status === 401 ? t("console.keyRefused") : problem(res);
});
$("signout").addEventListener("click", () => signOut(""));

// Views ----------------------------------------------------------------------

const views = {
  dashboard: { load: loadDashboard },
  members: { load: () => {} },
  member: { load: (id) => loadMember(id) },
  rewards: { load: loadRewards },
  stores: { load: loadStores },
  staff: { load: loadStaff, role: "manager" },
  operators: { load: loadOperators, role: "owner" },
  charities: { load: loadCharities },
  settings: { load: loadSettings },
  audit: { load: () => loadAudit(""), role: "manager" },
  webhooks: { load: (id) => loadWebhooks(id), role: "manager" },
  exports: { load: () => {} },
};
// The segments, campaigns and promotions, in a file of their own.
Object.assign(views, screens({
  api, problem, say, el, table, button, num, moment, confirm, may, stores,
  redraw: (draw) => {
    rerender = draw;
    draw();
  },
}));

// route shows the view the address names (#members, #member/<id>).
function route() {
  if (!session) return;
  let [name, arg] = location.hash.slice(1).split("/");
  if (!views[name] || (views[name].role && !may(views[name].role))) name = "dashboard";
  for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== "view-" + name;
  for (const a of document.querySelectorAll("[data-view]")) {
    if (a.dataset.view === name || (name === "member" && a.dataset.view === "members")) {
      a.setAttribute("aria-current", "page");
      // On a phone the menu scrolls sideways: the current screen stays in it.
      a.scrollIntoView({ block: "nearest", inline: "nearest" });
    } else a.removeAttribute("aria-current");
  }
  say("");
  rerender = () => {};
  views[name].load(arg);
  document.querySelector(`#view-${name} h1`).focus();
}
window.addEventListener("hashchange", route);

// Dashboard -------------------------------------------------------------------

function defaultPeriod() {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86400000);
  if (!$("period-from").value) $("period-from").value = isoDay(from);
  if (!$("period-to").value) $("period-to").value = isoDay(to);
}

async function loadDashboard() {
  defaultPeriod();
  const [res, shops] = await Promise.all([api("GET", `/v1/admin/stats?from=${$("period-from").value}&to=${$("period-to").value}`), stores()]);
  if (!res.ok) return say(problem(res), "error");
  const names = Object.fromEntries(shops.map((s) => [s.id, s.name]));
  rerender = () => drawDashboard(res.data, names);
  rerender();
}

function drawDashboard(report, storeNames) {
  const total = report.total;
  const kpis = [
    ["dash.enrollments", formatNumber(total.enrollments)],
    ["dash.referrals", t("dash.referralsOf", { joined: formatNumber(total.referrals.joined), rewarded: formatNumber(total.referrals.rewarded - total.referrals.takenBack) })],
    ["dash.active", formatNumber(total.activeMembers)],
    ["dash.earnings", formatNumber(total.earnings)],
    ...Object.entries(total.money).map(([cur, s]) => ["dash.sales", money({ value: s.amount - s.reversedAmount, currency: cur }), cur]),
    ["dash.issued", formatNumber(total.points.issued)],
    ["dash.redeemed", formatNumber(total.points.redeemed)],
    ["dash.expired", formatNumber(total.points.expired)],
    ["dash.donated", formatNumber(total.points.donated)],
    ["dash.adjusted", formatNumber(total.points.adjusted)],
    ["dash.outstanding", formatNumber(total.outstanding)],
    ["dash.outstandingValue", money(total.outstandingValue)],
  ];
  $("kpis").replaceChildren(...kpis.map(([k, v, cur]) => el("div", { "data-kpi": k.split(".")[1] }, el("dt", {}, t(k, { currency: cur })), el("dd", {}, v))));

  const days = report.days;
  const label = (d) => new Intl.DateTimeFormat(i18n.lang, { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(d.day + "T12:00:00Z"));
  const stores = Object.entries(total.stores).sort((a, b) => b[1].points - a[1].points);
  const storeName = (id) => storeNames[id] || id;
  $("charts").replaceChildren(
    chart({ id: "chart-enrollments", kind: "column", title: t("dash.chartEnrollments"), labels: days.map(label), series: [{ name: t("dash.enrollments"), values: days.map((d) => d.enrollments) }] }),
    chart({
      id: "chart-points", kind: "column", title: t("dash.chartPoints"), labels: days.map(label),
      series: [
        { name: t("dash.issued"), values: days.map((d) => d.points.issued) },
        { name: t("dash.redeemed"), values: days.map((d) => d.points.redeemed) },
        { name: t("dash.expired"), values: days.map((d) => d.points.expired) },
        { name: t("dash.donated"), values: days.map((d) => d.points.donated) },
      ],
    }),
    chart({ id: "chart-outstanding", kind: "area", title: t("dash.chartOutstanding"), labels: days.map(label), series: [{ name: t("dash.outstanding"), values: days.map((d) => d.outstanding) }] }),
    chart({ id: "chart-tiers", kind: "bar", title: t("dash.chartTiers"), labels: ["bronze", "silver", "gold", "platinum"].map(tierName), series: [{ name: t("dash.members"), values: ["bronze", "silver", "gold", "platinum"].map((k) => total.tiers[k] ?? 0) }] }),
    chart({ id: "chart-stores", kind: "bar", title: t("dash.chartStores"), labels: stores.map(([id]) => storeName(id)), series: [{ name: t("dash.storePoints"), values: stores.map(([, s]) => s.points - s.reversedPoints) }] }),
  );
  $("store-figures").replaceChildren(table(t("dash.perStore"), [t("staff.store"), t("dash.earnings"), t("dash.storePoints"), t("dash.redemptions"), t("dash.redeemed"), t("dash.reversals")],
    stores.map(([id, s]) => [storeName(id), num(s.earnings), num(s.points - s.reversedPoints), num(s.redemptions ?? 0), num(s.redeemedPoints ?? 0), num(s.reversals)])));
}

$("period").addEventListener("submit", (e) => {
  e.preventDefault();
  loadDashboard();
});

// Members ---------------------------------------------------------------------

let nextResults = "";

async function search(more) {
  const q = $("search-q").value.trim();
  if (!q) return;
  const res = await api("GET", `/v1/admin/members?q=${encodeURIComponent(q)}` + (more ? `&cursor=${encodeURIComponent(nextResults)}` : ""));
  if (!res.ok) return say(problem(res), "error");
  nextResults = res.data.next || "";
  $("results-more").hidden = !nextResults;
  const rows = res.data.members.map((m) => [
    el("td", {}, el("a", { href: "#member/" + m.id }, m.name)),
    el("td", { className: "mono" }, m.memberNumber), m.email, tierName(m.tier), num(m.balance),
  ]);
  const found = table(t("members.results"), [t("members.name"), t("members.number"), t("members.email"), t("members.tier"), t("members.balance")], rows, t("members.nothing"));
  if (more) $("results").querySelector("tbody")?.append(...found.querySelectorAll("tbody tr"));
  else $("results").replaceChildren(found);
  say(t("members.found", { n: res.data.members.length }));
}
$("search").addEventListener("submit", (e) => {
  e.preventDefault();
  search(false);
});
$("results-more").addEventListener("click", () => search(true));

async function loadMember(id) {
  const res = await api("GET", "/v1/admin/members/" + encodeURIComponent(id));
  if (!res.ok) return say(problem(res), "error");
  current = res.data;
  rerender = drawMember;
  rerender();
}

function drawMember() {
  const m = current;
  $("member-heading").textContent = m.name;
  const facts = [
    ["members.number", el("span", { className: "mono" }, m.memberNumber)],
    ["members.email", m.email],
    ["members.tier", el("span", { className: "tier-chip tier-" + m.tier }, tierName(m.tier))],
    ["members.balance", formatNumber(m.balance)],
    ["member.qualifying", formatNumber(m.qualifyingPoints)],
    ["member.since", day(m.memberSince)],
    ["member.given", formatNumber(m.donations.givenThisYear)],
    ["member.devices", formatNumber(m.devices.apple)],
    ["member.class", m.activity.class ? t("class." + m.activity.class) : t("member.noPurchase")],
    ["member.state", m.blockedAt ? t("member.blocked", { note: m.blockNote || "—" }) : t("member.active")],
  ];
  $("member-profile").replaceChildren(...facts.map(([k, v]) => el("div", {}, el("dt", {}, t(k)), el("dd", {}, v))));
  $("block").hidden = Boolean(m.blockedAt);
  $("unblock").hidden = !m.blockedAt;
  $("member-lots").replaceChildren(table(t("member.lots"), [t("member.expires"), t("member.points")], m.lots.map((l) => [day(l.expiresOn), num(l.points)])));
  const reversed = new Set(m.ledger.filter((e) => e.reverses).map((e) => e.reverses));
  const rows = m.ledger.map((e) => [
    moment(e.createdAt), t("kind." + e.kind), num(e.points), num(e.balanceAfter),
    [e.amount ? money(e.amount) : "", e.storeId, e.receiptId, e.rewardId, e.note].filter(Boolean).join(" · "),
    e.keyName || "",
    el("td", {}, e.kind === "earn" && may("manager") && !reversed.has(e.transactionId) ? button(t("member.reverse"), () => reverse(e)) : ""),
  ]);
  $("member-ledger").replaceChildren(table(t("member.ledger"), [t("audit.when"), t("member.kind"), t("member.points"), t("member.after"), t("member.detail"), t("audit.who"), ""], rows));
}

// adjustKey is the Idempotency-Key of the adjustment being sent: kept until
// an answer comes, so a retry after a lost answer adjusts once.
let adjustKey = null;
$("adjust").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("adjust-points").value.trim();
  const err = $("adjust-error");
  if (!/^-?\d{1,9}$/.test(text) || Number(text) === 0) {
    err.textContent = t("member.pointsForm");
    $("adjust-points").setAttribute("aria-invalid", "true");
    return;
  }
  $("adjust-points").removeAttribute("aria-invalid");
  err.textContent = "";
  adjustKey ??= newKey();
  $("adjust-submit").disabled = true;
  const res = await api("POST", `/v1/admin/members/${current.id}/adjustments`, { json: JSON.stringify({ points: Number(text), note: $("adjust-note").value.trim() }), key: adjustKey });
  $("adjust-submit").disabled = false;
  if (res.retry) return (err.textContent = t("console.network"));
  adjustKey = null;
  if (!res.ok) return (err.textContent = problem(res));
  $("adjust-points").value = $("adjust-note").value = "";
  await loadMember(current.id);
  say(t("member.adjusted", { points: formatNumber(Number(text)), balance: formatNumber(current.balance) }), "ok");
});

async function reverse(entry) {
  if (!(await confirm(t("member.reverseConfirm", { points: formatNumber(entry.points), receipt: entry.receiptId || "" })))) return;
  const res = await api("POST", `/v1/transactions/${entry.transactionId}/reversal`, { key: "reversal-" + entry.transactionId });
  if (!res.ok) return say(problem(res), "error");
  await loadMember(current.id);
  say(t("member.reversed"), "ok");
}

$("reissue").addEventListener("click", async () => {
  if (!(await confirm(t("member.reissueConfirm")))) return;
  const res = await api("POST", `/v1/members/${current.id}/credentials`, { key: newKey() });
  if (!res.ok) return say(problem(res), "error");
  await loadMember(current.id);
  say(t("member.reissued"), "ok");
});

$("block").addEventListener("click", async () => {
  const answer = await confirm(t("member.blockConfirm"), true);
  if (!answer) return;
  const res = await api("PUT", `/v1/admin/members/${current.id}/block`, { json: JSON.stringify({ note: answer.note }) });
  if (!res.ok) return say(problem(res), "error");
  await loadMember(current.id);
  say(t("member.blockedNow"), "ok");
});

$("unblock").addEventListener("click", async () => {
  const res = await api("DELETE", `/v1/admin/members/${current.id}/block`);
  if (!res.ok) return say(problem(res), "error");
  await loadMember(current.id);
  say(t("member.unblockedNow"), "ok");
});

// download fetches a file the API serves to the operator key and hands it
// to the browser; a paged CSV export is fetched whole, page by page (each is
// a CSV file with its header line: the later ones lose theirs).
async function download(path, name, accept) {
  const parts = [];
  for (let url = path; url; ) {
    const res = await fetch(url, { headers: { Authorization: "Bearer " + operatorKey, Accept: accept }, cache: "no-store" });
    if (!res.ok) {
      const p = await res.json().catch(() => ({}));
      return say(p.detail || t("console.network"), "error");
    }
    let text = await res.blob();
    if (parts.length && accept === "text/csv") {
      const s = await text.text();
      text = s.slice(s.indexOf("\n") + 1);
    }
    parts.push(text);
    url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("Link") || "")?.[1];
  }
  const a = el("a", { href: URL.createObjectURL(new Blob(parts, { type: accept })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  say(t("console.downloaded", { name }), "ok");
}

$("print-card").addEventListener("click", () => download(`/v1/admin/members/${current.id}/card.pdf`, `card-${current.memberNumber.replace(/\s/g, "")}.pdf`, "application/pdf"));

// Rewards ---------------------------------------------------------------------

async function loadRewards() {
  const res = await api("GET", "/v1/admin/rewards");
  if (!res.ok) return say(problem(res), "error");
  rerender = () => {
    const rows = res.data.rewards.map((r) => [
      el("td", { className: "mono" }, r.id), i18n.lang === "fr" && r.nameFr ? r.nameFr : r.name, num(r.points), tierName(r.minTier) || t("rewards.anyTier"),
      [r.from ? day(r.from) : "", r.until ? day(r.until) : ""].join(" – ").replace(/^ – $/, ""),
      r.archivedAt ? t("rewards.retired") : t("rewards.offered"),
      el("td", {}, may("manager") ? el("span", { className: "row" }, button(t("edit"), () => editReward(r)), r.archivedAt ? "" : button(t("rewards.retire"), () => retireReward(r))) : ""),
    ]);
    $("rewards-list").replaceChildren(table(t("nav.rewards"), [t("col.id"), t("rewards.name"), t("rewards.points"), t("rewards.minTier"), t("rewards.window"), t("rewards.state"), ""], rows));
  };
  rerender();
}

function editReward(r) {
  $("reward-id").value = r.id;
  $("reward-name").value = r.name;
  $("reward-name-fr").value = r.nameFr || "";
  $("reward-points").value = r.points;
  $("reward-tier").value = r.minTier || "";
  $("reward-from").value = r.from ? r.from.slice(0, 10) : "";
  $("reward-until").value = r.until ? r.until.slice(0, 10) : "";
  $("reward-name").focus();
}

async function retireReward(r) {
  if (!(await confirm(t("rewards.retireConfirm", { name: r.name })))) return;
  const res = await api("DELETE", "/v1/admin/rewards/" + encodeURIComponent(r.id));
  if (!res.ok) return say(problem(res), "error");
  await loadRewards();
  say(t("saved"), "ok");
}

$("reward-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const id = $("reward-id").value.trim();
  const body = { name: $("reward-name").value.trim(), nameFr: $("reward-name-fr").value.trim(), points: Number($("reward-points").value.trim()) };
  if ($("reward-tier").value) body.minTier = $("reward-tier").value;
  if ($("reward-from").value) body.from = $("reward-from").value + "T00:00:00Z";
  if ($("reward-until").value) body.until = $("reward-until").value + "T23:59:59Z";
  const res = await api("PUT", "/v1/admin/rewards/" + encodeURIComponent(id), { json: JSON.stringify(body) });
  $("reward-error").textContent = res.ok ? "" : problem(res);
  if (!res.ok) return;
  e.target.reset();
  await loadRewards();
  say(t("saved"), "ok");
});

// Stores ----------------------------------------------------------------------

async function stores() {
  const res = await api("GET", "/v1/admin/stores");
  return res.ok ? res.data.stores : [];
}

async function loadStores() {
  const list = await stores();
  const rows = list.map((s) => [
    el("td", { className: "mono" }, s.id), s.name, s.address, s.timeZone,
    s.latitude !== undefined ? `${s.latitude}, ${s.longitude}` : "",
    el("td", {}, may("manager") ? button(t("edit"), () => editStore(s)) : ""),
  ]);
  $("stores-list").replaceChildren(table(t("nav.stores"), [t("col.id"), t("stores.name"), t("stores.address"), t("stores.timeZone"), t("stores.position"), ""], rows));
}

function editStore(s) {
  $("store-id").value = s.id;
  $("store-name").value = s.name;
  $("store-address").value = s.address || "";
  $("store-tz").value = s.timeZone || "";
  $("store-lat").value = s.latitude ?? "";
  $("store-lon").value = s.longitude ?? "";
  $("store-name").focus();
}

$("store-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const id = $("store-id").value.trim();
  const body = { id, name: $("store-name").value.trim(), address: $("store-address").value.trim(), timeZone: $("store-tz").value.trim() };
  if ($("store-lat").value.trim()) body.latitude = Number($("store-lat").value.trim().replace(",", "."));
  if ($("store-lon").value.trim()) body.longitude = Number($("store-lon").value.trim().replace(",", "."));
  const exists = (await stores()).some((s) => s.id === id);
  const res = exists
    ? await api("PUT", "/v1/admin/stores/" + encodeURIComponent(id), { json: JSON.stringify(body) })
    : await api("POST", "/v1/admin/stores", { json: JSON.stringify(body) });
  $("store-error").textContent = res.ok ? "" : problem(res);
  if (!res.ok) return;
  e.target.reset();
  await loadStores();
  say(t("saved"), "ok");
});

// Staff keys ------------------------------------------------------------------

async function loadStaff() {
  const [res, list] = await Promise.all([api("GET", "/v1/admin/staff-keys"), stores()]);
  if (!res.ok) return say(problem(res), "error");
  $("staff-store").replaceChildren(...list.map((s) => el("option", { value: s.id }, s.name)));
  const storeNames = Object.fromEntries(list.map((s) => [s.id, s.name]));
  const rows = res.data.staffKeys.map((k) => [
    k.name, storeNames[k.storeId] || k.storeId, day(k.createdAt), k.revokedAt ? t("keys.revokedOn", { day: day(k.revokedAt) }) : t("keys.active"),
    el("td", {}, k.revokedAt ? "" : button(t("keys.revoke"), () => revoke("staff-keys", k), "button small danger")),
  ]);
  $("staff-list").replaceChildren(table(t("nav.staff"), [t("staff.name"), t("staff.store"), t("keys.created"), t("keys.state"), ""], rows));
}

async function revoke(kind, k) {
  if (!(await confirm(t("keys.revokeConfirm", { name: k.name })))) return;
  const res = await api("DELETE", `/v1/admin/${kind}/${k.id}`);
  if (!res.ok) return say(problem(res), "error");
  await (kind === "staff-keys" ? loadStaff() : loadOperators());
  say(t("keys.revoked", { name: k.name }), "ok");
}

async function createKey(path, body, secretEl, errEl, reload) {
  const res = await api("POST", path, { json: JSON.stringify(body) });
  errEl.textContent = res.ok ? "" : problem(res);
  if (!res.ok) return;
  secretEl.hidden = false;
  secretEl.replaceChildren(t("keys.once"), " ", el("code", {}, res.data.key));
  await reload();
}

$("staff-form").addEventListener("submit", (e) => {
  e.preventDefault();
  createKey("/v1/admin/staff-keys", { name: $("staff-name").value.trim(), storeId: $("staff-store").value }, $("staff-secret"), $("staff-error"), loadStaff);
});

// Operator keys -----------------------------------------------------------------

async function loadOperators() {
  const res = await api("GET", "/v1/admin/operator-keys");
  if (!res.ok) return say(problem(res), "error");
  const rows = res.data.operatorKeys.map((k) => [
    k.name, t("role." + k.role), day(k.createdAt), k.revokedAt ? t("keys.revokedOn", { day: day(k.revokedAt) }) : t("keys.active"),
    el("td", {}, k.revokedAt || k.id === session.keyId ? "" : button(t("keys.revoke"), () => revoke("operator-keys", k), "button small danger")),
  ]);
  $("operators-list").replaceChildren(table(t("nav.operators"), [t("operators.name"), t("operators.role"), t("keys.created"), t("keys.state"), ""], rows));
}

$("operator-form").addEventListener("submit", (e) => {
  e.preventDefault();
  createKey("/v1/admin/operator-keys", { name: $("operator-name").value.trim(), role: $("operator-role").value }, $("operator-secret"), $("operator-error"), loadOperators);
});

// Charities ---------------------------------------------------------------------

async function loadCharities() {
  const res = await call("GET", "/v1/charities");
  if (!res.ok) return say(problem(res), "error");
  const list = res.data.charities || [];
  $("report-charity").replaceChildren(...list.map((c) => el("option", { value: c.id }, c.name)));
  if (!$("report-month").value) $("report-month").value = new Date().toISOString().slice(0, 7);
  $("report-form").hidden = !list.length;
  $("charities-list").replaceChildren(table(t("nav.charities"), [t("col.id"), t("stores.name"), t("charities.pointsPerUnit"), t("charities.minPoints")],
    list.map((c) => [el("td", { className: "mono" }, c.id), c.name, num(c.pointsPerUnit), num(c.minPoints)])));
}

const reportPath = () => `/v1/admin/charities/${encodeURIComponent($("report-charity").value)}/report?month=${$("report-month").value}`;

$("report-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const res = await api("GET", reportPath());
  if (!res.ok) return say(problem(res), "error");
  const r = res.data;
  const figures = [["charities.points", formatNumber(r.points)], ["charities.value", money(r.value)], ["charities.matched", money(r.matchedValue)], ["charities.donors", formatNumber(r.donors)], ["charities.gifts", formatNumber(r.gifts)]];
  $("report").replaceChildren(...figures.map(([k, v]) => el("div", {}, el("dt", {}, t(k)), el("dd", {}, v))));
});
$("report-csv").addEventListener("click", () => download(reportPath(), `${$("report-charity").value}-${$("report-month").value}.csv`, "text/csv"));

$("charity-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = {
    id: $("charity-id").value.trim(), name: $("charity-name").value.trim(), currency: program.currency || "EUR",
    pointsPerUnit: Number($("charity-ppu").value), minPoints: Number($("charity-min").value), step: Number($("charity-step").value),
  };
  const res = await api("POST", "/v1/admin/charities", { json: JSON.stringify(body) });
  $("charity-error").textContent = res.ok ? "" : problem(res);
  if (!res.ok) return;
  await loadCharities();
  say(t("saved"), "ok");
});

// Settings ----------------------------------------------------------------------

const rulePath = (input) => input.dataset.rule.split(".");

async function loadSettings() {
  const res = await api("GET", "/v1/admin/program");
  if (!res.ok) return say(problem(res), "error");
  program = res.data;
  for (const input of document.querySelectorAll("[data-rule]")) {
    const [a, b] = rulePath(input);
    const v = b ? program[a]?.[b] : program[a];
    if (input.type === "checkbox") input.checked = v === true;
    else if ("minor" in input.dataset) input.value = v == null ? "" : `${Math.trunc(v / 100)}${i18n.lang === "fr" ? "," : "."}${String(v % 100).padStart(2, "0")}`;
    else input.value = v ?? "";
  }
}

$("settings-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  // A merge patch of what changed only: the other rules stay as they are.
  const patch = {};
  for (const input of document.querySelectorAll("[data-rule]")) {
    const [a, b] = rulePath(input);
    const was = b ? program[a]?.[b] ?? "" : program[a] ?? "";
    // An amount the API cannot take is sent as typed, for its refusal.
    const now = input.type === "checkbox" ? input.checked : "number" in input.dataset ? Number(input.value)
      : "minor" in input.dataset ? toMinor(input.value) ?? input.value.trim() : input.value.trim();
    if (String(now) === String(was)) continue;
    if (b) (patch[a] ??= {})[b] = now === "" ? null : now;
    else patch[a] = now;
  }
  if (!Object.keys(patch).length) return say(t("settings.unchanged"));
  const res = await api("PATCH", "/v1/admin/program", { json: JSON.stringify(patch) });
  $("settings-error").textContent = res.ok ? "" : problem(res);
  if (!res.ok) return;
  await loadSettings();
  say(t("saved"), "ok");
});

$("logo-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const file = $("logo-file").files[0];
  if (!file) return ($("logo-error").textContent = t("settings.logoMissing"));
  const res = await fetch("/v1/admin/program/logo", { method: "PUT", headers: { Authorization: "Bearer " + operatorKey, "Content-Type": "image/png" }, body: file });
  const p = res.ok ? {} : await res.json().catch(() => ({}));
  $("logo-error").textContent = res.ok ? "" : p.detail || t("console.network");
  if (res.ok) say(t("saved"), "ok");
});

// Audit trail -------------------------------------------------------------------

let auditNext = "";
async function loadAudit(cursor) {
  const res = await api("GET", "/v1/admin/audit?limit=50" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
  if (!res.ok) return say(problem(res), "error");
  auditNext = res.data.next || "";
  $("audit-more").hidden = !auditNext;
  const rows = res.data.entries.map((a) => [moment(a.at), a.by.keyName || a.by.who, el("td", { className: "mono" }, a.action), a.target || "", a.detail || ""]);
  const list = table(t("nav.audit"), [t("audit.when"), t("audit.who"), t("audit.what"), t("audit.target"), t("member.detail")], rows);
  if (cursor) $("audit-list").querySelector("tbody")?.append(...list.querySelectorAll("tbody tr"));
  else $("audit-list").replaceChildren(list);
}
$("audit-more").addEventListener("click", () => loadAudit(auditNext));

// Webhooks ----------------------------------------------------------------------

// The events a webhook may ask for, as loyalty.EventTypes lists them (names,
// not words: the same in every language).
const eventTypes = ("member.enrolled points.earned points.redeemed transaction.reversed tier.changed " +
  "birthday.rewarded points.expired donation.made referral.rewarded campaign.delivered").split(" ");

let hooks = []; // the webhooks listed
let logOf = null; // the webhook whose delivery log is open (#webhooks/<id>)
let deliveries = [];
let deliveriesNext = "";

async function loadWebhooks(id) {
  if (!$("webhook-events").querySelector("input")) {
    $("webhook-events").append(...eventTypes.map((type) => el("label", {}, el("input", { type: "checkbox", value: type }), el("span", { className: "mono" }, type))));
  }
  const res = await api("GET", "/v1/admin/webhooks");
  if (!res.ok) return say(problem(res), "error");
  hooks = res.data.webhooks;
  logOf = hooks.find((w) => w.id === id) || null;
  drawWebhooks();
  $("deliveries").hidden = !logOf;
  if (logOf) await loadDeliveries("");
  rerender = () => {
    drawWebhooks();
    if (logOf) drawDeliveries();
  };
}

function drawWebhooks() {
  const rows = hooks.map((w) => [
    el("td", { className: "mono" }, w.url),
    w.events.length ? el("td", {}, ...w.events.map((type) => el("span", { className: "mono event" }, type))) : t("webhooks.allEvents"),
    day(w.createdAt),
    el("td", {}, el("div", { className: "row" },
      el("a", { className: "button small", href: "#webhooks/" + w.id, "aria-current": w === logOf ? "true" : "false" }, t("webhooks.log")),
      button(t("webhooks.delete"), () => deleteWebhook(w), "button small danger"))),
  ]);
  $("webhooks-list").replaceChildren(table(t("nav.webhooks"), [t("webhooks.address"), t("webhooks.events"), t("keys.created"), ""], rows, t("webhooks.none")));
}

async function loadDeliveries(cursor) {
  const res = await api("GET", `/v1/admin/webhooks/${logOf.id}/deliveries?limit=20` + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
  if (!res.ok) return say(problem(res), "error");
  deliveries = cursor ? deliveries.concat(res.data.deliveries) : res.data.deliveries;
  deliveriesNext = res.data.next || "";
  drawDeliveries();
}

const clock = (iso) => new Intl.DateTimeFormat(i18n.lang, { timeStyle: "medium" }).format(new Date(iso));

// attempt says when one try went and what came back: the endpoint's status,
// or why none came.
const attempt = (a) => t(a.status ? "webhooks.attempt" : "webhooks.noAnswer", { at: clock(a.at), status: a.status, ms: formatNumber(a.durationMs), error: a.error || "" });

function drawDeliveries() {
  $("deliveries-heading").textContent = t("webhooks.logOf", { url: logOf.url });
  $("deliveries-more").hidden = !deliveriesNext;
  const rows = deliveries.map((d) => [
    el("td", { className: "delivery " + d.status }, t("webhooks.status." + d.status)),
    el("td", {}, el("span", { className: "mono" }, d.eventType), el("br"), moment(d.occurredAt)),
    el("td", {}, el("ul", { className: "attempts" }, ...d.attempts.map((a) => el("li", {}, attempt(a))))),
    el("td", { className: "mono" }, d.eventId),
  ]);
  $("deliveries-list").replaceChildren(table(t("webhooks.log"), [t("keys.state"), t("webhooks.event"), t("webhooks.attempts"), t("webhooks.eventId")], rows, t("webhooks.noDeliveries")));
}

$("deliveries-more").addEventListener("click", () => loadDeliveries(deliveriesNext));
$("deliveries-refresh").addEventListener("click", () => loadDeliveries(""));

async function deleteWebhook(w) {
  if (!(await confirm(t("webhooks.deleteConfirm", { url: w.url })))) return;
  const res = await api("DELETE", `/v1/admin/webhooks/${w.id}`);
  if (!res.ok) return say(problem(res), "error");
  if (logOf?.id === w.id) history.replaceState(null, "", "#webhooks");
  await loadWebhooks(logOf?.id === w.id ? "" : logOf?.id);
  say(t("webhooks.deleted", { url: w.url }), "ok");
}

$("webhook-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const events = [...$("webhook-events").querySelectorAll("input:checked")].map((i) => i.value);
  const res = await api("POST", "/v1/admin/webhooks", { json: JSON.stringify({ url: $("webhook-url").value.trim(), events }) });
  $("webhook-error").textContent = res.ok ? "" : problem(res);
  if (!res.ok) return;
  $("webhook-url").value = "";
  for (const i of $("webhook-events").querySelectorAll("input")) i.checked = false;
  $("webhook-secret").hidden = false;
  $("webhook-secret").replaceChildren(t("webhooks.once"), " ", el("code", {}, res.data.secret));
  await loadWebhooks(logOf?.id);
});

// Exports -----------------------------------------------------------------------

$("export-members").addEventListener("click", () => download("/v1/admin/exports/members.csv", "members.csv", "text/csv"));
$("export-ledger").addEventListener("submit", (e) => {
  e.preventDefault();
  const from = $("ledger-from").value;
  const to = $("ledger-to").value;
  download(`/v1/admin/exports/ledger.csv?from=${from}&to=${to}`, `ledger-${from}-${to}.csv`, "text/csv");
});

// Start -------------------------------------------------------------------------

i18n.onChange(() => {
  showRole();
  rerender();
});
i18n.wire();
if (operatorKey) {
  signIn(operatorKey).then((res) => {
    if (!res.ok) signOut(res.status === 401 ? "console.expired" : "");
  });
}
