// The staff's till: sign in with a staff key, find a member by the number on
// their card, their email or the card's QR code (camera or handheld scanner),
// award points for a purchase, redeem a reward and undo it, refund a
// purchase in full or in part.
//
// A change the server did not answer goes to the outbox (outbox.js) and is
// sent again, the same body with the same key, until it gets an answer: the
// receipt number makes an earning happen once, the Idempotency-Key a
// redemption, so a retry never awards or redeems twice, and the next
// customer never waits for the previous one's answer.
import { t, lang, wire, onChange, formatNumber, formatDate } from "./i18n.js";
import { call, newKey } from "./api.js";
import { toMinor, formatMinor } from "./money.js";
import * as outbox from "./outbox.js";

const stored = { key: "fidelio.staff.key", who: "fidelio.staff.who", session: "fidelio.staff.session" };
const currency = "EUR";
const undoFor = 10 * 60 * 1000; // the server's undo window for a redemption
const retryEvery = 5000; // how often the outbox is tried while it holds changes
const answerWithin = 10000; // a change unanswered by then goes to the outbox

const $ = (id) => document.getElementById(id);
const money = (minor) => ({ minor });
const count = (n) => ({ count: n });
const video = $("video");
let token = sessionStorage.getItem(stored.key);
let session = read(stored.session); // GET /v1/staff/session: {store, employee, limits}
let current = null; // the member on show: {who, member, rewards, nextRewards}
let confirming = null; // the earning or redemption waiting for its second tap
let undo = null; // the last redemption, while it may be undone: {tx, reward, key, timer}
let found = null; // the transaction found for a refund, and the refund being sent
let queued = 0;
let draining = false;
let drainTimer = 0;
let stream = null;
let scanTimer = 0;
let resumeCamera = false; // the camera was on when the page was hidden

wire();
onChange(() => {
  for (const el of document.querySelectorAll("[data-say]")) render(el);
  showWho();
  showQueue();
  if (current) showMember(false);
  if (found) showTransaction();
  if (confirming) showConfirm();
});
$("signin").addEventListener("submit", signIn);
$("signout").addEventListener("click", () => signOut(""));
$("camera-start").addEventListener("click", startCamera);
$("camera-stop").addEventListener("click", () => {
  stopCamera();
  say($("scan-status"), "");
});
$("manual").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("code").value.trim();
  if (!text) return say($("scan-status"), "manual.empty", {}, "error");
  lookup(identify(text));
});
$("next").addEventListener("click", nextCustomer);
$("earn").addEventListener("submit", earn);
$("confirm-earn-yes").addEventListener("click", () => confirmed(true));
$("confirm-earn-no").addEventListener("click", () => confirmed(false));
$("confirm-redeem-yes").addEventListener("click", () => confirmed(true));
$("confirm-redeem-no").addEventListener("click", () => confirmed(false));
for (const id of ["confirm-earn", "confirm-redeem"]) {
  $(id).addEventListener("keydown", (e) => {
    if (e.key === "Escape") confirmed(false);
  });
}
// An amount or a receipt changed after the question is a new question.
$("earn").addEventListener("input", () => {
  if (confirming?.kind === "earn") confirmed(false, false);
});
$("undo").addEventListener("click", undoRedemption);
$("find").addEventListener("submit", findTransaction);
$("refund-form").addEventListener("submit", refund);
$("queue-send").addEventListener("click", drain);
window.addEventListener("online", drain);
// A phone that locks or switches apps gets its camera back, and the battery
// is spared meanwhile.
document.addEventListener("visibilitychange", () => {
  if (document.hidden && stream) {
    resumeCamera = true;
    stopCamera();
  } else if (!document.hidden && resumeCamera) {
    resumeCamera = false;
    startCamera();
  }
});

if (token) showTill();

function read(name) {
  try {
    return JSON.parse(sessionStorage.getItem(name));
  } catch {
    return null;
  }
}

