// The console's screens for talking to members: the segments with their
// counts, the campaigns (a message on the cards of a segment) and the
// promotions (points multiplied for a while). admin.js owns the page and
// hands these screens its helpers; they call GET /v1/admin/segments,
// /v1/admin/campaigns and /v1/admin/promotions. Analysts read; managers
// also create, and the forms are data-role="manager" for showRole to hide.
import { newKey } from "./api.js";
import * as i18n from "./i18n.js";
import { t, formatNumber } from "./i18n.js";
import strings from "./strings.js";
import campaignStrings from "./admin-campaigns-strings.js";

for (const l of Object.keys(campaignStrings)) Object.assign(strings[l], campaignStrings[l]);

const $ = (id) => document.getElementById(id);
const tiers = ["bronze", "silver", "gold", "platinum"];
// classes as loyalty.Classes lists them, best first.
const classes = ["champions", "loyal", "promising", "new", "at-risk", "hibernating", "lost"];
const monthName = (m) => new Intl.DateTimeFormat(i18n.lang, { month: "long", timeZone: "UTC" }).format(Date.UTC(2000, m - 1, 15));

let kit; // admin.js's helpers: api, problem, say, el, table, button, num, moment, confirm, may, stores, redraw
let storeNames = {}; // store id -> name, as last read

// describe says a segment in words: "Gold · Birthday in March".
function describe(s) {
  if (!s) return t("segment.everyone");
  const parts = [];
  if (s.tier) parts.push(t("segment.tier", { tier: t("tier." + s.tier) }));
  if (s.class) parts.push(t("class." + s.class));
  if (s.inactiveDays) parts.push(t("segment.inactive", { days: formatNumber(s.inactiveDays) }));
  if (s.store) parts.push(t("segment.store", { store: storeNames[s.store] || s.store }));
  if (s.birthdayMonth) parts.push(t("segment.birthday", { month: monthName(s.birthdayMonth) }));
  if (s.donors) parts.push(t("segment.donors"));
  if (s.referrers) parts.push(t("segment.referrers"));
  return parts.length ? parts.join(" · ") : t("segment.everyone");
}

// Segment builder ---------------------------------------------------------------

// builder writes the segment's conditions into holder, each field named
// prefix-seg-<condition>; a promotion's has no class (an earning is decided
// without the quintiles).
function builder(holder, prefix, withClass, legend) {
  const { el } = kit;
  const id = (f) => `${prefix}-seg-${f}`;
  const field = (f, label, input) => el("div", {}, el("label", { htmlFor: id(f), "data-i18n": label }), input, el("p", { className: "field-error", id: id(f) + "-error" }));
  const select = (f, values, textKey) => el("select", { id: id(f), "aria-describedby": id(f) + "-error" },
    el("option", { value: "", "data-i18n": "segment.any" }), ...values.map((v) => el("option", textKey ? { value: v, "data-i18n": textKey + v } : { value: v })));
  const box = (f, label) => el("label", {}, el("input", { type: "checkbox", id: id(f) }), el("span", { "data-i18n": label }));
  const fields = [
    field("tier", "segment.tierLabel", select("tier", tiers, "tier.")),
    withClass ? field("class", "segment.classLabel", select("class", classes, "class.")) : null,
    field("store", "segment.storeLabel", select("store", [])),
    field("inactive", "segment.inactiveLabel", el("input", { id: id("inactive"), type: "text", inputMode: "numeric", autocomplete: "off", "aria-describedby": id("inactive") + "-error" })),
    field("month", "segment.monthLabel", select("month", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])),
  ];
  holder.replaceChildren(el("fieldset", { className: "segment-builder" },
    el("legend", { "data-i18n": legend }),
    el("div", { className: "grid" }, ...fields),
    el("div", { className: "choices" }, box("donors", "segment.donors"), box("referrers", "segment.referrers"))));
  for (const e of holder.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  nameMonths(prefix);
}

function nameMonths(prefix) {
  for (const o of $(`${prefix}-seg-month`).querySelectorAll("option[value]:not([value=''])")) o.textContent = monthName(Number(o.value));
}

function fillStores(prefix, list) {
  const s = $(`${prefix}-seg-store`);
  const was = s.value;
  s.replaceChildren(s.options[0], ...list.map((shop) => kit.el("option", { value: shop.id }, shop.name)));
  s.value = was;
}

