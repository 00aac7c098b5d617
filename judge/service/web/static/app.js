// The web page of `judge serve`: one page over the /v1 API, routed by the URL hash.
//
// Rules this file keeps (the page is tested for them):
// - the API token lives in sessionStorage and travels only in the Authorization header, never in a URL;
// - everything the API returns (user and file names, case ids, messages, hints, printed output) is
//   put into the page as text (textContent / text nodes); the one HTML the page inserts is the
//   statement, rendered on the server from Markdown with raw HTML disabled;
// - no request leaves the service: no CDN, no web font, no external link is fetched.
"use strict";

(function () {
  const TOKEN_KEY = "judge.token";
  const DRAFT_KEY = "judge.draft.";
  const REJUDGES_KEY = "judge.rejudges";
  const POLL_LEADERBOARD_MS = 3000;
  const POLL_QUEUE_MS = 2000;
  const POLL_REJUDGE_MS = 1500;
  const POLL_SUBMISSIONS_MS = 3000;
  const INPUT_PREVIEW_CHARS = 1500;

  // The nonce CodeMirror puts on the <style> elements it adds (the page's CSP names it; 'unsafe-inline' is never allowed).
  const styleNonce = document.currentScript ? document.currentScript.nonce : "";
  const main = document.getElementById("main");
  const announcer = document.getElementById("announce");
  let me = null; // {user, role} once signed in
  let cleanups = []; // what the current view must stop when the route changes (timers, streams)
  let rendered = false; // a view has been shown (an in-page anchor then leaves it alone)

  // -- DOM helpers: text only ---------------------------------------------------------------------

  // h("p", {class: "x", id: "y", on: {click: f}}, "text", child...): strings become text nodes.
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "on") {
        for (const [name, handler] of Object.entries(value)) el.addEventListener(name, handler);
      } else if (key === "class") {
        el.className = value;
      } else if (key === "text") {
        el.textContent = String(value);
      } else {
        el.setAttribute(key, value === true ? "" : String(value));
      }
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = text; }, 50);
  }

  function fmtScore(score) {
    return score === null || score === undefined ? "–" : (Math.round(score * 10000) / 100).toString() + "%";
  }

  function fmtSeconds(s) {
    return s === null || s === undefined ? "–" : (s < 1 ? (s * 1000).toFixed(0) + " ms" : s.toFixed(2) + " s");
  }

  function fmtTime(iso) {
    if (!iso) return "–";
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
  }

  const VERDICT_MARK = { accepted: "✓", wrong_answer: "✗", pending: "…" };

  function verdictBadge(verdict) {
    const v = verdict || "pending";
    return h("span", { class: "verdict verdict-" + (/^[a-z_]+$/.test(v) ? v : "other") },
      h("span", { "aria-hidden": "true" }, VERDICT_MARK[v] || "!"), " ", v.replace(/_/g, " "));
  }

  function table(caption, headers, rows, options) {
    const t = h("table", { class: (options && options.class) || "" },
      h("caption", { class: options && options.hideCaption ? "visually-hidden" : "" }, caption),
      h("thead", {}, h("tr", {}, headers.map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, rows));
    return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption }, t);
  }

  function link(href, ...children) {
    return h("a", { href }, ...children);
  }

  function section(title, ...children) {
    return h("section", { class: "card" }, h("h2", {}, title), ...children);
  }

  function errorBox(text) {
    return h("p", { class: "error", role: "alert" }, text);
  }

  function every(ms, fn) {
    let stopped = false;
    let timer = null;
    const tick = async () => {
      if (stopped) return;
      try { await fn(); } catch (err) { if (!stopped) handleError(err); }
      if (!stopped) timer = window.setTimeout(tick, ms);
    };
    cleanups.push(() => { stopped = true; window.clearTimeout(timer); });
    tick();
    return () => { stopped = true; window.clearTimeout(timer); };
  }

  // -- the API ------------------------------------------------------------------------------------

  // `errors`: the API's [{field, message}] for a refused body, when it sends them.
  class ApiError extends Error {
    constructor(status, detail, errors) {
      super(detail);
      this.status = status;
      this.errors = Array.isArray(errors) ? errors : [];
    }
  }

  function token() {
    return window.sessionStorage.getItem(TOKEN_KEY);
  }

  async function api(path, options) {
    const opts = options || {};
    const headers = { Accept: "application/json", Authorization: "Bearer " + (opts.token || token() || "") };
    let body;
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    }
    const response = await fetch(path, { method: opts.method || "GET", headers, body, cache: "no-store", credentials: "omit",
      signal: opts.signal, referrerPolicy: "no-referrer" });
    if (!response.ok) {
      let detail = response.status + " " + response.statusText;
      let errors;
      try {
        const doc = await response.json();
        if (doc && typeof doc.detail === "string") detail = doc.detail;
        if (doc) errors = doc.errors;
      } catch (_) { /* not JSON: keep the status line */ }
      throw new ApiError(response.status, detail, errors);
    }
    return response.json();
  }

  function handleError(err) {
    if (err && err.name === "AbortError") return;
    if (err instanceof ApiError && err.status === 401) {
      signOut("The service refused the token (expired, revoked or mistyped). Sign in again.");
      return;
    }
    const text = err instanceof ApiError ? err.message : "The service cannot be reached: " + (err && err.message ? err.message : err);
    const existing = main.querySelector(".error[data-global]");
    if (existing) existing.textContent = text;
    else main.prepend(h("p", { class: "error", role: "alert", "data-global": "" }, text));
  }

  // The submission's event stream, read with fetch (EventSource cannot send the Authorization
  // header, and the token must never go into a URL). Calls onEvent(name, data) per event.
  async function readEvents(path, onEvent, signal) {
    const response = await fetch(path, { headers: { Accept: "text/event-stream", Authorization: "Bearer " + token() },
      cache: "no-store", credentials: "omit", signal });
    if (!response.ok) throw new ApiError(response.status, response.status + " " + response.statusText);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer = (buffer + value).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      }
    }
  }

  // -- signing in and out -------------------------------------------------------------------------

  function showSignedIn() {
    document.getElementById("nav").hidden = false;
    document.getElementById("who").hidden = false;
    document.getElementById("who-name").textContent = me.user;
    document.getElementById("who-role").textContent = me.role;
    document.getElementById("nav-operator").hidden = me.role !== "admin";
  }

  function signOut(message, notice) {
    window.sessionStorage.removeItem(TOKEN_KEY);
    me = null;
    document.getElementById("nav").hidden = true;
    document.getElementById("who").hidden = true;
    renderSignIn(message, notice);
  }

  // `message`: why the sign-in form is shown (an error unless `notice`).
  function renderSignIn(message, notice) {
    stopView();
    document.title = "Sign in · judge";
    const input = h("input", { id: "token", name: "token", type: "password", autocomplete: "off", spellcheck: "false",
      required: true, "aria-describedby": "token-help" });
    const error = h("p", { class: notice ? "notice" : "error", role: "alert", id: "sign-in-error", hidden: !message }, message || "");
    const form = h("form", { class: "card sign-in", id: "sign-in" },
      h("h1", { tabindex: "-1" }, "Sign in"),
      h("label", { for: "token" }, "API token"),
      input,
      h("p", { id: "token-help", class: "help" },
        "Your instructor or operator gives you a token (judge token create NAME). It stays in this browser tab's session " +
        "storage and is sent only to this service, in a header."),
      error,
      h("button", { type: "submit" }, "Sign in"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = input.value.trim();
      try {
        me = await api("/v1/me", { token: value });
      } catch (err) {
        error.hidden = false;
        error.className = "error";
        error.textContent = err instanceof ApiError && err.status === 401 ? "This token is not valid here." : String(err.message || err);
        input.focus();
        return;
      }
      window.sessionStorage.setItem(TOKEN_KEY, value);
      showSignedIn();
      route();
    });
    main.replaceChildren(form);
    input.focus();
  }

  // -- routing --------------------------------------------------------------------------------------

  function stopView() {
    for (const stop of cleanups) stop();
    cleanups = [];
  }

  // [pattern, view]: a view is called with the pattern's groups (decoded), then an AbortSignal that
  // fires when the route changes.
  const ROUTES = [
    [/^#\/problems\/([^/]+)\/leaderboard$/, viewLeaderboard],
    [/^#\/problems\/([^/]+)$/, viewProblem],
    [/^#\/sets\/([^/]+)\/problems\/([^/]+)$/, (setId, id, signal) => viewProblem(id, signal, setId)],
    [/^#\/sets\/([^/]+)$/, viewSet],
    [/^#\/sets$/, viewSets],
    [/^#\/submissions\/([^/]+)$/, viewSubmission],
    [/^#\/submissions$/, viewMySubmissions],
    [/^#\/operator\/rejudges\/([^/]+)\/([^/]+)$/, viewRejudge],
    [/^#\/operator$/, viewOperator],
    [/^(?:#\/?(?:problems)?)?$/, viewProblems],
  ];

  async function route() {
    if (!token()) {
      renderSignIn();
      return;
    }
    let hash = window.location.hash;
    if (hash && !hash.startsWith("#/") && hash !== "#") {
      if (rendered) return; // an in-page anchor (the skip link): the view stays
      hash = "";
    }
    rendered = true;
    stopView();
    if (!me) {
      try {
        me = await api("/v1/me");
      } catch (err) {
        handleError(err);
        if (!me) return;
      }
      showSignedIn();
    }
    for (const link of document.querySelectorAll("[data-nav]")) {
      const current = hash.startsWith("#/" + link.dataset.nav) || (link.dataset.nav === "problems" && (hash === "" || hash === "#/"));
      if (current) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
    }
    for (const [pattern, view] of ROUTES) {
      const match = hash.match(pattern);
      if (match) {
        const controller = new AbortController();
        cleanups.push(() => controller.abort());
        main.replaceChildren(h("p", { class: "loading" }, "Loading…"));
        try {
          await view(...match.slice(1).map(decodeURIComponent), controller.signal);
        } catch (err) {
          handleError(err);
        }
        return;
      }
    }
    page("Not found", h("p", {}, "There is no such page. ", link("#/problems", "See the problems.")));
  }

  // Replace the main content with a page titled `title`; the heading takes the focus so that a
  // screen reader announces the new page.
  function page(title, ...children) {
    document.title = title + " · judge";
    const heading = h("h1", { tabindex: "-1" }, title);
    main.replaceChildren(heading, ...children);
    heading.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    return heading;
  }

  // -- problems -------------------------------------------------------------------------------------

  async function viewProblems(signal) {
    const problems = await api("/v1/problems", { signal });
    page("Problems", problems.length
      ? h("ul", { class: "problem-list" }, problems.map((p) =>
        h("li", {}, link("#/problems/" + encodeURIComponent(p.id), h("span", { class: "title" }, p.title), " ",
          h("span", { class: "id" }, p.id)))))
      : h("p", {}, "The service has no problems yet."));
  }

  function preview(value) {
    const text = JSON.stringify(value);
    return text.length > INPUT_PREVIEW_CHARS
      ? text.slice(0, INPUT_PREVIEW_CHARS) + ` … (${text.length - INPUT_PREVIEW_CHARS} more characters)`
      : text;
  }

  function shapeOf(value) {
    const shape = [];
    let v = value;
    while (Array.isArray(v)) {
      shape.push(v.length);
      v = v[0];
    }
    return shape.length ? "shape (" + shape.join(", ") + (shape.length === 1 ? ",)" : ")") : typeof value;
  }

  // `setId`: the problem opened from a problem set's page (#/sets/ID/problems/PID); its submissions
  // then name the set, so that the set's opening time and deadline apply to them.
  async function viewProblem(id, signal, setId) {
    const path = "/v1/problems/" + encodeURIComponent(id);
    const [problem, statement, problemSet] = await Promise.all([api(path, { signal }), api(path + "/statement", { signal }),
      setId ? api("/v1/sets/" + encodeURIComponent(setId), { signal }) : null]);
    const statementBox = h("div", { class: "statement" });
    // The one HTML the page inserts: rendered by the service from Markdown with raw HTML off.
    statementBox.innerHTML = statement.html;

    const args = table("Arguments of " + problem.entry_point, ["name", "type", "description"],
      problem.args.map((a) => h("tr", {}, h("td", {}, h("code", {}, a.name)),
        h("td", {}, [a.type, a.dtype, a.ndim !== null && a.ndim !== undefined ? a.ndim + "-d" : null].filter(Boolean).join(" ")),
        h("td", {}, a.description || ""))));

    const cases = problem.public_cases.map((c) => h("details", { class: "case-inputs" },
      h("summary", {}, h("code", {}, c.id)),
      h("dl", {}, Object.entries(c.inputs).map(([name, value]) => [
        h("dt", {}, h("code", {}, name), " ", h("span", { class: "muted" }, shapeOf(value))),
        h("dd", {}, h("pre", { class: "values" }, preview(value))),
      ]))));

    const editorHost = h("div", { class: "editor", id: "editor" });
    const filename = h("input", { id: "filename", name: "filename", value: "solution.py", autocomplete: "off", spellcheck: "false",
      required: true, pattern: "[^\\/]+\\.py", "aria-describedby": "filename-help" });
    const submitError = h("p", { class: "error", role: "alert", hidden: true });
    const submitButton = h("button", { type: "submit", id: "submit" }, "Submit");
    const reset = h("button", { type: "button", class: "secondary", id: "reset" }, "Reset to the template");
    const form = h("form", { class: "card submit-form", id: "submit-form" },
      h("h2", { id: "editor-label" }, "Your solution"),
      problemSet ? h("p", { class: "notice", id: "submit-set" }, "Submissions from this page count for the set “", problemSet.title, "”",
        problemSet.deadline ? ", deadline " + fmtTime(problemSet.deadline) : "", ". ", SET_SUBMIT_NOTE[problemSet.status] || "") : null,
      h("p", { class: "help", id: "editor-help" },
        "Python. Tab indents; press Escape, then Tab, to leave the editor."),
      editorHost,
      h("div", { class: "row" },
        h("div", { class: "field" }, h("label", { for: "filename" }, "File name"), filename,
          h("span", { class: "help", id: "filename-help" }, "ends in .py")),
        h("div", { class: "actions" }, reset, submitButton)),
      submitError);

    const mine = h("div", { id: "problem-submissions" });
    page(problem.title,
      h("p", { class: "subtitle" }, h("code", {}, problem.id), " · ",
        link("#/problems/" + encodeURIComponent(problem.id) + "/leaderboard", "Leaderboard"),
        problemSet ? [" · in the set ", link("#/sets/" + encodeURIComponent(problemSet.id), problemSet.title), " ", phaseBadge(problemSet.status)] : null),
      h("div", { class: "problem-layout" },
        h("div", { class: "problem-text" },
          section("Statement", statementBox),
          section("What solve receives", args,
            h("p", { class: "muted" }, `Tolerance: rtol ${problem.tolerance.rtol}, atol ${problem.tolerance.atol}.`)),
          section("Public cases", cases.length ? cases : h("p", {}, "This problem has no public cases."))),
        h("div", { class: "problem-work" }, form, section("Your submissions to this problem", mine))));

    const draftKey = DRAFT_KEY + problem.id;
    const editor = window.JudgeEditor.create(editorHost, { doc: window.sessionStorage.getItem(draftKey) || problem.template,
      label: "Your solution (Python)", nonce: styleNonce });
    editorHost.judgeEditor = editor; // for the browser tests
    editor.view.contentDOM.setAttribute("aria-describedby", "editor-help");
    editor.view.contentDOM.setAttribute("aria-labelledby", "editor-label");
    const saveDraft = () => window.sessionStorage.setItem(draftKey, editor.getValue());
    editorHost.addEventListener("input", saveDraft);
    editorHost.addEventListener("keyup", saveDraft);
    editorHost.addEventListener("paste", () => window.setTimeout(saveDraft, 0));
    cleanups.push(saveDraft);
    reset.addEventListener("click", () => {
      editor.setValue(problem.template);
      window.sessionStorage.removeItem(draftKey);
      editor.focus();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      submitError.hidden = true;
      submitButton.disabled = true;
      try {
        saveDraft();
        const doc = await api("/v1/submissions", { method: "POST",
          json: { problem: problem.id, source: editor.getValue(), filename: filename.value.trim(), set: problemSet ? problemSet.id : undefined } });
        window.location.hash = "#/submissions/" + encodeURIComponent(doc.id);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) { handleError(err); return; }
        submitError.hidden = false;
        submitError.textContent = "Not submitted: " + err.message;
        submitButton.disabled = false;
      }
    });
    every(POLL_SUBMISSIONS_MS * 2, async () => {
      const rows = await api("/v1/submissions?limit=10&problem=" + encodeURIComponent(problem.id) + "&user=" + encodeURIComponent(me.user),
        { signal });
      mine.replaceChildren(rows.length ? submissionsTable(rows, "Your latest submissions to " + problem.id, false) : h("p", {}, "None yet."));
    });
  }

  // -- submissions ----------------------------------------------------------------------------------

  // A submission's set (a link) and its late mark, or "–" for practice.
  function setCell(s) {
    return s.set ? [link("#/sets/" + encodeURIComponent(s.set), s.set), s.late ? h("span", { class: "tag late" }, "late") : null] : "–";
  }

  function submissionsTable(rows, caption, withProblem) {
    const withSet = withProblem || rows.some((s) => s.set);
    const headers = ["submitted", withProblem ? "problem" : null, withSet ? "set" : null, "verdict", "score", ""].filter((x) => x !== null);
    return table(caption, headers, rows.map((s) => h("tr", {},
      h("td", {}, fmtTime(s.submitted_at)),
      withProblem ? h("td", {}, h("code", {}, s.problem)) : null,
      withSet ? h("td", { class: "set" }, setCell(s)) : null,
      h("td", {}, s.status === "done" ? verdictBadge(s.verdict) : h("span", { class: "status" }, s.status)),
      h("td", { class: "num" }, fmtScore(s.score)),
      h("td", {}, link("#/submissions/" + encodeURIComponent(s.id), "details", h("span", { class: "visually-hidden" }, " of " + s.id))))),
    { hideCaption: true });
  }

  async function viewMySubmissions(signal) {
    const box = h("div", { id: "my-submissions" });
    page("My submissions", box);
    every(POLL_SUBMISSIONS_MS, async () => {
      const rows = await api("/v1/submissions?limit=100&user=" + encodeURIComponent(me.user), { signal });
      box.replaceChildren(rows.length ? submissionsTable(rows, "My submissions, newest first", true)
        : h("p", {}, "No submissions yet. ", link("#/problems", "Pick a problem.")));
      return rows;
    });
  }

  // One case as the JSON report gives it: its verdict, time, message, hint and (public cases) what
  // the code printed. A hidden case shows exactly the fields the API sends for it.
  function caseItem(c) {
    const li = h("li", { class: "case verdict-" + (/^[a-z_]+$/.test(c.verdict) ? c.verdict : "other"), "data-case": c.id },
      h("div", { class: "case-head" },
        verdictBadge(c.verdict), " ",
        h("code", { class: "case-id" }, c.id),
        c.hidden ? h("span", { class: "tag" }, "hidden") : null,
        h("span", { class: "muted time" }, fmtSeconds(c.time_s))));
    if (c.message) li.append(h("p", { class: "message" }, c.message));
    if (c.mismatch) {
      li.append(h("details", {}, h("summary", {}, "Where the values differ"),
        h("pre", { class: "values" }, JSON.stringify(c.mismatch, null, 1))));
    }
    if (c.hint) li.append(h("p", { class: "hint" }, h("strong", {}, "Hint: "), c.hint));
    if (c.output) li.append(h("details", {}, h("summary", {}, "What your code printed"), h("pre", { class: "output" }, c.output)));
    return li;
  }

  function resultSummary(doc) {
    const r = doc.result;
    const box = h("section", { class: "card result verdict-" + (/^[a-z_]+$/.test(r.verdict) ? r.verdict : "other"), id: "result",
      "aria-labelledby": "result-heading" },
    h("h2", { id: "result-heading" }, "Result"),
    h("p", { class: "big" }, verdictBadge(r.verdict)),
    h("dl", { class: "facts" },
      h("dt", {}, "Score"), h("dd", { id: "score" }, fmtScore(r.score)),
      h("dt", {}, "Cases passed"), h("dd", { id: "passed" }, `${r.passed} of ${r.total}`),
      r.ranking_time_s !== null && r.ranking_time_s !== undefined ? [h("dt", {}, "Ranking time"), h("dd", {}, fmtSeconds(r.ranking_time_s))] : null,
      r.wall_s !== null && r.wall_s !== undefined ? [h("dt", {}, "Graded in"), h("dd", {}, fmtSeconds(r.wall_s))] : null));
    if (r.message) box.append(h("p", { class: "message", id: "result-message" }, r.message));
    return box;
  }

  async function viewSubmission(id, signal) {
    const path = "/v1/submissions/" + encodeURIComponent(id);
    let doc = await api(path, { signal });
    const facts = h("dl", { class: "facts" });
    const status = h("p", { class: "status-line", id: "status-line" });
    const caseList = h("ol", { class: "cases", id: "cases", "aria-label": "Cases" });
    const resultBox = h("div", { id: "result-box" });
    page("Submission", facts, status, resultBox, section("Cases", caseList));

    const showFacts = () => {
      facts.replaceChildren();
      append(facts, [
      h("dt", {}, "Problem"), h("dd", {}, link("#/problems/" + encodeURIComponent(doc.problem), doc.problem)),
      h("dt", {}, "User"), h("dd", { id: "submission-user" }, doc.user),
      h("dt", {}, "File"), h("dd", { id: "submission-file" }, doc.result ? doc.result.submission : "–"),
      h("dt", {}, "Submitted"), h("dd", {}, fmtTime(doc.submitted_at)),
      h("dt", {}, "Set"), h("dd", { id: "submission-set" }, doc.set ? link("#/sets/" + encodeURIComponent(doc.set), doc.set) : "none (practice)"),
      doc.set ? [h("dt", {}, "Late"), h("dd", { id: "submission-late" },
        doc.late ? h("span", { class: "tag late" }, "late") : "no", doc.late ? " after the set's deadline" : "")] : null,
      h("dt", {}, "Id"), h("dd", {}, h("code", {}, doc.id)),
      h("dt", {}, "Leaderboard"), h("dd", {}, link("#/problems/" + encodeURIComponent(doc.problem) + "/leaderboard", "of " + doc.problem),
        doc.set ? [" · ", link("#/sets/" + encodeURIComponent(doc.set), "of the set " + doc.set)] : null)]);
    };

    const finish = (final) => {
      doc = final;
      showFacts();
      status.textContent = "Graded.";
      status.className = "status-line done";
      resultBox.replaceChildren(resultSummary(doc));
      caseList.replaceChildren(...doc.result.cases.map(caseItem));
      announce(`Graded: ${doc.result.verdict.replace(/_/g, " ")}, score ${fmtScore(doc.result.score)}.`);
    };

    showFacts();
    if (doc.status === "done" && doc.result) {
      finish(doc);
      return;
    }
    let seen = 0;
    status.textContent = doc.status === "queued" ? "Queued: waiting for a grader…" : "Grading…";
    status.className = "status-line busy";
    const onEvent = (name, data) => {
      if (name === "case") {
        seen += 1;
        caseList.append(caseItem(data));
        status.textContent = `Grading… ${seen} case${seen === 1 ? "" : "s"} so far.`;
        announce(`Case ${data.id}: ${String(data.verdict).replace(/_/g, " ")}.`);
      } else if (name === "restart") {
        seen = 0;
        caseList.replaceChildren();
        status.textContent = "The grading started again: " + data.reason;
      } else if (name === "result" && data.result) {
        finish(data);
      }
    };
    try {
      await readEvents(path + "/events", onEvent, signal);
    } catch (err) {
      if (err && err.name === "AbortError") return;
    }
    // The stream ended (or broke) before a result: wait for it with long polls.
    while (!signal.aborted && !(doc.status === "done" && doc.result)) {
      const next = await api(path + "?wait=30", { signal });
      if (next.status === "done" && next.result) finish(next);
      else doc = next;
    }
  }

  // -- leaderboard ----------------------------------------------------------------------------------

  async function viewLeaderboard(id, signal) {
    const path = "/v1/problems/" + encodeURIComponent(id);
    const problem = await api(path, { signal });
    const box = h("div", { id: "leaderboard" });
    const updated = h("p", { class: "muted", id: "leaderboard-updated" });
    page("Leaderboard: " + problem.title,
      h("p", { class: "subtitle" }, link("#/problems/" + encodeURIComponent(id), "Back to the problem"),
        " · best submission per user; updated live"),
      box, updated);
    every(POLL_LEADERBOARD_MS, async () => {
      const rows = await api(path + "/leaderboard?format=json", { signal });
      box.replaceChildren(rows.length
        ? table("Leaderboard of " + id, ["rank", "user", "verdict", "score", "time", "submitted"], rows.map((r) =>
          h("tr", { class: r.user === me.user ? "me" : "" },
            h("td", { class: "num" }, r.rank),
            h("td", { class: "user" }, r.user, r.user === me.user ? h("span", { class: "tag" }, "you") : null),
            h("td", {}, verdictBadge(r.verdict)),
            h("td", { class: "num" }, fmtScore(r.score)),
            h("td", { class: "num" }, fmtSeconds(r.time_s)),
            h("td", {}, fmtTime(r.submitted_at)))), { hideCaption: true, class: "leaderboard" })
        : h("p", {}, "No graded submissions yet."));
      updated.textContent = "Updated " + new Date().toLocaleTimeString() + ".";
    });
  }

  // -- problem sets -----------------------------------------------------------------------------------

  const PHASES = ["upcoming", "open", "late", "closed"];
  const PHASE_TEXT = { upcoming: "not open yet: submissions are refused until it opens", open: "taking submissions",
    late: "past the deadline: submissions are still graded, and marked late", closed: "past the deadline: no more submissions" };
  const SET_SUBMIT_NOTE = {
    upcoming: "The set is not open yet: the service refuses submissions until it opens.",
    late: "The deadline has passed: a submission is still graded, and marked late.",
    closed: "The set is closed: the service refuses new submissions to it.",
  };

  function phaseBadge(status) {
    const s = PHASES.includes(status) ? status : "other";
    return h("span", { class: "phase phase-" + s }, String(status));
  }

  function lateRule(set) {
    if (!set.late.allowed) return "Submissions after the deadline are refused.";
    return set.late.penalty > 0
      ? `Late submissions are graded and marked late; they count ${fmtScore(1 - set.late.penalty)} of their score in the set's totals.`
      : "Late submissions are graded and marked late, with no penalty.";
  }

  function localZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "local time"; } catch (_) { return "local time"; }
  }

  async function viewSets(signal) {
    const [sets, problems] = await Promise.all([api("/v1/sets", { signal }),
      me.role === "learner" ? null : api("/v1/problems", { signal })]);
    page("Problem sets",
      h("p", { class: "subtitle" }, "Assignments and contests: each groups problems, with an optional opening time and deadline. Times are in your time zone (",
        localZone(), ")."),
      sets.length
        ? table("Problem sets", ["set", "status", "opens", "deadline", "problems"], sets.map((s) => h("tr", { "data-set": s.id },
          h("td", {}, link("#/sets/" + encodeURIComponent(s.id), s.title), " ", h("code", { class: "muted" }, s.id)),
          h("td", { class: "status" }, phaseBadge(s.status)),
          h("td", {}, s.opens_at ? fmtTime(s.opens_at) : "–"),
          h("td", {}, s.deadline ? fmtTime(s.deadline) : "none"),
          h("td", { class: "num" }, s.problems.length))), { hideCaption: true, class: "sets" })
        : h("p", { id: "no-sets" }, "There are no problem sets yet."),
      problems ? setForm(problems) : null);
  }

  // The author's form: POST /v1/sets; a refusal is shown next to the form and at the field it names.
  function setForm(problems) {
    const fieldError = {};
    const field = (name, label, input, help) => {
      fieldError[name] = h("p", { class: "field-error", id: input.id + "-error", hidden: true });
      input.setAttribute("aria-describedby", [help ? input.id + "-help" : null, input.id + "-error"].filter(Boolean).join(" "));
      return h("div", { class: "field" }, h("label", { for: input.id }, label), input,
        help ? h("span", { class: "help", id: input.id + "-help" }, help) : null, fieldError[name]);
    };
    const id = h("input", { id: "set-id", name: "id", autocomplete: "off", spellcheck: "false" });
    const title = h("input", { id: "set-title", name: "title", autocomplete: "off" });
    const opens = h("input", { id: "set-opens", name: "opens_at", type: "datetime-local" });
    const deadline = h("input", { id: "set-deadline", name: "deadline", type: "datetime-local" });
    const lateAllowed = h("input", { id: "set-late-allowed", name: "late_allowed", type: "checkbox", checked: true });
    const penalty = h("input", { id: "set-late-penalty", name: "late_penalty", type: "number", min: "0", max: "1", step: "0.05", value: "0" });
    const checks = problems.map((p, i) => h("li", {}, h("input", { type: "checkbox", id: "set-problem-" + i, value: p.id, name: "problems" }),
      h("label", { for: "set-problem-" + i, class: "check" }, p.title, " ", h("code", { class: "muted" }, p.id))));
    fieldError.problems = h("p", { class: "field-error", id: "set-problems-error", hidden: true });
    const problemsBox = h("fieldset", { id: "set-problems", "aria-describedby": "set-problems-error" },
      h("legend", {}, "Problems, in this order"), h("ul", { class: "checks" }, checks), fieldError.problems);
    const error = h("p", { class: "error", role: "alert", id: "set-form-error", hidden: true });
    const button = h("button", { type: "submit", id: "create-set" }, "Create the set");
    // In the form's order: the first field refused takes the focus.
    const inputs = { id, title, problems: problemsBox, opens_at: opens, deadline, "late.allowed": lateAllowed, "late.penalty": penalty };
    const form = h("form", { id: "set-form", novalidate: true },
      h("div", { class: "row" },
        field("id", "Id", id, "lower-case letters, digits, - and _; it is the set's address"),
        field("title", "Title", title)),
      problemsBox,
      h("div", { class: "row" },
        field("opens_at", "Opens (optional)", opens, "your time zone; empty: open now"),
        field("deadline", "Deadline (optional)", deadline, "your time zone; empty: no deadline")),
      h("div", { class: "row" },
        h("div", { class: "field" }, h("label", { class: "check", for: "set-late-allowed" }, lateAllowed, " Take late submissions (graded, marked late)")),
        field("late.penalty", "Late penalty", penalty, "0 to 1: the share of a late score taken off in the set's totals")),
      error,
      h("div", { class: "actions" }, button));
    // A datetime-local value is the user's local time; the API takes ISO 8601 with a zone.
    const when = (input) => {
      if (!input.value) return undefined;
      const d = new Date(input.value);
      return Number.isNaN(d.getTime()) ? input.value : d.toISOString().replace(/\.\d{3}Z$/, "Z");
    };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      for (const [name, box] of Object.entries(fieldError)) {
        box.hidden = true;
        inputs[name].removeAttribute("aria-invalid");
      }
      const body = { id: id.value.trim(), title: title.value.trim(), problems: checks.map((li) => li.querySelector("input")).filter((c) => c.checked).map((c) => c.value),
        opens_at: when(opens), deadline: when(deadline),
        late: { allowed: lateAllowed.checked, penalty: penalty.value === "" ? 0 : Number(penalty.value) } };
      button.disabled = true;
      try {
        const created = await api("/v1/sets", { method: "POST", json: body });
        window.location.hash = "#/sets/" + encodeURIComponent(created.id);
      } catch (err) {
        button.disabled = false;
        if (err instanceof ApiError && err.status === 401) { handleError(err); return; }
        error.hidden = false;
        error.textContent = "Not created: " + err.message;
        // The field each refusal names (from the API's list, or the "field: why" of its detail).
        const named = err.errors.length ? err.errors : [{ field: String(err.message).split(":")[0], message: err.message.replace(/^[^:]*: /, "") }];
        const why = {};
        for (const e of named) {
          const name = String(e.field).startsWith("late.") ? String(e.field) : String(e.field).replace(/[.[].*$/, ""); // problems[2] -> problems
          if (inputs[name]) (why[name] = why[name] || []).push(e.field + ": " + e.message);
        }
        const refused = Object.keys(inputs).filter((name) => why[name]);
        for (const name of refused) {
          inputs[name].setAttribute("aria-invalid", "true");
          fieldError[name].hidden = false;
          fieldError[name].textContent = why[name].join("; ");
        }
        if (refused.length) {
          const first = inputs[refused[0]];
          (first.tagName === "FIELDSET" ? first.querySelector("input") : first).focus();
        }
      }
    });
    return section("Create a set", h("p", { class: "help" }, "Authors and admins. Learners submit to a set's problems from the set's page."), form);
  }

  function setCellView(cell) {
    if (!cell) return "–";
    return [fmtScore(cell.counted), cell.late ? h("span", { class: "tag late" }, "late") : null,
      cell.late && cell.counted !== cell.score ? h("span", { class: "muted" }, " (scored " + fmtScore(cell.score) + ")") : null];
  }

  async function viewSet(id, signal) {
    const path = "/v1/sets/" + encodeURIComponent(id);
    let set = await api(path, { signal });
    const facts = h("dl", { class: "facts", id: "set-facts" });
    const problems = h("ol", { class: "problem-list", id: "set-problems-list" });
    const box = h("div", { id: "set-leaderboard" });
    const updated = h("p", { class: "muted", id: "set-leaderboard-updated" });
    page(set.title, h("p", { class: "subtitle" }, h("code", {}, set.id), " · ", link("#/sets", "All sets")),
      facts, section("Problems", problems),
      section("Leaderboard", h("p", { class: "help" },
        "Per user: the best submission to each problem made from this set's pages (late ones marked, with the penalty applied), and the total; updated live."),
      box, updated));
    const problemTitles = {};
    const showSet = () => {
      facts.replaceChildren(
        h("dt", {}, "Status"), h("dd", { id: "set-status" }, phaseBadge(set.status), " ", h("span", { class: "muted" }, PHASE_TEXT[set.status] ? "· " + PHASE_TEXT[set.status] : "")),
        h("dt", {}, "Opens"), h("dd", { id: "set-opens-at" }, set.opens_at ? fmtTime(set.opens_at) : "open from its creation"),
        h("dt", {}, "Deadline"), h("dd", { id: "set-deadline-at" }, set.deadline ? fmtTime(set.deadline) : "none"),
        h("dt", {}, "Late rule"), h("dd", { id: "set-late-rule" }, set.deadline ? lateRule(set) : "No deadline: nothing is late."),
        h("dt", {}, "Times"), h("dd", {}, "in your time zone (", localZone(), ")"));
      problems.replaceChildren(...set.problems.map((p) => h("li", {},
        link("#/sets/" + encodeURIComponent(set.id) + "/problems/" + encodeURIComponent(p),
          h("span", { class: "title" }, problemTitles[p] || p), " ", h("span", { class: "id" }, p)))));
    };
    showSet();
    api("/v1/problems", { signal }).then((all) => {
      for (const p of all) problemTitles[p.id] = p.title;
      showSet();
    }, () => { /* the ids stay as titles */ });
    every(POLL_LEADERBOARD_MS, async () => {
      const [next, rows] = await Promise.all([api(path, { signal }), api(path + "/leaderboard?format=json", { signal })]);
      if (JSON.stringify(next) !== JSON.stringify(set)) {
        set = next;
        showSet();
      }
      box.replaceChildren(rows.length
        ? table("Leaderboard of the set " + set.id, ["rank", "user", ...set.problems, "total"], rows.map((r) =>
          h("tr", { class: r.user === me.user ? "me" : "" },
            h("td", { class: "num" }, r.rank),
            h("td", { class: "user" }, r.user, r.user === me.user ? h("span", { class: "tag" }, "you") : null),
            set.problems.map((p) => h("td", { class: "num", "data-problem": p }, setCellView(r.problems[p]))),
            h("td", { class: "num total" }, `${Math.round(r.total * 100) / 100} of ${set.problems.length}`))),
        { hideCaption: true, class: "leaderboard" })
        : h("p", {}, "No graded submissions to this set yet."));
      updated.textContent = "Updated " + new Date().toLocaleTimeString() + ".";
    });
  }

  // -- operator -------------------------------------------------------------------------------------

  function rememberRejudge(problem, rid) {
    const list = JSON.parse(window.sessionStorage.getItem(REJUDGES_KEY) || "[]").filter((r) => r.id !== rid);
    list.unshift({ problem, id: rid, at: new Date().toISOString() });
    window.sessionStorage.setItem(REJUDGES_KEY, JSON.stringify(list.slice(0, 20)));
  }

  async function viewOperator(signal) {
    if (me.role !== "admin") {
      page("Operator", h("p", {}, "This view needs an admin token."));
      return;
    }
    const problems = await api("/v1/problems", { signal });
    const stats = h("dl", { class: "facts", id: "queue-stats" });
    const jobs = h("div", { id: "queue-jobs" });
    const select = h("select", { id: "rejudge-problem", name: "problem" },
      problems.map((p) => h("option", { value: p.id }, p.id + " — " + p.title)));
    const rejudgeError = h("p", { class: "error", role: "alert", hidden: true });
    const form = h("form", { id: "rejudge-form", class: "row" },
      h("div", { class: "field" }, h("label", { for: "rejudge-problem" }, "Problem"), select),
      h("div", { class: "actions" }, h("button", { type: "submit", id: "start-rejudge" }, "Rejudge every submission")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const started = await api("/v1/problems/" + encodeURIComponent(select.value) + "/rejudge", { method: "POST" });
        rememberRejudge(started.problem, started.id);
        window.location.hash = "#/operator/rejudges/" + encodeURIComponent(started.problem) + "/" + encodeURIComponent(started.id);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) { handleError(err); return; }
        rejudgeError.hidden = false;
        rejudgeError.textContent = "Not started: " + err.message;
      }
    });
    const earlier = JSON.parse(window.sessionStorage.getItem(REJUDGES_KEY) || "[]");
    page("Operator",
      section("Queue and workers", stats, jobs),
      section("Rejudge", h("p", { class: "help" },
        "Grades every submission of the problem again (the old results are kept); you can follow its progress and the verdicts it changes."),
      form, rejudgeError,
      earlier.length ? [h("h3", {}, "Rejudges started in this tab"), h("ul", {}, earlier.map((r) => h("li", {},
        link("#/operator/rejudges/" + encodeURIComponent(r.problem) + "/" + encodeURIComponent(r.id), r.problem + " " + r.id),
        " ", h("span", { class: "muted" }, fmtTime(r.at)))))] : null));
    every(POLL_QUEUE_MS, async () => {
      const q = await api("/v1/queue", { signal });
      stats.replaceChildren(
        h("dt", {}, "Jobs queued or running"), h("dd", { id: "queue-depth" }, q.queue),
        h("dt", {}, "Workers"), h("dd", { id: "queue-workers" }, q.workers),
        h("dt", {}, "Busy now"), h("dd", { id: "queue-busy" }, q.busy));
      jobs.replaceChildren(q.jobs.length
        ? table("Jobs not done, running first", ["job", "status", "worker", "user", "problem", "submission", "tries", "rejudge"],
          q.jobs.map((j) => h("tr", {},
            h("td", { class: "num" }, j.id), h("td", {}, j.status), h("td", { class: "worker" }, j.worker || "–"),
            h("td", { class: "user" }, j.user), h("td", {}, h("code", {}, j.problem)),
            h("td", {}, link("#/submissions/" + encodeURIComponent(j.submission_id), j.submission_id)),
            h("td", { class: "num" }, j.claims), h("td", {}, j.rejudge_id || "–"))))
        : h("p", {}, "The queue is empty."));
    });
  }

  async function viewRejudge(problem, rid, signal) {
    const path = "/v1/problems/" + encodeURIComponent(problem) + "/rejudge/" + encodeURIComponent(rid);
    const progress = h("progress", { id: "rejudge-progress", max: "1", value: "0", "aria-labelledby": "rejudge-progress-label" });
    const label = h("p", { id: "rejudge-progress-label" }, "Starting…");
    const changes = h("div", { id: "rejudge-changes" });
    page("Rejudge of " + problem, h("p", { class: "subtitle" }, h("code", {}, rid), " · ", link("#/operator", "Back to the operator view")),
      section("Progress", label, progress), section("Verdicts or scores it changed", changes));
    const stop = every(POLL_REJUDGE_MS, async () => {
      const r = await api(path, { signal });
      progress.max = Math.max(r.total, 1);
      progress.value = r.done;
      label.textContent = r.done === r.total ? `Done: ${r.total} submission${r.total === 1 ? "" : "s"} graded again.`
        : `${r.done} of ${r.total} submissions graded again…`;
      changes.replaceChildren(r.changes.length
        ? table("Changed results", ["user", "submission", "before", "after"], r.changes.map((c) => h("tr", {},
          h("td", { class: "user" }, c.user), h("td", {}, c.submission),
          h("td", {}, c.verdict_before ? [verdictBadge(c.verdict_before), " ", fmtScore(c.score_before)] : "not graded"),
          h("td", {}, c.verdict_after ? [verdictBadge(c.verdict_after), " ", fmtScore(c.score_after)] : "not graded"))))
        : h("p", {}, r.done === r.total ? "No verdict or score changed." : "None so far."));
      if (r.done === r.total) {
        stop();
        announce("The rejudge is done.");
      }
    });
  }

  // -- start ------------------------------------------------------------------------------------------

  document.getElementById("sign-out").addEventListener("click", () => signOut("Signed out.", true));
  window.addEventListener("hashchange", route);
  route();
})();