// say shows a message (keys of strings.js with their values) in el, and
// keeps it so a change of language shows it again in the other one.
function say(el, key, vars = {}, kind = "", more = null, before = null) {
  el.dataset.say = JSON.stringify({ key, vars, more, before });
  el.className = el.className.replace(/\b(ok|error|warn)\b/g, "").trim() + (kind ? ` ${kind}` : "");
  render(el);
}

function render(el) {
  const { key, vars, more, before } = JSON.parse(el.dataset.say);
  const parts = key ? [before, { key, vars }, more].filter(Boolean) : [];
  el.textContent = parts.map((p) => t(p.key, localize(p.vars))).join(" ");
}

// localize writes the values a message keeps in the language it is shown
// in, again after a switch: money ({minor}), counts ({count}) and texts ({key}).
function localize(vars) {
  const one = (v) => (v?.minor !== undefined ? formatMinor(v.minor, lang) : v?.count !== undefined ? formatNumber(v.count) : v?.key ? t(v.key) : v);
  return Object.fromEntries(Object.entries(vars ?? {}).map(([k, v]) => [k, one(v)]));
}

function fieldError(id, key, vars = {}) {
  say($(`${id}-error`), key, vars);
  if (key) $(id).setAttribute("aria-invalid", "true");
  else $(id).removeAttribute("aria-invalid");
}

// rewardName is a reward's name in the till's language.
function rewardName(reward) {
  return (lang === "fr" && reward.nameFr) || reward.name;
}

async function signIn(event) {
  event.preventDefault();
  const key = $("staff-key").value.trim();
  if (!key) {
    fieldError("staff-key", "signin.empty");
    $("staff-key").focus();
    return;
  }
  const button = $("signin-submit");
  button.disabled = true;
  button.textContent = t("signin.checking");
  const r = await call("GET", "/v1/staff/session", { token: key });
  button.disabled = false;
  button.textContent = t("signin.submit");
  if (r.ok) {
    token = key;
    session = r.data;
    sessionStorage.setItem(stored.key, key);
    sessionStorage.setItem(stored.session, JSON.stringify(session));
    $("staff-key").value = "";
    fieldError("staff-key", "");
    showTill();
    $("scan-heading").focus();
    return;
  }
  fieldError("staff-key", r.retry ? "signin.network" : "signin.bad");
  $("staff-key").focus();
}

function signOut(why) {
  stopCamera();
  token = null;
  session = null;
  current = null;
  for (const name of Object.values(stored)) sessionStorage.removeItem(name);
  $("till").hidden = true;
  $("signin").hidden = false;
  fieldError("staff-key", why);
  $("staff-key").focus();
}

function showTill() {
  $("signin").hidden = true;
  $("till").hidden = false;
  showWho();
  if (typeof window.jsQR !== "function") {
    say($("scan-status"), "scan.noDecoder", {}, "error");
    $("camera-start").disabled = true;
  }
  const who = read(stored.who);
  if (who) lookup(who, false);
  drain();
}

// showWho names the store and the employee signed in.
function showWho() {
  $("who").textContent = session ? t("who", { store: session.store?.name || session.store?.id || "", employee: session.employee?.name || "" }) : "";
}

// identify reads what staff typed: an email, the number printed on the card
// ("TYVF MNJR EH7B", with or without spaces, any case) or the QR code's text.
function identify(text) {
  if (text.includes("@")) return { email: text };
  if (/^[0-9a-z]{12}$/i.test(text.replace(/[\s-]/g, ""))) return { number: text };
  return { code: text };
}