// readSegment is the builder's conditions, only those set; a number that is
// not a whole number is sent as written, for the API to refuse by its field.
function readSegment(prefix) {
  const v = (f) => $(`${prefix}-seg-${f}`)?.value.trim() ?? "";
  const s = {};
  if (v("tier")) s.tier = v("tier");
  if (v("class")) s.class = v("class");
  if (v("store")) s.store = v("store");
  if (v("inactive")) s.inactiveDays = /^\d+$/.test(v("inactive")) ? Number(v("inactive")) : v("inactive");
  if (v("month")) s.birthdayMonth = Number(v("month"));
  if ($(`${prefix}-seg-donors`).checked) s.donors = true;
  if ($(`${prefix}-seg-referrers`).checked) s.referrers = true;
  return s;
}

function writeSegment(prefix, s) {
  const set = (f, value) => $(`${prefix}-seg-${f}`) && ($(`${prefix}-seg-${f}`).value = value ?? "");
  set("tier", s.tier);
  set("class", s.class);
  set("store", s.store);
  set("inactive", s.inactiveDays);
  set("month", s.birthdayMonth);
  $(`${prefix}-seg-donors`).checked = Boolean(s.donors);
  $(`${prefix}-seg-referrers`).checked = Boolean(s.referrers);
}

// Problems by field -------------------------------------------------------------

// The API's refusals, by the field they are about: the first rule whose
// code and detail match puts its text under its field (prefix-field).
// Without a text of our own, the API's detail is shown.
const rules = [
  { code: "invalid_segment", re: /inactiveDays/, field: "seg-inactive", key: "problem.inactiveDays" },
  { code: "invalid_segment", re: /birthdayMonth/, field: "seg-month" },
  { code: "invalid_segment", re: /not a tier/, field: "seg-tier" },
  { code: "invalid_segment", re: /class/, field: "seg-class" },
  { code: "invalid_segment", re: /store/, field: "seg-store", key: "problem.store" },
  { code: "store_not_found", re: /store/, field: "store", key: "problem.store" },
  { code: "promotion_exists", re: /./, field: "id", key: "problem.idTaken" },
  { re: /^[^:]*: id /, field: "id", key: "problem.id" },
  { re: /message\.fr/, field: "fr" },
  { re: /message/, field: "en" },
  { re: /name\.fr/, field: "name-fr" },
  { re: /name/, field: "name" },
  { re: /bonusPoints/, field: "bonus", key: "problem.bonus" },
  { re: /multiplierPercent/, field: "percent", key: "problem.percent" },
  { re: /startsAt may be/, field: "start", key: "problem.tooFar" },
  { re: /startsAt and endsAt/, field: "start", key: "problem.window" },
  { re: /366 days/, field: "end", key: "problem.tooLong" },
  { re: /endsAt is past/, field: "end", key: "problem.past" },
  { re: /must be 1 to (\d+) characters/, key: "problem.length" },
  { re: /English text/, key: "problem.english" },
  { re: /control characters|direction of text|visible character/, key: "problem.characters" },
];

// clearProblems empties a form's errors.
function clearProblems(form) {
  for (const p of form.querySelectorAll(".field-error")) p.textContent = "";
  for (const i of form.querySelectorAll("[aria-invalid]")) i.removeAttribute("aria-invalid");
}

// fieldError puts text under the field prefix-field and moves there.
function fieldError(prefix, field, text) {
  const input = $(`${prefix}-${field}`);
  $(`${prefix}-${field}-error`).textContent = text;
  input.setAttribute("aria-invalid", "true");
  input.focus();
}

// showProblem shows an answer's refusal under its field, or under the form.
function showProblem(prefix, res) {
  if (res.retry) return ($(`${prefix}-error`).textContent = t("console.network"));
  const detail = res.detail || "";
  let field = "";
  let text = "";
  for (const r of rules) {
    if ((r.code && r.code !== res.code) || !r.re.test(detail)) continue;
    if (r.field && !field && $(`${prefix}-${r.field}-error`)) field = r.field;
    const n = /must be 1 to (\d+) characters/.exec(detail)?.[1];
    if (r.key && !text) text = t(r.key, { n: n ? formatNumber(Number(n)) : "" });
    if (field && text) break;
  }
  text ||= kit.problem(res);
  if (field) fieldError(prefix, field, text);
  else $(`${prefix}-error`).textContent = text;
}

