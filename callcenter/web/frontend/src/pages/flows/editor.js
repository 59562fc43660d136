// The flow YAML editor: CodeMirror 6 with YAML highlighting, completion from the flow JSON Schema
// (schema-complete.js) and live validation by the server (POST api/flows/validate: the very checks of
// `callcenter ivr validate`), shown in the gutter and under the text at line and column.
import { EditorView, basicSetup } from "codemirror";
import { EditorState, Compartment } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { yaml } from "@codemirror/lang-yaml";
import { linter, lintGutter, forceLinting } from "@codemirror/lint";
import { autocompletion } from "@codemirror/autocomplete";
import { indentWithTab } from "@codemirror/commands";
import { completionsAt } from "./schema-complete.js";

/** a CodeMirror diagnostic for a server problem {line, column, message, severity} */
export function diagnostic(doc, p) {
  const lineNo = Math.min(Math.max(1, p.line || 1), doc.lines);
  const line = doc.line(lineNo);
  const from = line.from + Math.min(Math.max(0, (p.column || 1) - 1), line.length);
  const rest = doc.sliceString(from, line.to);
  const word = /^[^\s,:}\]]+/.exec(rest);
  const to = word ? from + word[0].length : line.to > from ? line.to : from;
  return { from, to, severity: p.severity === "warning" ? "warning" : "error",
           message: p.node ? `node '${p.node}': ${p.message}` : p.message, source: "ivr validate" };
}

function schemaCompletion(getSchema) {
  return (context) => {
    const schema = getSchema();
    if (!schema) return null;
    const text = context.state.doc.toString();
    const r = completionsAt(schema, text, context.pos);
    if (!r || (!r.options.length) || (!context.explicit && !r.prefix && !/:\s*$|^\s*-?\s*$/.test(
      context.state.doc.lineAt(context.pos).text.slice(0, context.pos - context.state.doc.lineAt(context.pos).from)))) {
      return null;
    }
    return {
      from: r.from,
      options: r.options.map((o) => ({ label: o.label, detail: o.detail, type: o.type === "property" ? "property"
        : o.type === "node" ? "variable" : "enum", apply: o.apply })),
      validFor: /^[\w.-]*$/,
    };
  };
}

/**
 * createEditor(parent, {doc, getSchema, validate, onChange, onProblems, onSave, readOnly})
 * validate(text) -> Promise<{problems: [...]}> is called (debounced) after each edit.
 */
export function createEditor(parent, opts) {
  const readOnly = new Compartment();
  const lint = linter(async (view) => {
    const text = view.state.doc.toString();
    let r;
    try {
      r = await opts.validate(text);
    } catch (e) {
      opts.onProblems && opts.onProblems(null, e);
      return [];
    }
    if (view.state.doc.toString() !== text) return [];     // edited meanwhile: the next run answers
    opts.onProblems && opts.onProblems(r);
    return (r.problems || []).map((p) => diagnostic(view.state.doc, p));
  }, { delay: 500 });
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: opts.doc || "",
      extensions: [
        basicSetup,
        yaml(),
        lintGutter(),
        lint,
        autocompletion({ override: [schemaCompletion(opts.getSchema)], activateOnTyping: true }),
        keymap.of([indentWithTab, { key: "Mod-s", preventDefault: true, run: () => { opts.onSave && opts.onSave(); return true; } }]),
        readOnly.of(EditorState.readOnly.of(!!opts.readOnly)),
        EditorView.updateListener.of((u) => { if (u.docChanged && opts.onChange) opts.onChange(u.state.doc.toString()); }),
        EditorView.theme({ "&": { height: "100%", fontSize: "13px" }, ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace" } }),
      ],
    }),
  });
  return {
    view,
    getDoc: () => view.state.doc.toString(),
    setDoc(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text || "" } });
    },
    setReadOnly(flag) { view.dispatch({ effects: readOnly.reconfigure(EditorState.readOnly.of(!!flag)) }); },
    gotoLine(line, column = 1) {
      const l = view.state.doc.line(Math.min(Math.max(1, line), view.state.doc.lines));
      const pos = l.from + Math.min(Math.max(0, column - 1), l.length);
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      view.focus();
    },
    relint() { forceLinting(view); },
    destroy() { view.destroy(); },
  };
}
