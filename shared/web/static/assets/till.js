// The staff's till: sign in with a staff key, read a member's card with the
// camera (or type its code), award points for a purchase, redeem a reward.
//
// A request that got no answer is kept, with its body and Idempotency-Key,
// until a retry gets one: the receipt number makes an earning happen once, the
// key a redemption, so a retry never awards or redeems twice.
import { t, lang, wire, onChange, formatNumber } from "./i18n.js";
import { call, newKey } from "./api.js";
import { toMinor, formatMinor } from "./money.js";

const stored = { key: "fidelio.staff.key", code: "fidelio.staff.code", pending: "fidelio.staff.pending" };
const currency = "EUR";

const $ = (id) => document.getElementById(id);
const video = $("video");
let token = sessionStorage.getItem(stored.key);
let current = null; // the scan answer on show: {code, member, rewards}
let pending = read(stored.pending); // {kind, path, json, key, tries, ...what to show}
let stream = null;
let scanTimer = 0;
let resumeCamera = false; // the camera was on when the page was hidden

wire();
onChange(() => {
  for (const el of document.querySelectorAll("[data-say]")) render(el);
  if (current) showMember(false);
  if (pending) showPending();
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
  const code = $("code").value.trim();
  if (!code) return say($("scan-status"), "manual.empty", {}, "error");
  lookup(code);
});
$("next").addEventListener("click", nextCustomer);
$("earn").addEventListener("submit", earn);
$("retry").addEventListener("click", send);
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
function say(el, key, vars = {}, kind = "", more = null) {
  el.dataset.say = JSON.stringify({ key, vars, more });
  el.className = el.className.replace(/\b(ok|error|warn)\b/g, "").trim() + (kind ? ` ${kind}` : "");
  render(el);
}

function render(el) {
  const { key, vars, more } = JSON.parse(el.dataset.say);
  el.textContent = key ? t(key, vars) + (more ? " " + t(more.key, more.vars) : "") : "";
}

