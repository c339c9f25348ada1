// The page of `totpfob gui`. Everything it does goes through the server's /api/ (which calls totpfob's
// operations); it never sees a key: accounts read from a picture, a link or a key stay on the server as drafts.
"use strict";

const $ = (id) => document.getElementById(id);
let T = {};             // the page's texts, in the language chosen (from the server's catalog)
let tokens = [];        // the tokens as last read
let draft = null;       // the account read and not yet added: {draft, account}
let shownCode = null;   // the account whose code is on screen: its draft id
let codeTimer = null;
let preview = null;     // the import preview: {import, rows}

// -- talking to the server -------------------------------------------------------------------------------
async function request(method, path, body, type) {
  const options = {method, credentials: "same-origin", headers: {}};
  if (method === "POST") {
    options.headers["X-Totpfob"] = "1";
    options.headers["Content-Type"] = type || "application/json";
    options.body = type ? body : JSON.stringify(body || {});
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    throw new Error(T.stopped || "The program behind this page has stopped.");
  }
  let answer = {};
  try { answer = await response.json(); } catch (error) { answer = {error: T.stopped}; }
  if (!response.ok) throw new Error(answer.error || T.stopped);
  return answer;
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// Start an operation and wait for its outcome; after half a second a spinner shows, with the operation's
// latest note (such as "hold A on the token").
async function run(name, body, type) {
  const started = await request("POST", "/api/" + name, body, type);
  const since = Date.now();
  try {
    for (;;) {
      const job = await request("GET", "/api/job?id=" + encodeURIComponent(started.job));
      if (Date.now() - since > 500 || job.notes.length) busy(job.notes[job.notes.length - 1] || T.working);
      if (job.done) {
        if (job.error) throw new Error(job.error);
        return job.result;
      }
      await sleep(150);
    }
  } finally {
    busy(null);
  }
}

// While an operation runs, the controls wait too; those disabled for a reason of their own (a preview row that
// cannot be written) stay disabled afterwards.
function busy(text) {
  $("busy").hidden = text === null;
  if (text !== null) {
    $("busy-text").textContent = text;
    document.querySelectorAll("button:enabled, input:enabled, select:enabled").forEach((el) => {
      el.disabled = true;
      el.dataset.waiting = "1";
    });
  } else {
    document.querySelectorAll("[data-waiting]").forEach((el) => {
      el.disabled = false;
      delete el.dataset.waiting;
    });
  }
}

function say(text, ok) {
  const box = $("message");
  box.textContent = sentence(text);
  box.className = ok ? "ok" : "";
  box.hidden = !text;
  if (text) box.scrollIntoView({block: "nearest"});
}

function sentence(text) {   // the operations speak in lower-case clauses; the page in sentences
  if (!text) return "";
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?…]$/.test(text) ? text : text + ".";
}

// Everything a person starts goes through here: a failure becomes the one sentence on the page. The count of
// actions under way is on <body data-busy> (the tests wait for it to be "0").
let actions = 0;
async function attempt(work) {
  say("");
  document.body.dataset.busy = String(++actions);
  try { await work(); } catch (error) { say(error.message, false); } finally {
    document.body.dataset.busy = String(--actions);
  }
}

// -- texts -----------------------------------------------------------------------------------------------
function format(text, values) {
  return text.replace(/%\((\w+)\)s/g, (all, name) => String(values[name]));
}

function applyTexts(answer) {
  T = answer.texts;
  document.documentElement.lang = answer.language;
  document.title = "totpfob – " + T.title;
  document.querySelectorAll("[data-text]").forEach((el) => { el.textContent = T[el.dataset.text]; });
  const select = $("language");
  select.textContent = "";
  for (const [code, name] of Object.entries(answer.languages)) {
    const option = new Option(name, code, false, code === answer.language);
    select.append(option);
  }
  showTokens();
  if (draft) showDraft();
  if (preview) showPreview();
}

function accountName(account) {
  return account.issuer ? account.issuer + ": " + account.label : account.label;
}

function settingsOf(account) {
  return format(T.settings_value, {algorithm: account.algorithm.toUpperCase(), digits: account.digits,
                                   period: account.period});
}

function element(tag, text, className) {
  const el = document.createElement(tag);
  if (text !== undefined && text !== null) el.textContent = text;
  if (className) el.className = className;
  return el;
}

