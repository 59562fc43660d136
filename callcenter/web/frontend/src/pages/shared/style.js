// A page's own styles, added to the document once when its chunk loads (a CSS import in a lazily
// loaded chunk would be a separate file nobody links): addStyle("flows", `...css...`).
const added = new Set();

export function addStyle(id, css) {
  if (added.has(id)) return;
  added.add(id);
  const el = document.createElement("style");
  el.dataset.page = id;
  el.textContent = css;
  document.head.appendChild(el);
}
