// Completion from the flow JSON Schema (GET api/flow-schema), pure: text + cursor in, suggestions out.
// The place in the YAML is found from the indentation of the lines above the cursor (block style, as
// the flows are written); inside a node, the node's `type` picks its own part of the schema, so a
// menu offers `options`, `timeout`... and a transition (`next`, `on_fail`...) offers the node names.

const KEY_LINE = /^(\s*)(- +)?([A-Za-z_][\w.-]*|"[^"]*"|'[^']*')\s*:(.*)$/;

function unquote(k) {
  return /^["'].*["']$/.test(k) ? k.slice(1, -1) : k;
}

/** where the cursor is: {path: ["nodes", "menu", "options", "[]"], mode: "key"|"value", key, prefix, from} */
export function yamlPathAt(text, pos) {
  const before = text.slice(0, pos);
  const lineStart = before.lastIndexOf("\n") + 1;
  const line = before.slice(lineStart);
  let mode, key = null, prefix, indent, from;
  const valueM = /^(\s*)(- +)?([A-Za-z_][\w.-]*)\s*:\s*(\S*)$/.exec(line);
  const keyM = /^(\s*)(- +)?([A-Za-z_][\w.-]*)?$/.exec(line);
  if (valueM) {
    mode = "value";
    key = valueM[3];
    prefix = valueM[4].replace(/^["']/, "");
    indent = valueM[1].length + (valueM[2] ? valueM[2].length : 0);
    from = pos - prefix.length;
  } else if (keyM) {
    mode = "key";
    prefix = keyM[3] || "";
    indent = keyM[1].length + (keyM[2] ? keyM[2].length : 0);
    from = pos - prefix.length;
  } else {
    return null;
  }
  const path = [];
  if (keyM && keyM[2] && mode === "key") path.unshift("[]");
  if (valueM && valueM[2]) path.unshift("[]");
  // walk up: each line less indented than the current level is a parent
  let level = indent;
  const lines = text.slice(0, lineStart).split("\n");
  for (let i = lines.length - 1; i >= 0 && level > 0; i--) {
    const l = lines[i];
    if (!l.trim() || l.trim().startsWith("#")) continue;
    const m = KEY_LINE.exec(l);
    const dash = /^(\s*)- /.exec(l);
    const lIndent = m ? m[1].length + (m[2] ? m[2].length : 0) : dash ? dash[1].length : l.search(/\S/);
    if (lIndent >= level) {
      // a sibling item of the same list, or deeper: not a parent
      continue;
    }
    if (m) {
      path.unshift(unquote(m[3]));
      if (m[2]) path.unshift("[]");
      level = m[1].length;
    } else if (dash) {
      path.unshift("[]");
      level = dash[1].length;
    } else {
      level = lIndent;
    }
  }
  return { path, mode, key, prefix, from };
}

/** the names of the flow's nodes (keys under `nodes:`) */
export function nodeNames(text) {
  const lines = text.split("\n");
  const names = [];
  let inNodes = false, childIndent = null;
  for (const l of lines) {
    if (!l.trim() || l.trim().startsWith("#")) continue;
    const indent = l.search(/\S/);
    if (indent === 0) {
      inNodes = /^nodes\s*:/.test(l);
      childIndent = null;
      continue;
    }
    if (!inNodes) continue;
    if (childIndent === null) childIndent = indent;
    if (indent === childIndent) {
      const m = KEY_LINE.exec(l);
      if (m) names.push(unquote(m[3]));
    }
  }
  return names;
}

/** the `type:` of node `name` (scanning its block), or null */
export function nodeType(text, name) {
  const lines = text.split("\n");
  let start = -1, indent = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = KEY_LINE.exec(lines[i]);
    if (m && unquote(m[3]) === name && m[1].length > 0) {
      const inline = /type\s*:\s*([\w-]+)/.exec(m[4]);
      if (inline && m[4].trim().startsWith("{")) return inline[1];
      start = i;
      indent = m[1].length;
      break;
    }
  }
  if (start < 0) return null;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    if (!l.trim()) continue;
    const ind = l.search(/\S/);
    if (ind <= indent) break;
    const m = /^\s*type\s*:\s*["']?([\w-]+)/.exec(l);
    if (m && ind > indent) return m[1];
  }
  return null;
}

function deref(schema, s) {
  let guard = 0;
  while (s && s.$ref && guard++ < 10) {
    const parts = s.$ref.replace(/^#\//, "").split("/");
    s = parts.reduce((o, p) => (o ? o[p] : undefined), schema);
  }
  return s;
}

/** every alternative of s (anyOf / oneOf flattened), dereferenced */
function alternatives(schema, s) {
  s = deref(schema, s);
  if (!s) return [];
  const alts = [...(s.anyOf || []), ...(s.oneOf || [])];
  if (!alts.length) return [s];
  return [s, ...alts.flatMap((a) => alternatives(schema, a))];
}

/** the schema of the object at `path` (node parts picked by the node's type), or null */
export function schemaAt(schema, path, text) {
  let cur = [schema];
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const next = [];
    for (const s0 of cur) {
      for (const s of alternatives(schema, s0)) {
        if (seg === "[]") {
          if (s.items) next.push(s.items);
          continue;
        }
        if (s.properties && s.properties[seg]) next.push(s.properties[seg]);
        else if (s.additionalProperties && typeof s.additionalProperties === "object") {
          if (i === 1 && path[0] === "nodes") {
            const type = nodeType(text, seg);
            const def = type && schema.$defs && schema.$defs[type];
            next.push(def || s.additionalProperties);
          } else next.push(s.additionalProperties);
        }
      }
    }
    cur = next;
    if (!cur.length) return null;
  }
  return cur;
}

function propertiesOf(schema, list) {
  const out = new Map();
  for (const s0 of list || []) {
    for (const s of alternatives(schema, s0)) {
      for (const [k, v] of Object.entries(s.properties || {})) if (!out.has(k)) out.set(k, deref(schema, v));
    }
  }
  return out;
}

const TARGET = "name of a node in this flow";

/** suggestions at the cursor: [{label, detail, type: "property"|"enum"|"node"}], with `from` */
export function completionsAt(schema, text, pos) {
  const where = yamlPathAt(text, pos);
  if (!where) return null;
  const { path, mode, key, prefix, from } = where;
  const here = schemaAt(schema, path, text);
  const props = propertiesOf(schema, here);
  const options = [];
  if (mode === "key") {
    const present = siblingsAt(text, pos);
    for (const [k, v] of props) {
      if (present.has(k)) continue;
      options.push({ label: k, detail: describe(schema, v), type: "property", apply: `${k}: ` });
    }
  } else {
    const v = props.get(key);
    const alts = v ? alternatives(schema, v) : [];
    for (const a of alts) {
      for (const e of a.enum || []) options.push({ label: String(e), type: "enum" });
      if (a.const !== undefined) options.push({ label: String(a.const), type: "enum" });
      if (a.type === "boolean") options.push({ label: "true", type: "enum" }, { label: "false", type: "enum" });
      if (a.description === TARGET || (key === "start" && path.length === 0)) {
        for (const n of nodeNames(text)) options.push({ label: n, type: "node", detail: nodeType(text, n) || "" });
      }
    }
  }
  const seen = new Set();
  const uniq = options.filter((o) => (seen.has(o.label) ? false : seen.add(o.label)));
  return { from, prefix, options: uniq.filter((o) => o.label.startsWith(prefix) || !prefix) };
}

function describe(schema, v) {
  const alts = alternatives(schema, v);
  const d = alts.map((a) => a.description).find(Boolean);
  const types = [...new Set(alts.map((a) => a.type).flat().filter(Boolean))].join("|");
  return d || types || "";
}

/** keys already written at the cursor's level (not offered again) */
function siblingsAt(text, pos) {
  const lines = text.split("\n");
  const before = text.slice(0, pos);
  const row = before.split("\n").length - 1;
  const cur = lines[row] || "";
  const indentOf = (l) => {
    const m = /^(\s*)(- +)?/.exec(l);
    return m[1].length + (m[2] ? m[2].length : 0);
  };
  const level = indentOf(cur);
  const keys = new Set();
  for (const dir of [-1, 1]) {
    for (let i = row + dir; i >= 0 && i < lines.length; i += dir) {
      const l = lines[i];
      if (!l.trim() || l.trim().startsWith("#")) continue;
      const ind = indentOf(l);
      if (ind < level) break;
      if (dir === -1 && /^\s*- /.test(l) && ind === level) { // the first key of this list item
        const m = KEY_LINE.exec(l);
        if (m) keys.add(unquote(m[3]));
        break;
      }
      if (dir === 1 && /^\s*- /.test(l)) break;
      if (ind === level) {
        const m = KEY_LINE.exec(l);
        if (m) keys.add(unquote(m[3]));
      }
    }
  }
  return keys;
}