// lookup asks the API who a card is, and what they can afford.
async function lookup(who, focus = true) {
  say($("scan-status"), "lookup.busy");
  const r = await call("POST", "/v1/scans", { token, json: JSON.stringify(who) });
  if (r.ok) {
    // The card's code finds the member again for an earning or a
    // redemption, whatever found them first: unlike a number, it is never
    // ambiguous.
    current = { who: { code: r.data.member.code }, ...r.data };
    sessionStorage.setItem(stored.who, JSON.stringify(current.who));
    say($("scan-status"), "");
    $("code").value = "";
    showMember(focus);
    return;
  }
  if (r.status === 401 || r.status === 403) return signOut("signedOut");
  if (r.retry) say($("scan-status"), "err.lookupNetwork", {}, "error");
  else if (r.code === "invalid_code" || r.code === "member_not_found") say($("scan-status"), "err.unknownCard", {}, "error");
  else if (r.code === "ambiguous_number") say($("scan-status"), "err.ambiguous", {}, "error");
  else say($("scan-status"), "err.refused", { detail: r.detail || r.status }, "error");
  $("code").focus();
}

function showMember(focus) {
  const m = current.member;
  $("scanner").hidden = true;
  $("member").hidden = false;
  $("member-name").textContent = m.name;
  $("member-email").textContent = m.emailHint ? t("member.email", { hint: m.emailHint }) : "";
  $("member-balance").textContent = formatNumber(m.balance);
  $("member-tier").textContent = t(`tier.${m.tier}`);
  $("member-tier").className = `tier-chip tier-${m.tier}`;
  $("member-number").textContent = m.number;
  $("member-next-tier").textContent = m.nextTier ? t("member.nextTier", { n: formatNumber(m.pointsToNextTier), tier: t(`tier.${m.nextTier}`) }) : t("member.topTier");
  $("member-expiring").replaceChildren(
    ...m.expiringSoon.map((x) => {
      const li = document.createElement("li");
      li.textContent = t("member.expiring", { n: formatNumber(x.points), date: formatDate(x.on) });
      return li;
    }),
  );
  const list = $("rewards");
  list.replaceChildren(
    ...current.rewards.map((reward) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button small";
      button.textContent = t("rewards.redeem");
      button.setAttribute("aria-label", t("rewards.redeemLabel", { reward: rewardName(reward), n: formatNumber(reward.points) }));
      button.dataset.reward = reward.id;
      button.addEventListener("click", () => askRedeem(reward));
      return rewardItem(reward, t("points", { n: formatNumber(reward.points) }), button);
    }),
  );
  $("rewards-none").hidden = current.rewards.length > 0;
  const soon = current.nextRewards;
  $("next-rewards").replaceChildren(...soon.map((reward) => rewardItem(reward, t("rewards.missing", { n: formatNumber(reward.points), more: formatNumber(reward.points - m.balance) }))));
  $("next-rewards-heading").hidden = soon.length === 0;
  if (focus) $("member-name").focus();
}

function rewardItem(reward, costText, button) {
  const li = document.createElement("li");
  const what = document.createElement("span");
  const name = document.createElement("strong");
  name.textContent = rewardName(reward);
  const cost = document.createElement("span");
  cost.className = "cost";
  cost.textContent = costText;
  what.append(name, cost);
  li.append(what);
  if (button) li.append(button);
  return li;
}

function nextCustomer() {
  current = null;
  confirming = null;
  clearUndo();
  sessionStorage.removeItem(stored.who);
  $("member").hidden = true;
  $("scanner").hidden = false;
  $("confirm-earn").hidden = $("confirm-redeem").hidden = true;
  $("earn-submit").hidden = false;
  say($("message"), "");
  say($("queue-news"), "");
  say($("scan-status"), "");
  fieldError("amount", "");
  fieldError("receipt", "");
  $("earn").reset();
  $("scan-heading").focus();
}

