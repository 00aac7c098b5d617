// The editor of the judge's web page: CodeMirror 6 with Python, bundled into one file
// (judge/service/web/vendor/editor.js) by `npm run build`. The page uses only window.JudgeEditor.
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { indentOnInput, bracketMatching, syntaxHighlighting, defaultHighlightStyle, indentUnit } from "@codemirror/language";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { python } from "@codemirror/lang-python";

function create(parent, options) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc || "",
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(), history(),
        indentOnInput(), bracketMatching(), closeBrackets(), indentUnit.of("    "),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }), python(),
        // Tab indents; Escape then Tab leaves the editor (CodeMirror's escape hatch for keyboard users).
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.cspNonce.of(options.nonce || ""),
        EditorView.contentAttributes.of({ "aria-label": options.label || "Code editor", "aria-multiline": "true" }),
      ],
    }),
  });
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
  };
}

window.JudgeEditor = { create };