// localTime is a datetime-local value as the API's RFC 3339 time; "" stays "".
const localTime = (v) => (v ? new Date(v).toISOString() : "");

// Segments ------------------------------------------------------------------------

async function loadSegments() {
  const [res, list] = await Promise.all([kit.api("GET", "/v1/admin/segments"), kit.stores()]);
  if (!res.ok) return kit.say(kit.problem(res), "error");
  storeNames = Object.fromEntries(list.map((s) => [s.id, s.name]));
  kit.redraw(() => drawSegments(res.data));
}

// campaignFor is the address of a new campaign to segment s.
const campaignFor = (s) => "#campaigns/new?" + new URLSearchParams(Object.entries(s).map(([k, v]) => [k, String(v)]));

function drawSegments(report) {
  const { el, table, num, may } = kit;
  const q = report.quintiles;
  $("segments-about").textContent = [
    t("segments.members", { n: formatNumber(report.members) }),
    q.computedOn ? t("segments.scored", { day: i18n.formatDate(q.computedOn), n: formatNumber(q.members) }) : t("segments.notScored"),
  ].join(" ");
  // A campaign is offered to a segment that has members, to managers.
  const start = (c) => el("td", {}, may("manager") && c.members > 0
    ? el("a", { className: "button small", href: campaignFor(c.segment), "aria-label": t("segments.campaignFor", { segment: describe(c.segment) }) }, t("segments.campaign"))
    : "");
  const byClass = report.segments.filter((c) => c.segment.class);
  $("segments-classes").replaceChildren(table(t("segments.classes"), [t("segments.class"), t("segments.count"), ""],
    byClass.map((c) => [el("td", { className: "segment-name" }, el("strong", {}, t("class." + c.segment.class)), el("span", { className: "meaning" }, t("meaning." + c.segment.class))), num(c.members), start(c)])));
  const others = report.segments.filter((c) => !c.segment.class);
  $("segments-others").replaceChildren(table(t("segments.others"), [t("segments.segment"), t("segments.count"), ""],
    others.map((c) => [el("td", { className: "segment-name" }, describe(c.segment)), num(c.members), start(c)])));
}

// Campaigns -----------------------------------------------------------------------

let campaigns = [];
let shown = null; // the campaign whose report is open (#campaigns/<id>)
// createKey is the Idempotency-Key of the campaign being sent: kept until
// an answer comes, so sending again after a lost answer starts it once.
let createKey = null;

async function loadCampaigns(arg = "", focus = true) {
  const [res, list] = await Promise.all([kit.api("GET", "/v1/admin/campaigns"), kit.stores()]);
  if (!res.ok) return kit.say(kit.problem(res), "error");
  campaigns = res.data.campaigns;
  storeNames = Object.fromEntries(list.map((s) => [s.id, s.name]));
  fillStores("campaign", list);
  const [what, query] = arg.split("?");
  shown = null;
  if (what && what !== "new") {
    const one = await kit.api("GET", "/v1/admin/campaigns/" + encodeURIComponent(what));
    if (!one.ok) kit.say(kit.problem(one), "error");
    else shown = one.data;
  }
  kit.redraw(drawCampaigns);
  if (shown && focus) $("campaign-heading").focus();
  if (what === "new") {
    clearProblems($("campaign-form"));
    writeSegment("campaign", Object.fromEntries(new URLSearchParams(query)));
    $("campaign-form-heading").focus();
  }
}

const status = (c) => t("campaigns.status." + c.status);