function button(text, action) {
  const el = element("button", text);
  el.addEventListener("click", action);
  return el;
}

// -- the tokens ------------------------------------------------------------------------------------------
async function refresh() {
  const answer = await run("tokens", {});
  tokens = answer.tokens;
  showTokens();
  if (draft) showDraft();
}

function readable() { return tokens.filter((token) => !token.error); }

// A token as a person tells them apart: its board and the last part of its port ("ttyUSB0", "COM3"); the whole
// port is in the tooltip.
function tokenName(port) {
  const token = tokens.find((found) => found.port === port) || {};
  const last = (name) => name.split(/[\\/]/).pop();
  const alike = tokens.filter((other) => last(other.port) === last(port)).length > 1;
  const short = alike ? port : last(port);   // two tokens must never look alike
  return token.board ? token.board + " – " + short : short;
}

function showTokens() {
  const box = $("tokens");
  box.textContent = "";
  $("no-token").hidden = tokens.length > 0;
  for (const token of tokens) {
    const card = element("div", null, "token");
    card.dataset.port = token.port;
    const title = element("h3", tokenName(token.port));
    title.title = token.port;
    card.append(title);
    if (token.error) {
      card.append(element("p", T.token_unreadable + " " + sentence(token.error), "notice"));
      box.append(card);
      continue;
    }
    card.append(element("p", format(T.accounts_room, {accounts: token.accounts.length, free: token.free})));
    if (token.vault && token.vault !== "ok") card.append(element("p", T.storage_damaged, "notice"));
    const clock = element("p", token.clock.text, token.clock.advisable ? "notice clock" : "clock");
    card.append(clock);
    if (typeof token.battery === "number") card.append(element("p", T.battery + " " + token.battery + " %"));
    if (token.languages) card.append(languageChoice(token));
    const actions = element("p");
    actions.append(button(T.time_sync, () => attempt(() => timeSync(token.port))), " ",
                   button(T.wipe, () => attempt(() => wipe(token))));
    card.append(actions);
    if (!token.accounts.length) {
      card.append(element("p", T.no_accounts));
    } else {
      const table = element("table");
      const head = element("tr");
      for (const name of ["issuer", "label", "settings"]) head.append(element("th", T[name]));
      head.append(element("th"));
      table.append(head);
      for (const account of token.accounts) table.append(accountRow(token, account));
      card.append(table);
    }
    box.append(card);
  }
}

function languageChoice(token) {
  const line = element("p");
  const label = element("label", T.token_language + " ");
  const select = element("select");
  select.className = "token-language";
  if (!token.languages.now) select.append(new Option(T.never_set, "", true, true));
  for (const [code, name] of Object.entries(token.languages.choices)) {
    select.append(new Option(name, code, false, code === token.languages.now));
  }
  select.addEventListener("change", () => attempt(async () => {
    await run("token-language", {port: token.port, language: select.value});
    await refresh();
    say(T.done_language, true);
  }));
  label.append(select);
  line.append(label);
  return line;
}

function accountRow(token, account) {
  const row = element("tr");
  row.className = "account";
  const label = element("td", account.label, "label");
  row.append(element("td", account.issuer, "issuer"), label, element("td", settingsOf(account), "settings"));
  const actions = element("td");
  actions.append(button(T.rename, () => startRename(token, account, label, actions)), " ",
                 button(T.delete, () => attempt(() => remove(token, account))));
  row.append(actions);
  return row;
}

function startRename(token, account, cell, actions) {
  const input = element("input");
  input.type = "text";
  input.value = account.label;
  input.className = "new-label";
  cell.textContent = "";
  cell.append(input);
  actions.textContent = "";
  actions.append(button(T.save, () => attempt(async () => {
    await run("rename", {port: token.port, issuer: account.issuer, label: account.label, new: input.value});
    await refresh();
    say(T.done_rename, true);
  })), " ", button(T.cancel, showTokens));
  input.focus();
}

async function remove(token, account) {
  if (!window.confirm(format(T.delete_confirm, {name: accountName(account)}))) return;
  await run("delete", {port: token.port, issuer: account.issuer, label: account.label});
  await refresh();
  say(T.done_delete, true);
}

