// The pages speak English or French: the visitor's browser language picks
// one, a switch changes it for the rest of the visit.
import strings from "./strings.js";

const saved = "fidelio.lang";
const listeners = [];

export let lang = pick();

function pick() {
  const chosen = sessionStorage.getItem(saved);
  if (chosen in strings) return chosen;
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language || "en"];
  for (const l of wanted) {
    const base = l.toLowerCase().split("-")[0];
    if (base in strings) return base;
  }
  return "en";
}

// t is the text of key in the current language, with {name} replaced by vars.name.
export function t(key, vars = {}) {
  const s = strings[lang][key];
  if (s === undefined) {
    console.error(`no text for ${key}`);
    return key;
  }
  return s.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

// apply writes the current language into the page: the text of every
// [data-i18n] element, the attributes named by [data-i18n-attr]
// ("placeholder:key aria-label:key"), the title and the language switch.
export function apply() {
  const root = document.documentElement;
  root.lang = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(" ")) {
      const [attr, key] = pair.split(":");
      el.setAttribute(attr, t(key));
    }
  }
  if (root.dataset.title) document.title = t(root.dataset.title);
  for (const el of document.querySelectorAll("[data-lang-switch]")) {
    el.textContent = t("lang.other");
    el.lang = other();
    el.setAttribute("aria-label", t("lang.otherLabel"));
  }
  for (const f of listeners) f();
}

function other() {
  return lang === "fr" ? "en" : "fr";
}

// onChange runs f after every apply: for the texts a page composes itself.
export function onChange(f) {
  listeners.push(f);
}

// wire makes the language switches work and applies the language once.
export function wire() {
  for (const el of document.querySelectorAll("[data-lang-switch]")) {
    el.addEventListener("click", () => {
      lang = other();
      sessionStorage.setItem(saved, lang);
      apply();
    });
  }
  apply();
}

export function formatNumber(n) {
  return new Intl.NumberFormat(lang).format(n);
}

// formatDate shows a "YYYY-MM-DD" day in words.
export function formatDate(day) {
  const d = new Date(day + "T12:00:00Z");
  return new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone: "UTC" }).format(d);
}