function earn(event) {
  event.preventDefault();
  if (confirming) return;
  const minor = toMinor($("amount").value);
  const receipt = $("receipt").value.trim();
  fieldError("amount", minor === null || minor <= 0 ? "err.amount" : "");
  fieldError("receipt", receipt ? "" : "err.receipt");
  if (minor === null || minor <= 0) return $("amount").focus();
  if (!receipt) return $("receipt").focus();
  const limits = session?.limits ?? {};
  if (limits.maxPerReceipt?.currency === currency && minor > limits.maxPerReceipt.value) {
    fieldError("amount", "err.aboveMax", { max: money(limits.maxPerReceipt.value) });
    return $("amount").focus();
  }
  const change = {
    kind: "earn",
    path: "/v1/earnings",
    body: { ...current.who, receiptId: receipt, amount: { value: minor, currency } },
    amount: minor,
    receipt,
  };
  // A large amount ("2390" meant as 23.90) gets a second look before it is sent.
  if (limits.confirmAbove?.currency === currency && minor > limits.confirmAbove.value) return askConfirm(change);
  send(change);
}

function askRedeem(reward) {
  if (confirming) return;
  askConfirm({
    kind: "redeem",
    path: "/v1/redemptions",
    key: newKey(),
    body: { ...current.who, rewardId: reward.id },
    reward: rewardName(reward),
    points: reward.points,
  });
}

// askConfirm shows the change and waits for its second tap.
function askConfirm(change) {
  confirming = change;
  showConfirm();
  $(`confirm-${change.kind}-yes`).focus();
}

function showConfirm() {
  const c = confirming;
  const m = current?.member;
  $(`confirm-${c.kind}-text`).textContent =
    c.kind === "earn"
      ? t("confirm.earnText", { amount: formatMinor(c.amount, lang), receipt: c.receipt })
      : t("confirm.redeemText", { reward: c.reward, n: formatNumber(c.points), balance: formatNumber((m?.balance ?? 0) - c.points) });
  $(`confirm-${c.kind}`).hidden = false;
  $("earn-submit").hidden = c.kind === "earn";
}

function confirmed(yes, refocus = true) {
  const c = confirming;
  if (!c) return;
  confirming = null;
  $(`confirm-${c.kind}`).hidden = true;
  $("earn-submit").hidden = false;
  if (refocus) $(c.kind === "earn" ? "amount" : "rewards-heading").focus();
  if (!yes) return;
  if (c.kind === "earn") c.body.confirmed = true;
  send(c);
}

function what(c) {
  return { amount: money(c.amount ?? 0), receipt: c.receipt, reward: c.reward };
}

// send sends a change for the first time. Without an answer it goes to the
// outbox, and the till is free for the next customer.
async function send(c) {
  const change = {
    kind: c.kind,
    path: c.path,
    json: JSON.stringify(c.body),
    key: c.key,
    store: storeID(),
    amount: c.amount,
    receipt: c.receipt,
    reward: c.reward,
    points: c.points,
    member: current?.member.name ?? "",
    memberId: current?.member.id,
    tries: 1,
  };
  say($("message"), `busy.${c.kind}`, what(c));
  $("earn-submit").disabled = true;
  const r = await call("POST", change.path, { token, json: change.json, key: change.key, timeout: answerWithin });
  $("earn-submit").disabled = false;
  // Staff may have moved on to the next customer meanwhile: the answer is
  // then news about the previous one.
  if (current?.member.id !== change.memberId) {
    if (r.retry) return queue(change);
    answered(change, r, $("queue-news"), { key: `sent.${c.kind}`, vars: { member: change.member } });
    return;
  }
  if (r.retry) {
    say($("message"), `queued.${c.kind}`, what(c), "warn");
    if (c.kind === "earn") $("earn").reset();
    return queue(change);
  }
  // The operator changed the limits since the till signed in: it learns
  // them again, and says the new ones in its own words.
  if (r.code === "confirmation_required" || r.code === "amount_above_maximum") await refreshSession();
  if (r.code === "confirmation_required") {
    say($("message"), "");
    return askConfirm(c);
  }
  const most = session?.limits?.maxPerReceipt;
  if (r.code === "amount_above_maximum" && most) return say($("message"), "err.aboveMax", { max: money(most.value) }, "error");
  answered(change, r, $("message"));
}

async function refreshSession() {
  const r = await call("GET", "/v1/staff/session", { token });
  if (!r.ok) return;
  session = r.data;
  sessionStorage.setItem(stored.session, JSON.stringify(session));
  showWho();
}