async function wipe(token) {
  if (!window.confirm(T.wipe_confirm)) return;
  await run("wipe", {port: token.port});
  await refresh();
  say(T.done_wipe, true);
}

async function timeSync(port) {
  await run("time-sync", {ports: [port]});
  await refresh();
  say(T.done_time, true);
}

// -- adding an account -----------------------------------------------------------------------------------
async function readPicture(file) {
  draft = await run("picture", file, file.type || "application/octet-stream");
  showDraft();
}

function showDraft() {
  $("found").hidden = !draft;
  if (!draft) return;
  if (shownCode) closeCode();  // a new account read: the last one's code has been typed in
  $("found-name").textContent = accountName(draft.account);
  $("found-settings").textContent = "(" + settingsOf(draft.account) + ")";
  const box = $("add-tokens");
  const ticked = new Set([...box.querySelectorAll("input:checked")].map((el) => el.value));
  const first = box.children.length === 0;
  box.textContent = "";
  for (const token of readable()) {
    const label = element("label");
    const tick = element("input");
    tick.type = "checkbox";
    tick.value = token.port;
    tick.checked = first || ticked.has(token.port);
    label.append(tick, " " + tokenName(token.port));
    label.title = token.port;
    box.append(label, element("br"));
  }
  if (!readable().length) box.append(element("p", T.no_token, "notice"));
  // Said before Add is pressed: the same name again is refused unless the person means to pair it anew.
  const same = (account) => account.issuer === draft.account.issuer && account.label === draft.account.label;
  const holding = readable().filter((token) => token.accounts.some(same)).map((token) => tokenName(token.port));
  $("already-there").hidden = !holding.length;
  $("already-there").textContent = holding.length ? format(T.already_there, {tokens: holding.join(", ")}) : "";
  $("found").scrollIntoView({block: "nearest"});
}

async function add() {
  const ports = [...$("add-tokens").querySelectorAll("input:checked")].map((el) => el.value);
  const done = await run("add", {draft: draft.draft, ports, replace: $("add-replace").checked});
  draft = null;
  $("found").hidden = true;
  $("add-tokens").textContent = "";
  $("add-replace").checked = false;
  $("uri").value = $("key").value = $("key-label").value = $("key-issuer").value = "";
  showCode(done);
  await refresh();
}

function grouped(code) {
  const half = Math.ceil(code.length / 2);
  return code.slice(0, half) + " " + code.slice(half);
}

function showCode(done) {
  shownCode = done.draft;
  $("code-account").textContent = accountName(done.account);
  $("code-stored").textContent = T.stored_on + " " + Object.keys(done.stored).map(tokenName).join(", ");
  $("code-view").hidden = false;
  $("add").hidden = true;
  tick();
  clearInterval(codeTimer);
  codeTimer = setInterval(tick, 1000);
  $("code-view").scrollIntoView({block: "start"});
}

async function tick() {
  if (!shownCode) return;
  let now;
  try { now = await request("GET", "/api/code?id=" + encodeURIComponent(shownCode)); } catch (error) {
    say(error.message, false);
    return closeCode();
  }
  $("code").textContent = grouped(now.code);
  $("code-left").textContent = now.remaining;
  $("code-bar").max = now.period;
  $("code-bar").value = now.remaining;
  $("code-next-box").hidden = !now.next;
  $("code-next").textContent = now.next ? grouped(now.next) : "";
}

function closeCode() {
  shownCode = null;
  clearInterval(codeTimer);
  $("code-view").hidden = true;
  $("add").hidden = false;
}

function picturesIn(items) {
  return [...items].filter((item) => item.kind === "file" && item.type.startsWith("image/"))
    .map((item) => item.getAsFile());
}

// -- import ----------------------------------------------------------------------------------------------
function base64Of(file) {
  return new Promise((done, failed) => {
    const reader = new FileReader();
    reader.onload = () => done(reader.result.slice(reader.result.indexOf(",") + 1));
    reader.onerror = () => failed(new Error(T.stopped));
    reader.readAsDataURL(file);
  });
}

async function importRead() {
  const files = [];
  for (const file of $("import-files").files) files.push({name: file.name, data: await base64Of(file)});
  const answer = await run("import-read", {files, password: $("import-password").value,
                                            replace: $("import-replace").checked,
                                            ports: readable().map((token) => token.port)});
  if (answer.password) {
    preview = null;
    $("import-preview").hidden = true;
    say(answer.password, false);
    $("import-password").focus();
    return;
  }
  preview = answer;
  showPreview();
}