function drawCampaigns() {
  const { el, table, num, moment } = kit;
  const rows = campaigns.map((c) => [
    el("td", {}, el("a", { href: "#campaigns/" + c.id, "aria-current": c.id === shown?.id ? "true" : "false" }, c.name)),
    describe(c.segment), el("td", { className: "campaign-status " + c.status }, status(c)), el("td", { className: "when" }, moment(c.startsAt)), num(c.targeted), num(c.delivered),
  ]);
  $("campaigns-list").replaceChildren(table(t("nav.campaigns"), [t("campaigns.nameCol"), t("campaigns.segment"), t("keys.state"), t("campaigns.start"), t("campaigns.targeted"), t("campaigns.delivered")], rows, t("campaigns.none")));
  $("campaign").hidden = !shown;
  if (!shown) return;
  const c = shown;
  $("campaign-heading").textContent = c.name;
  const figures = [["targeted", c.targeted], ["delivered", c.delivered], ["pushed", c.pushed], ["failed", c.failed]];
  $("campaign-figures").replaceChildren(...figures.map(([k, n]) => el("div", { "data-kpi": k }, el("dt", {}, t("campaigns." + k)), el("dd", {}, formatNumber(n)))));
  const facts = [
    ["keys.state", c.status === "finished" ? t("campaigns.finishedAt", { at: moment(c.finishedAt) }) : status(c)],
    ["campaigns.segment", describe(c.segment)],
    ["campaigns.start", moment(c.startsAt)],
    ["campaigns.bonusCol", c.bonusPoints ? formatNumber(c.bonusPoints) : t("campaigns.noBonus")],
    ["campaigns.messageEnCol", c.message.en],
    ["campaigns.messageFrCol", c.message.fr || t("campaigns.noFrench")],
  ];
  $("campaign-facts").replaceChildren(...facts.map(([k, v]) => el("div", {}, el("dt", {}, t(k)), el("dd", {}, v))));
}

async function refreshCampaign() {
  if (!shown) return;
  await loadCampaigns(shown.id, false);
  kit.say(t("campaigns.refreshed", { at: new Intl.DateTimeFormat(i18n.lang, { timeStyle: "medium" }).format(new Date()) }));
}

async function sendCampaign(e) {
  e.preventDefault();
  const form = $("campaign-form");
  clearProblems(form);
  const bonus = $("campaign-bonus").value.trim();
  if (bonus && !/^\d{1,7}$/.test(bonus)) return fieldError("campaign", "bonus", t("problem.bonus"));
  const body = { name: $("campaign-name").value.trim(), segment: readSegment("campaign"), message: { en: $("campaign-en").value.trim() } };
  if ($("campaign-fr").value.trim()) body.message.fr = $("campaign-fr").value.trim();
  if (bonus) body.bonusPoints = Number(bonus);
  if ($("campaign-start").value) body.startsAt = localTime($("campaign-start").value);
  createKey ??= newKey();
  $("campaign-submit").disabled = true;
  const res = await kit.api("POST", "/v1/admin/campaigns", { json: JSON.stringify(body), key: createKey });
  $("campaign-submit").disabled = false;
  if (!res.retry) createKey = null;
  if (!res.ok) return showProblem("campaign", res);
  form.reset();
  // The report opens in place: a hashchange would route again and clear
  // the status line.
  history.pushState(null, "", "#campaigns/" + res.data.id);
  await loadCampaigns(res.data.id);
  kit.say(t("campaigns.sent", { name: res.data.name }), "ok");
}

// Promotions ----------------------------------------------------------------------

let promotions = [];

async function loadPromotions() {
  const [res, list] = await Promise.all([kit.api("GET", "/v1/admin/promotions"), kit.stores()]);
  if (!res.ok) return kit.say(kit.problem(res), "error");
  promotions = res.data.promotions;
  storeNames = Object.fromEntries(list.map((s) => [s.id, s.name]));
  const store = $("promotion-store");
  const was = store.value;
  store.replaceChildren(kit.el("option", { value: "", "data-i18n": "promotions.everyStore" }, t("promotions.everyStore")), ...list.map((s) => kit.el("option", { value: s.id }, s.name)));
  store.value = was;
  fillStores("promotion", list);
  kit.redraw(drawPromotions);
}

// until is when a promotion stops applying: its end, or when it was ended.
const until = (p) => (p.endedAt && p.endedAt < p.endsAt ? p.endedAt : p.endsAt);
const promotionName = (p) => (i18n.lang === "fr" && p.name.fr) || p.name.en;