// queue keeps an unanswered change in the outbox, to be sent again.
async function queue(change) {
  await outbox.add(change);
  showQueue(queued + 1);
  scheduleDrain();
}

// answered shows what the server said to a change, in el, after before
// (what names a change sent from the outbox).
function answered(c, r, el, before = null) {
  if (r.status === 401 || r.status === 403) return signOut("signedOut");
  const show = (key, vars, kind, more = null) => say(el, key, vars, kind, more, before);
  const v = what(c);
  if (!r.ok) {
    const key =
      {
        insufficient_points: "err.insufficient",
        reward_not_found: "err.rewardGone",
        idempotency_key_reused: "err.receiptReused",
        invalid_code: "err.unknownCard",
        member_not_found: "err.unknownCard",
        confirmation_required: "err.confirm",
        amount_above_maximum: "err.aboveMaxServer",
      }[r.code] ?? "err.refused";
    show(key, { ...v, detail: r.detail || r.status }, r.code === "confirmation_required" ? "warn" : "error");
    refreshMember();
    return;
  }
  const d = r.data;
  const tierNote = d.tier !== d.previousTier ? { key: tierRank(d.tier) > tierRank(d.previousTier) ? "tier.up" : "tier.down", vars: { name: c.member, tier: { key: `tier.${d.tier}` } } } : null;
  if (c.kind === "earn") {
    // A receipt answered as a replay on the first try was awarded before,
    // by another till or an earlier visit; on a retry it is this one.
    if (r.replayed && c.tries === 1) show("earn.already", { balance: count(d.balance) }, "warn");
    else show("earn.done", { ...v, points: count(d.points), balance: count(d.balance) }, "ok", tierNote);
    if (el === $("message")) $("earn").reset();
  } else {
    show("redeem.done", { ...v, points: count(d.points), balance: count(d.balance) }, "ok", tierNote);
    if (el === $("message")) offerUndo(c, d);
  }
  if (current?.member.id === c.memberId && el === $("message")) {
    current.member.balance = d.balance;
    current.member.tier = d.tier;
    showMember(false);
  }
  refreshMember();
}

function tierRank(tier) {
  return ["bronze", "silver", "gold", "platinum"].indexOf(tier);
}

// offerUndo lets the till take a redemption back while the server allows it.
function offerUndo(c, d) {
  clearUndo();
  undo = { tx: d.transactionId, reward: c.reward, key: newKey(), timer: setTimeout(clearUndo, undoFor) };
  $("undo").hidden = false;
  $("undo").setAttribute("aria-label", t("undo.label", { reward: c.reward }));
  $("undo").focus();
}

function clearUndo() {
  if (undo) clearTimeout(undo.timer);
  undo = null;
  $("undo").hidden = true;
}

async function undoRedemption() {
  const u = undo;
  if (!u) return;
  $("undo").disabled = true;
  say($("message"), "undo.busy", { reward: u.reward });
  const r = await call("POST", `/v1/transactions/${encodeURIComponent(u.tx)}/reversal`, { token, key: u.key });
  $("undo").disabled = false;
  if (r.status === 401) return signOut("signedOut");
  if (r.retry) return say($("message"), "undo.network", { reward: u.reward }, "error");
  clearUndo();
  if (!r.ok) {
    const key = { undo_window_passed: "undo.late", other_store: "undo.otherStore" }[r.code] ?? "err.refused";
    say($("message"), key, { detail: r.detail || r.status }, "error");
  } else {
    say($("message"), "undo.done", { reward: u.reward, balance: count(r.data.balance) }, "ok");
    if (current) {
      current.member.balance = r.data.balance;
      showMember(false);
    }
  }
  refreshMember();
}

// refreshMember reads the member again after a change: the balance and the
// rewards they can now afford. A failure keeps what is on show.
async function refreshMember() {
  if (!current) return;
  const who = current.who;
  const r = await call("POST", "/v1/scans", { token, json: JSON.stringify(who) });
  if (r.ok && current?.who === who) {
    current = { who, ...r.data };
    showMember(false);
  }
}