function showPreview() {
  const body = $("import-rows");
  body.textContent = "";
  $("import-preview").hidden = !preview;
  if (!preview) return;
  preview.rows.forEach((row, index) => {
    const line = element("tr", null, row.action === "skip" || row.action === "exists" ? "skip" : "");
    const tick = element("input");
    tick.type = "checkbox";
    tick.value = index;
    tick.checked = row.action === "add" || row.action === "replace";
    tick.disabled = !tick.checked;
    const cell = element("td");
    cell.append(tick);
    const action = T["action_" + row.action] + (row.action === "skip" && row.reason ? ": " + row.reason : "");
    line.append(cell, element("td", row.issuer), element("td", row.label), element("td", settingsOf(row)),
                element("td", action));
    body.append(line);
  });
}

async function importWrite() {
  const chosen = [...$("import-rows").querySelectorAll("input:checked")].map((el) => Number(el.value));
  const done = await run("import-write", {import: preview.import, chosen, replace: $("import-replace").checked,
                                           ports: readable().map((token) => token.port)});
  preview = null;
  showPreview();
  $("import-files").value = "";
  $("import-chosen").textContent = "";
  $("import-password").value = "";
  const written = Object.entries(done.written).map(([port, count]) => count + " → " + tokenName(port)).join(", ");
  await refresh();
  say(format(T.import_done, {written}), true);
}

// -- wiring ----------------------------------------------------------------------------------------------
function wire() {
  $("language").addEventListener("change", () => attempt(async () => {
    applyTexts(await request("POST", "/api/language", {language: $("language").value}));
  }));
  $("refresh").addEventListener("click", () => attempt(refresh));
  $("picture-file").addEventListener("change", () => attempt(async () => {
    const file = $("picture-file").files[0];
    $("picture-file").value = "";
    if (file) await readPicture(file);
  }));
  $("from-screen").addEventListener("click", () => attempt(async () => {
    draft = await run("screen", {});
    showDraft();
  }));
  $("read-uri").addEventListener("click", () => attempt(async () => {
    draft = await run("uri", {uri: $("uri").value});
    showDraft();
  }));
  $("read-key").addEventListener("click", () => attempt(async () => {
    draft = await run("key", {key: $("key").value, label: $("key-label").value, issuer: $("key-issuer").value});
    showDraft();
  }));
  $("add-button").addEventListener("click", () => attempt(add));
  $("code-done").addEventListener("click", closeCode);
  $("import-files").addEventListener("change", () => {
    $("import-chosen").textContent = [...$("import-files").files].map((file) => file.name).join(", ");
  });
  $("import-read").addEventListener("click", () => attempt(importRead));
  $("import-write").addEventListener("click", () => attempt(importWrite));
  // A screenshot pasted anywhere on the page (but a text field keeps its own text).
  document.addEventListener("paste", (event) => {
    const pictures = picturesIn(event.clipboardData ? event.clipboardData.items : []);
    if (pictures.length) {
      event.preventDefault();
      attempt(() => readPicture(pictures[0]));
      return;
    }
    // A copied otpauth:// link pasted outside the text fields is read as if typed into its field.
    const text = event.clipboardData ? event.clipboardData.getData("text/plain").trim() : "";
    if (text.toLowerCase().startsWith("otpauth://") && !/^(INPUT|TEXTAREA)$/.test(event.target.tagName)) {
      event.preventDefault();
      attempt(async () => {
        draft = await run("uri", {uri: text});
        showDraft();
      });
    }
  });
  const drop = $("drop");
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    const pictures = [...event.dataTransfer.files].filter((file) => file.type.startsWith("image/"));
    if (pictures.length) attempt(() => readPicture(pictures[0]));
  });
  // The server stops a while after the last page is closed: tell it this one is open.
  const beat = () => request("POST", "/api/heartbeat", {}).catch(() => {});
  beat();
  setInterval(beat, 15000);
}

async function start() {
  wire();
  try {
    applyTexts(await request("GET", "/api/texts"));
  } catch (error) {
    say(error.message, false);
    return;
  }
  await attempt(refresh);
}

start();
