// The check page: calls GET /v1/check and shows the verdict with every reason's path.
"use strict";

const $ = (sel) => document.querySelector(sel);

function text(tag, content, cls) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  el.textContent = content;
  return el;
}

// Same rule as graph_model.identifiers.may_be_resident_id, without the USCC check.
function mayBeIdNumber(value) {
  const norm = value.replace(/[\s-]/g, "");
  return norm.length === 18 && (norm.match(/[0-9]/g) || []).length >= 15;
}

function pathText(path) {
  return path.map((step) => {
    const who = `${step.subject.name} (${step.subject.id})`;
    if (!step.role) return who;
    const span = [step.valid_from || "…", step.valid_to || "…"].join(" – ");
    return `${who} —${step.role} [${span}]→ `;
  }).join("");
}

function renderReason(reason) {
  const box = document.createElement("div");
  box.className = "reason" + (reason.suspended ? " suspended" : "");
  box.appendChild(text("div", pathText(reason.path), "path"));
  const dl = document.createElement("dl");
  const rows = [
    ["Rule", `${reason.rule} (role: ${reason.role})`],
    ["Entry", `${reason.entry_id} on ${reason.list} — ${reason.state}${reason.suspended ? " (suspended: objection being checked)" : ""}`],
    ["Deciding department", reason.deciding_dept],
    ["Basis", `${reason.basis} (${reason.basis_kind}), determined ${reason.determined}, valid to ${reason.valid_to || "open"}`],
    ["Legal basis", reason.legal_basis],
  ];
  for (const [k, v] of rows) { dl.appendChild(text("dt", k)); dl.appendChild(text("dd", v)); }
  box.appendChild(dl);
  const measures = document.createElement("div");
  measures.className = "measures";
  if (reason.suspended) measures.appendChild(text("span", "Not enforced while the objection is checked: "));
  for (const m of reason.measures) measures.appendChild(text("span", m, "measure"));
  box.appendChild(measures);
  return box;
}

function render(answer) {
  const out = $("#result");
  out.replaceChildren();
  const state = answer.restricted ? "restricted" : answer.suspended ? "suspended" : "clear";
  const label = { restricted: "RESTRICTED 受限", suspended: "SUSPENDED 异议核实中，暂不执行", clear: "NOT RESTRICTED 未受限" }[state];
  const verdict = text("div", `${answer.subject.name} (${answer.subject.id}): ${label}`, "verdict " + state);
  verdict.dataset.state = state;
  out.appendChild(verdict);
  if (answer.measures.length) out.appendChild(text("p", "Measures in force: " + answer.measures.join(", ")));
  for (const reason of answer.reasons) out.appendChild(renderReason(reason));
  out.appendChild(text("p", `As of ${answer.date}; catalogue ${answer.catalogue_version}.`, "muted"));
}

async function runCheck(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams();
  for (const key of ["subject", "action", "date"]) {
    const value = $("#" + key).value.trim();
    if (value) params.set(key, value);
  }
  // The address names the check, so it can be bookmarked or passed on; but an ID
  // number must not end up in the address bar or the browser's history.
  const shown = new URLSearchParams(params);
  if (mayBeIdNumber(shown.get("subject") || "")) shown.delete("subject");
  history.replaceState(null, "", "?" + shown.toString());
  const response = await fetch("/v1/check?" + params.toString(), { headers: window.sanctionnetKey.headers() });
  const body = await response.json();
  if (!response.ok) {
    $("#result").replaceChildren(text("p", `${body.title}: ${body.detail}`, "error"));
    return;
  }
  render(body);
}

async function init() {
  $("#check-form").addEventListener("submit", runCheck);
  const response = await fetch("/v1/catalogue", { headers: window.sanctionnetKey.headers() });
  const catalogue = await response.json();
  $("#catalogue-version").textContent = catalogue.version;
  const actions = new Set();
  for (const family of Object.values(catalogue.measures)) for (const m of family.measures) actions.add(m.action);
  for (const action of [...actions].sort()) {
    const option = document.createElement("option");
    option.value = action; option.textContent = action;
    $("#action").appendChild(option);
  }
  const asked = new URLSearchParams(location.search);
  for (const key of ["subject", "action", "date"]) {
    if (asked.get(key)) $("#" + key).value = asked.get(key);
  }
  if (asked.get("subject")) runCheck();
}

init();