// showQueue shows how many changes wait in the outbox.
function showQueue(n = queued) {
  queued = n;
  $("queue").hidden = n === 0;
  $("queue-count").textContent = n ? t(n === 1 ? "queue.one" : "queue.many", { n: formatNumber(n) }) : "";
}

function storeID() {
  return session?.store?.id ?? "";
}

function scheduleDrain() {
  clearTimeout(drainTimer);
  drainTimer = setTimeout(drain, retryEvery);
}

// drain sends the outbox's changes, oldest first, until one gets no answer.
// One tab at a time drains it (other tabs of the till wait for the lock);
// sending a change twice would be harmless, only wasted.
async function drain() {
  if (draining || !token) return;
  draining = true;
  try {
    if (navigator.locks) await navigator.locks.request("fidelio-till-outbox", drainNow);
    else await drainNow();
  } finally {
    draining = false;
  }
}

async function drainNow() {
  clearTimeout(drainTimer);
  // A receipt belongs to the store it was rung up in: another store's key
  // signed in on this device leaves its changes for that store's.
  const items = (await outbox.all()).filter((c) => c.store === storeID());
  showQueue(items.length);
  for (const c of items) {
    c.tries++;
    const r = await call("POST", c.path, { token, json: c.json, key: c.key, timeout: answerWithin });
    if (r.retry) {
      await outbox.update(c);
      scheduleDrain();
      return;
    }
    await outbox.remove(c.id);
    showQueue(queued - 1);
    answered(c, r, $("queue-news"), { key: `sent.${c.kind}`, vars: { member: c.member } });
  }
}

// findTransaction finds a purchase by its receipt number, for a refund.
async function findTransaction(event) {
  event.preventDefault();
  const receipt = $("find-receipt").value.trim();
  if (!receipt) return say($("find-status"), "err.receipt", {}, "error");
  say($("find-status"), "refund.finding");
  const r = await call("GET", `/v1/transactions?receiptId=${encodeURIComponent(receipt)}`, { token });
  if (r.status === 401) return signOut("signedOut");
  if (!r.ok) {
    found = null;
    $("refund-form").hidden = true;
    if (r.retry) return say($("find-status"), "err.lookupNetwork", {}, "error");
    return say($("find-status"), r.code === "transaction_not_found" ? "refund.notFound" : "err.refused", { receipt, detail: r.detail || r.status }, "error");
  }
  say($("find-status"), "");
  found = { tx: r.data.transaction, refundId: null, sentAmount: null };
  $("refund-amount").value = typed(found.tx.refundable.value);
  fieldError("refund-amount", "");
  showTransaction();
  $("refund-form").hidden = false;
  $("refund-amount").focus();
}

// typed writes minor units as staff would type them: "12.50", or "12,50" in French.
function typed(minor) {
  return `${Math.floor(minor / 100)}${lang === "fr" ? "," : "."}${String(minor % 100).padStart(2, "0")}`;
}

function showTransaction() {
  const x = found.tx;
  const rows = [
    ["refund.receipt", x.receiptId],
    ["refund.amountPaid", formatMinor(x.amount.value, lang)],
    ["refund.points", formatNumber(x.points)],
    ["refund.refunded", formatMinor(x.refunded?.value ?? 0, lang)],
    ["refund.refundable", formatMinor(x.refundable.value, lang)],
  ];
  $("tx").replaceChildren(
    ...rows.map(([key, value]) => {
      const div = document.createElement("div");
      const dt = document.createElement("dt");
      dt.textContent = t(key);
      const dd = document.createElement("dd");
      dd.textContent = value;
      div.append(dt, dd);
      return div;
    }),
  );
  $("refund-amount-hint").textContent = t("refund.hint", { max: formatMinor(x.refundable.value, lang) });
  $("refund-submit").disabled = x.refundable.value <= 0;
}