function fieldError(id, key) {
  const el = $(`${id}-error`);
  say(el, key);
  if (key) $(id).setAttribute("aria-invalid", "true");
  else $(id).removeAttribute("aria-invalid");
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
  // The API has no "who am I" for staff: a scan without a code checks the
  // key first (401 or 403 when it is not a staff key), then refuses the
  // empty code with 400.
  const r = await call("POST", "/v1/scans", { token: key, json: '{"code":""}' });
  button.disabled = false;
  button.textContent = t("signin.submit");
  if (r.status === 400) {
    token = key;
    sessionStorage.setItem(stored.key, key);
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
  current = null;
  sessionStorage.removeItem(stored.key);
  sessionStorage.removeItem(stored.code);
  $("till").hidden = true;
  $("signin").hidden = false;
  fieldError("staff-key", why);
  $("staff-key").focus();
}

function showTill() {
  $("signin").hidden = true;
  $("till").hidden = false;
  if (typeof window.jsQR !== "function") {
    say($("scan-status"), "scan.noDecoder", {}, "error");
    $("camera-start").disabled = true;
  }
  const code = pending?.code || sessionStorage.getItem(stored.code);
  if (code) lookup(code, false);
}

// lookup asks the API who a card is, and what they can afford.
async function lookup(code, focus = true) {
  say($("scan-status"), "lookup.busy");
  const r = await call("POST", "/v1/scans", { token, json: JSON.stringify({ code }) });
  if (r.ok) {
    current = { code, ...r.data };
    sessionStorage.setItem(stored.code, code);
    say($("scan-status"), "");
    $("code").value = "";
    showMember(focus);
    return;
  }
  if (r.status === 401 || r.status === 403) return signOut("signedOut");
  if (r.retry) say($("scan-status"), "err.lookupNetwork", {}, "error");
  else if (r.code === "invalid_code" || r.code === "member_not_found") say($("scan-status"), "err.unknownCard", {}, "error");
  else say($("scan-status"), "err.refused", { detail: r.detail || r.status }, "error");
  $("code").focus();
}

function showMember(focus) {
  const m = current.member;
  $("scanner").hidden = true;
  $("member").hidden = false;
  $("member-name").textContent = m.name;
  $("member-balance").textContent = formatNumber(m.balance);
  $("member-tier").textContent = t(`tier.${m.tier}`);
  $("member-tier").className = `tier-chip tier-${m.tier}`;
  $("member-number").textContent = m.memberNumber;
  const list = $("rewards");
  list.replaceChildren(
    ...current.rewards.map((reward) => {
      const li = document.createElement("li");
      const what = document.createElement("span");
      const name = document.createElement("strong");
      name.textContent = reward.name;
      const cost = document.createElement("span");
      cost.className = "cost";
      cost.textContent = t("points", { n: formatNumber(reward.points) });
      what.append(name, cost);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button small";
      button.textContent = t("rewards.redeem");
      button.setAttribute("aria-label", t("rewards.redeemLabel", { reward: reward.name, n: formatNumber(reward.points) }));
      button.dataset.reward = reward.id;
      button.disabled = Boolean(pending);
      button.addEventListener("click", () => redeem(reward));
      li.append(what, button);
      return li;
    }),
  );
  $("rewards-none").hidden = current.rewards.length > 0;
  lock(Boolean(pending));
  if (pending) showPending();
  if (focus) $("member-name").focus();
}

function nextCustomer() {
  if (pending) return;
  current = null;
  sessionStorage.removeItem(stored.code);
  $("member").hidden = true;
  $("scanner").hidden = false;
  say($("message"), "");
  say($("scan-status"), "");
  fieldError("amount", "");
  fieldError("receipt", "");
  $("earn").reset();
  $("scan-heading").focus();
}

// lock keeps the till from starting a second change while one is pending.
function lock(on) {
  for (const el of $("earn").elements) el.disabled = on;
  for (const el of $("rewards").querySelectorAll("button")) el.disabled = on;
  $("next").disabled = on;
}

function earn(event) {
  event.preventDefault();
  if (pending) return;
  const minor = toMinor($("amount").value);
  const receipt = $("receipt").value.trim();
  fieldError("amount", minor === null || minor <= 0 ? "err.amount" : "");
  fieldError("receipt", receipt ? "" : "err.receipt");
  if (minor === null || minor <= 0) return $("amount").focus();
  if (!receipt) return $("receipt").focus();
  begin({
    kind: "earn",
    path: "/v1/earnings",
    json: JSON.stringify({ code: current.code, receiptId: receipt, amount: { value: minor, currency } }),
    amount: minor,
    receipt,
  });
}

function redeem(reward) {
  if (pending) return;
  begin({
    kind: "redeem",
    path: "/v1/redemptions",
    key: newKey(),
    json: JSON.stringify({ code: current.code, rewardId: reward.id }),
    reward: reward.name,
  });
}

function begin(p) {
  pending = { ...p, code: current.code, tries: 0 };
  sessionStorage.setItem(stored.pending, JSON.stringify(pending));
  send();
}

function what(p) {
  return { amount: formatMinor(p.amount ?? 0, lang), receipt: p.receipt, reward: p.reward };
}

function showPending() {
  $("pending-what").textContent = t(`pending.${pending.kind}`, what(pending));
  $("pending").hidden = false;
}

// send sends the pending change, the first time or again: the same body,
// the same key.
async function send() {
  const p = pending;
  if (!p) return;
  lock(true);
  $("retry").disabled = true;
  say($("message"), `busy.${p.kind}`, what(p));
  const r = await call("POST", p.path, { token, json: p.json, key: p.key });
  p.tries++;
  $("retry").disabled = false;
  if (r.retry) {
    sessionStorage.setItem(stored.pending, JSON.stringify(p));
    say($("message"), "");
    showPending();
    $("retry").focus();
    return;
  }
  pending = null;
  sessionStorage.removeItem(stored.pending);
  $("pending").hidden = true;
  lock(false);
  if (r.status === 401 || r.status === 403) return signOut("signedOut");
  if (!r.ok) {
    const key =
      { insufficient_points: "err.insufficient", reward_not_found: "err.rewardGone", idempotency_key_reused: "err.receiptReused", invalid_code: "err.unknownCard", member_not_found: "err.unknownCard" }[r.code] ??
      "err.refused";
    say($("message"), key, { detail: r.detail || r.status }, "error");
    refreshMember();
    return;
  }
  const d = r.data;
  const name = current?.member.name ?? "";
  const tierNote = d.tier !== d.previousTier ? { key: tierRank(d.tier) > tierRank(d.previousTier) ? "tier.up" : "tier.down", vars: { name, tier: t(`tier.${d.tier}`) } } : null;
  if (p.kind === "earn") {
    // A receipt answered as a replay on the first try was awarded before,
    // by another till or an earlier visit; on a retry it is this one.
    if (r.replayed && p.tries === 1) say($("message"), "earn.already", { balance: formatNumber(d.balance) }, "warn");
    else say($("message"), "earn.done", { points: formatNumber(d.points), amount: formatMinor(p.amount, lang), balance: formatNumber(d.balance) }, "ok", tierNote);
    $("earn").reset();
  } else {
    say($("message"), "redeem.done", { reward: p.reward, points: formatNumber(d.points), balance: formatNumber(d.balance) }, "ok", tierNote);
  }
  if (current) {
    current.member.balance = d.balance;
    current.member.tier = d.tier;
    showMember(false);
  }
  refreshMember();
}

function tierRank(tier) {
  return ["bronze", "silver", "gold", "platinum"].indexOf(tier);
}

// refreshMember reads the member again after a change: the balance and the
// rewards they can now afford. A failure keeps what is on show.
async function refreshMember() {
  if (!current) return;
  const code = current.code;
  const r = await call("POST", "/v1/scans", { token, json: JSON.stringify({ code }) });
  if (r.ok && current?.code === code) {
    current = { code, ...r.data };
    showMember(false);
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
    const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
    if (found?.data) {
      stopCamera();
      navigator.vibrate?.(40);
      say($("scan-status"), "scan.found", {}, "ok");
      lookup(found.data.trim());
      return;
    }
  }
  scanTimer = setTimeout(decode, 150);
}