function drawPromotions() {
  const { el, table, moment, button, may } = kit;
  const now = new Date().toISOString();
  const current = promotions.filter((p) => p.startsAt <= now && now < until(p));
  const upcoming = promotions.filter((p) => now < p.startsAt && now < until(p));
  const ended = promotions.filter((p) => until(p) <= now);
  const rows = (list, endable) => list.map((p) => [
    promotionName(p), el("td", { className: "num" }, t("promotions.times", { percent: formatNumber(p.multiplierPercent) })),
    el("td", { className: "when" }, t("promotions.from", { at: moment(p.startsAt) }), el("br"), t("promotions.until", { at: moment(until(p)) }),
      p.endedAt && p.endedAt < p.endsAt ? el("span", { className: "meaning" }, t("promotions.endedEarly")) : ""),
    p.storeId ? storeNames[p.storeId] || p.storeId : t("promotions.everyStore"), describe(p.segment),
    el("td", {}, endable && may("manager") ? button(t("promotions.end"), () => endPromotion(p), "button small danger") : ""),
  ]);
  const heads = [t("promotions.name"), t("promotions.multiplier"), t("promotions.when"), t("promotions.store"), t("campaigns.segment"), ""];
  $("promotions-current").replaceChildren(table(t("promotions.current"), heads, rows(current, true), t("promotions.noneCurrent")));
  $("promotions-upcoming").replaceChildren(table(t("promotions.upcoming"), heads, rows(upcoming, true), t("promotions.noneUpcoming")));
  $("promotions-ended").replaceChildren(table(t("promotions.ended"), heads, rows(ended, false), t("promotions.noneEnded")));
}

async function endPromotion(p) {
  if (!(await kit.confirm(t("promotions.endConfirm", { name: promotionName(p) })))) return;
  const res = await kit.api("DELETE", "/v1/admin/promotions/" + encodeURIComponent(p.id));
  if (!res.ok) return kit.say(kit.problem(res), "error");
  await loadPromotions();
  kit.say(t("promotions.endedNow", { name: promotionName(p) }), "ok");
}

// slug makes an id from a name: "Double points!" -> "double-points".
const slug = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40);

async function createPromotion(e) {
  e.preventDefault();
  const form = $("promotion-form");
  clearProblems(form);
  const percent = $("promotion-percent").value.trim().replace(/\s*%$/, "");
  if (!/^\d{1,4}$/.test(percent)) return fieldError("promotion", "percent", t("problem.percent"));
  if (!$("promotion-start").value || !$("promotion-end").value) return fieldError("promotion", $("promotion-start").value ? "end" : "start", t("problem.window"));
  const body = {
    id: $("promotion-id").value.trim() || slug($("promotion-name").value),
    name: { en: $("promotion-name").value.trim() },
    multiplierPercent: Number(percent),
    startsAt: localTime($("promotion-start").value),
    endsAt: localTime($("promotion-end").value),
  };
  if ($("promotion-name-fr").value.trim()) body.name.fr = $("promotion-name-fr").value.trim();
  if ($("promotion-store").value) body.storeId = $("promotion-store").value;
  const segment = readSegment("promotion");
  if (Object.keys(segment).length) body.segment = segment;
  $("promotion-submit").disabled = true;
  const res = await kit.api("POST", "/v1/admin/promotions", { json: JSON.stringify(body) });
  $("promotion-submit").disabled = false;
  if (!res.ok) return showProblem("promotion", res);
  form.reset();
  await loadPromotions();
  kit.say(t("promotions.created", { name: promotionName(res.data) }), "ok");
}

// screens wires the three screens with admin.js's helpers and returns them
// as admin.js's views.
export function screens(helpers) {
  kit = helpers;
  builder($("campaign-segment"), "campaign", true, "campaigns.who");
  builder($("promotion-segment"), "promotion", false, "promotions.who");
  i18n.onChange(() => {
    nameMonths("campaign");
    nameMonths("promotion");
  });
  $("campaign-form").addEventListener("submit", sendCampaign);
  $("campaign-refresh").addEventListener("click", refreshCampaign);
  $("promotion-form").addEventListener("submit", createPromotion);
  // The id follows the English name until the operator writes one.
  $("promotion-name").addEventListener("input", () => {
    if (!$("promotion-id").dataset.edited) $("promotion-id").value = slug($("promotion-name").value);
  });
  $("promotion-id").addEventListener("input", () => ($("promotion-id").dataset.edited = "yes"));
  $("promotion-form").addEventListener("reset", () => delete $("promotion-id").dataset.edited);
  return {
    segments: { load: loadSegments },
    campaigns: { load: loadCampaigns },
    promotions: { load: loadPromotions },
  };
}