// refund sends a refund of the amount typed. Its refundId is kept until the
// server answers, so that a retry of the same refund is never a second one.
async function refund(event) {
  event.preventDefault();
  const x = found?.tx;
  if (!x) return;
  const minor = toMinor($("refund-amount").value);
  if (minor === null || minor <= 0) {
    fieldError("refund-amount", "err.amount");
    return $("refund-amount").focus();
  }
  if (minor > x.refundable.value) {
    fieldError("refund-amount", "refund.tooMuch", { max: money(x.refundable.value) });
    return $("refund-amount").focus();
  }
  fieldError("refund-amount", "");
  if (found.sentAmount !== minor) {
    found.refundId = newKey();
    found.sentAmount = minor;
  }
  $("refund-submit").disabled = true;
  say($("find-status"), "refund.busy", { amount: money(minor) });
  const json = JSON.stringify({ amount: { value: minor, currency: x.amount.currency }, refundId: found.refundId });
  const r = await call("POST", `/v1/transactions/${encodeURIComponent(x.id)}/reversal`, { token, json });
  $("refund-submit").disabled = false;
  if (r.status === 401) return signOut("signedOut");
  if (r.retry) return say($("find-status"), "refund.network", { amount: money(minor) }, "error");
  found.refundId = found.sentAmount = null;
  if (!r.ok) {
    const key = { refund_exceeds_remaining: "refund.tooMuchServer", other_store: "refund.otherStore", already_reversed: "refund.already" }[r.code] ?? "err.refused";
    return say($("find-status"), key, { detail: r.detail || r.status }, "error");
  }
  const taken = -r.data.points;
  say($("find-status"), "refund.done", { amount: money(minor), points: count(taken), balance: count(r.data.balance) }, "ok");
  const again = await call("GET", `/v1/transactions?receiptId=${encodeURIComponent(x.receiptId)}`, { token });
  if (again.ok && found?.tx.id === x.id) {
    found.tx = again.data.transaction;
    $("refund-amount").value = typed(found.tx.refundable.value);
    showTransaction();
  }
}

async function startCamera() {
  if (typeof window.jsQR !== "function") return say($("scan-status"), "scan.noDecoder", {}, "error");
  if (!navigator.mediaDevices?.getUserMedia) return say($("scan-status"), window.isSecureContext ? "scan.noCamera" : "scan.insecure", {}, "error");
  if (stream) return;
  say($("scan-status"), "scan.starting");
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch (err) {
    const denied = err.name === "NotAllowedError" || err.name === "SecurityError";
    return say($("scan-status"), denied ? "scan.denied" : "scan.noCamera", {}, "error");
  }
  video.srcObject = stream;
  video.hidden = false;
  $("frame").hidden = false;
  $("video-idle").hidden = true;
  $("camera-start").hidden = true;
  $("camera-stop").hidden = false;
  await video.play().catch(() => {});
  say($("scan-status"), "scan.looking");
  decode();
}

function stopCamera() {
  clearTimeout(scanTimer);
  if (stream) for (const track of stream.getTracks()) track.stop();
  stream = null;
  video.srcObject = null;
  video.hidden = true;
  $("frame").hidden = true;
  $("video-idle").hidden = false;
  $("camera-start").hidden = false;
  $("camera-stop").hidden = true;
}

const canvas = document.createElement("canvas");
const ctx = canvas.getContext("2d", { willReadFrequently: true });

// decode looks for a QR code in the camera's picture a few times a second,
// on a copy at most 800 pixels wide: enough for a card held at the till.
function decode() {
  if (!stream) return;
  if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth) {
    const scale = Math.min(1, 800 / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
    if (code?.data) {
      stopCamera();
      navigator.vibrate?.(40);
      say($("scan-status"), "scan.found", {}, "ok");
      lookup({ code: code.data.trim() });
      return;
    }
  }
  scanTimer = setTimeout(decode, 150);
}
