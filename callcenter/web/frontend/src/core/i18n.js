// English and Chinese. Core strings live in src/i18n/en.js and zh.js; a page adds its own with
// addMessages("en", {...}) / addMessages("zh", {...}) next to its code. Keys are dotted
// ("desk.ready"), placeholders are {name}: t("desk.waiting", {n: 3}). A key missing in Chinese falls
// back to English, a key missing in both shows the key itself (visible in review, never blank).
import { signal } from "./html.js";
import en from "../i18n/en.js";
import zh from "../i18n/zh.js";

const KEY = "callcenter.lang";
export const LANGS = { en: "English", zh: "中文" };
const catalog = { en: { ...en }, zh: { ...zh } };

function initial() {
  const saved = localStorage.getItem(KEY);
  if (saved && catalog[saved]) return saved;
  return (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
}

/** the current language ("en" | "zh"); reading it in a component re-renders it on change */
export const lang = signal(initial());
document.documentElement.lang = lang.value === "zh" ? "zh-CN" : "en";

export function setLang(l) {
  if (!catalog[l]) return;
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
  lang.value = l;
}

export function addMessages(l, messages) {
  if (!catalog[l]) throw new Error(`addMessages: unknown language ${l}`);
  Object.assign(catalog[l], messages);
}

export function t(key, vars) {
  const l = lang.value;
  let s = catalog[l][key] ?? catalog.en[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k])));
  return s;
}

/** keys present in English but not in Chinese (the build checks none of the core ones is missing) */
export const missing = () => Object.keys(catalog.en).filter((k) => !(k in catalog.zh));
