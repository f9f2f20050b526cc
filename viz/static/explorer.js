// The explorer: search a subject, draw its role network with vis-network, expand it,
// show why it is restricted, and redraw it as of a date. Plain JavaScript, no build
// step; every request goes to sanctionnet itself. `window.explorer` is the API tests
// and the bench drive (see docs/explorer.md).
"use strict";

(function () {
  const FONT = 'system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", ' +
    '"Microsoft YaHei", sans-serif';
  const HIGHLIGHT = window.SANCTIONNET_PALETTE.highlight;
  const FIRST_DAY = "2000-01-01";
  const DAY_MS = 86400000;
  // Above these sizes the page trades detail for smoothness (bench/explorer.py): role
  // names on edges, curves for parallel edges, dash patterns by role (an ended, derived
  // or NAMED tie stays dashed), share labels (still in each edge's tooltip), and edges
  // while the view moves.
  const ROLE_LABELS_MAX_EDGES = 80;
  const SMOOTH_MAX_EDGES = 600;
  const TYPE_DASHES_MAX_EDGES = 1200;
  const SHARE_LABELS_MAX_EDGES = 1500;
  const HIDE_EDGES_ON_MOVE_NODES = 1500;
  const GRAPH_LIMIT = 50;

  // Shared with the briefings: viz/static/palette.js.
  const { kinds: KINDS, states: STATES, types: TYPES } = window.SANCTIONNET_PALETTE;
  const LEAD_KINDS = {
    phoenix: "易地出现", shared_controller: "跨省共同控制人", circular_ownership: "循环持股",
    shell_chain: "空壳链", collusion_group: "关联团伙", co_bidding: "串通投标",
  };

  const $ = (sel) => document.querySelector(sel);
  const nodes = new vis.DataSet();
  const edges = new vis.DataSet();
  const state = {
    date: null,        // ISO date, or null: today (and every period for a lead's graph)
    center: null,      // the subject load() drew
    lead: null,        // the lead openLead() drew
    sources: [],       // what the view is made of: [{type: "subject" | "lead" | "inline", id}]
    results: new Map(),  // source key -> the Subgraph fetched for it
    nodeData: new Map(), edgeData: new Map(),  // the union of the results, by id
    extraNodes: new Map(), extraEdges: new Map(),  // reason paths that no fetched graph has
    hidden: new Map(),   // node id -> neighbours a truncated graph left out
    why: null,         // {subjects: [ids], answers: [check answers]} while "why restricted" is on
    lit: { nodes: new Set(), edges: new Set() },
    selected: null,
    epoch: 0,          // bumped by load/openLead/setDate: late answers of an older view are dropped
    tasks: 0, drawing: false,
    leads: [],
    lastDraw: null,
  };

  const network = new vis.Network($("#graph"), { nodes, edges }, {
    autoResize: true,
    layout: { improvedLayout: false, randomSeed: 7 },
    physics: {
      enabled: false, solver: "barnesHut",
      barnesHut: { gravitationalConstant: -5000, centralGravity: 0.15, springLength: 140, springConstant: 0.035,
                   damping: 0.35, avoidOverlap: 0.25 },
      stabilization: { enabled: true, iterations: 300, updateInterval: 50, fit: false },
      minVelocity: 1, timestep: 0.5,
    },
    nodes: { font: { face: FONT, size: 13, color: "#1d2330", strokeWidth: 3, strokeColor: "#ffffff" },
             scaling: { label: { drawThreshold: 6 } } },
    edges: { smooth: false, arrows: { to: { enabled: true, scaleFactor: 0.55 } }, selectionWidth: 1.5,
             font: { face: FONT, size: 11, strokeWidth: 3, strokeColor: "#ffffff", align: "horizontal" } },
    interaction: { hover: true, tooltipDelay: 250, hideEdgesOnDrag: false, hideEdgesOnZoom: false,
                   multiselect: false },
  });

  // ---------- small helpers ----------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function isoDay(d) {
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }
  const today = () => isoDay(new Date());
  const dayIndex = (iso) => Math.round((Date.parse(iso + "T00:00:00Z") - Date.parse(FIRST_DAY + "T00:00:00Z")) / DAY_MS);
  const dayOf = (index) => new Date(Date.parse(FIRST_DAY + "T00:00:00Z") + index * DAY_MS).toISOString().slice(0, 10);
  const refDay = () => state.date || today();

  function wrapName(name) {
    // Chinese names have no spaces to break at: cut long ones into lines of 10.
    if (!name || name.length <= 12) return name || "";
    const parts = [];
    for (let i = 0; i < name.length; i += 10) parts.push(name.slice(i, i + 10));
    return parts.join("\n");
  }

  const nameOf = (id) => (state.nodeData.get(id) || state.extraNodes.get(id) || {}).name || id;
  const typeLabel = (type) => (TYPES[type] ? `${TYPES[type].zh} ${type}` : type);
  const shareText = (share) => `${Number(share.toFixed(2))}%`;

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json", ...window.sanctionnetKey.headers() } });
    let body = null;
    try { body = await response.json(); } catch (_) { /* not JSON: the status says enough */ }
    if (!response.ok) {
      const detail = body && (body.detail || body.title);
      throw new Error(typeof detail === "string" ? detail : `${response.status} ${response.statusText}`);
    }
    return body;
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, v);
    const text = q.toString();
    return text ? `?${text}` : "";
  }

  function showError(error) {
    const box = $("#error");
    if (!error) { box.hidden = true; box.textContent = ""; return; }
    box.textContent = error.message || String(error);
    box.hidden = false;
  }

  // One user action at a time is "busy" from its first request until its graph is drawn.
  async function task(fn) {
    state.tasks += 1;
    showError(null);
    try {
      return await fn();
    } catch (error) {
      showError(error);
      throw error;
    } finally {
      state.tasks -= 1;
    }
  }
  const quiet = (promise) => promise.catch(() => {});

  // ---------- fetching ----------

  const sourceKey = (s) => `${s.type}:${s.id}`;

  function fetchSource(source) {
    if (source.type === "inline") return Promise.resolve(state.results.get(sourceKey(source)));
    if (source.type === "lead") {
      return getJSON(`/v1/leads/${encodeURIComponent(source.id)}/graph${query({ date: state.date })}`);
    }
    return getJSON(`/v1/graph/${encodeURIComponent(source.id)}${query({ date: state.date, limit: GRAPH_LIMIT })}`);
  }

  // The view is the union of every source's subgraph; later answers win for a node.
  function rebuild() {
    state.nodeData.clear();
    state.edgeData.clear();
    state.hidden.clear();
    for (const source of state.sources) {
      const graph = state.results.get(sourceKey(source));
      if (!graph) continue;
      for (const n of graph.nodes || []) state.nodeData.set(n.id, n);
      for (const e of graph.edges || []) state.edgeData.set(e.id, e);
      if (graph.truncated && graph.hidden) state.hidden.set(graph.center || source.id, graph.hidden);
    }
  }

  // ---------- drawing ----------

  function nodeItem(n, litAny) {
    const kind = KINDS[n.kind] || KINDS.enterprise;
    const st = n.state && STATES[n.state];
    const fill = st ? (n.listed ? st.listed : st.fill) : kind.fill;
    const border = st ? st.border : kind.border;
    const lit = state.lit.nodes.has(n.id);
    const hidden = state.hidden.get(n.id);
    const centre = n.id === state.center;
    return {
      id: n.id,
      label: wrapName(n.name || n.id) + (hidden ? `\n(+${hidden})` : ""),
      title: nodeTitle(n, hidden),
      shape: kind.shape,
      size: centre ? kind.size + 9 : kind.size,
      borderWidth: lit ? 5 : n.listed ? 4 : 2,
      color: { background: fill, border: lit ? HIGHLIGHT : border,
               highlight: { background: fill, border: "#1f5fbf" }, hover: { background: fill, border } },
      shadow: lit ? { enabled: true, color: "rgba(109,40,217,0.55)", size: 16, x: 0, y: 0 } : { enabled: false },
      opacity: litAny && !lit ? 0.55 : 1,
      font: { size: centre ? 15 : 13, bold: centre },
      kind: n.kind, state: n.state || null, listed: !!n.listed, highlighted: lit, extra: !state.nodeData.has(n.id),
    };
  }

  function nodeTitle(n, hidden) {
    const lines = [`${n.name} (${n.id})`, (KINDS[n.kind] || {}).label || n.kind];
    if (n.uscc) lines.push(`USCC ${n.uscc}`);
    if (n.region) lines.push(`Region ${n.region}`);
    lines.push(`State on ${refDay()}: ${n.state ? STATES[n.state].label : "none"}${n.listed ? " (listed)" : ""}`);
    for (const e of n.entries || []) lines.push(`• ${e.id} ${e.list} — ${e.state || "not yet decided"} (${e.role})`);
    if (hidden) lines.push(`${hidden} more not shown`);
    return lines.join("\n");
  }

  function ended(e) {
    return !!e.valid_to && e.valid_to < refDay();
  }

  function edgeItem(e, litAny, detail, smooth) {
    const t = TYPES[e.type] || { zh: e.type, en: e.type, color: "#888888", dashes: false, width: 1 };
    const lit = state.lit.edges.has(e.id);
    const over = ended(e);
    let label;
    if (e.type === "HOLDS_SHARES" && e.share !== null && e.share !== undefined) {
      if (detail.shares || lit) label = shareText(e.share);
    }
    else if (e.type === "NAMED") label = "命名 / NAMED";
    else if (detail.roles || lit) label = t.zh;
    const width = e.type === "HOLDS_SHARES" && e.share ? 1 + Math.min(e.share, 100) / 25 : t.width;
    const color = lit ? HIGHLIGHT : t.color;
    return {
      id: e.id, from: e.from, to: e.to, label,
      title: edgeTitle(e),
      color: { color, highlight: color, hover: color, opacity: litAny && !lit ? 0.3 : over ? 0.55 : 1, inherit: false },
      dashes: over || e.derived ? [3, 5] : detail.dashes || e.type === "NAMED" ? t.dashes : false,
      width: lit ? Math.max(width, 4) : width,
      font: { color: lit ? HIGHLIGHT : "#2b3340", bold: lit },
      smooth,
      type: e.type, share: e.share ?? null, highlighted: lit, ended: over, extra: !state.edgeData.has(e.id),
    };
  }

  function edgeTitle(e) {
    const lines = [`${nameOf(e.from)} → ${nameOf(e.to)}`, typeLabel(e.type)];
    if (e.share !== null && e.share !== undefined) lines.push(`Share ${shareText(e.share)}`);
    if (e.title) lines.push(e.title);
    lines.push(`${e.valid_from || "…"} – ${e.valid_to || "…"}`);
    if (e.derived) lines.push("Derived (confirmed controller)");
    if (e.type === "NAMED") lines.push("Named in the decision: no graph relationship");
    return lines.join("\n");
  }

  // Parallel edges between one pair are bent apart; the first stays straight.
  function smoothing(all, enabled) {
    const seen = new Map();
    const out = new Map();
    for (const e of all) {
      const pair = e.from < e.to ? `${e.from}\u0000${e.to}` : `${e.to}\u0000${e.from}`;
      const k = seen.get(pair) || 0;
      seen.set(pair, k + 1);
      if (k === 0 || !enabled) { out.set(e.id, false); continue; }
      const flip = (e.from < e.to) === (k % 2 === 1);
      out.set(e.id, { enabled: true, type: flip ? "curvedCW" : "curvedCCW", roundness: 0.18 * Math.ceil(k / 2) });
    }
    return out;
  }

  // New nodes start on rings around a drawn neighbour, pointing away from where it came from.
  function placeNew(newIds, allEdges) {
    const pos = new Map(Object.entries(network.getPositions()));
    const pending = new Set(newIds);
    const adj = new Map();
    for (const e of allEdges) {
      if (!adj.has(e.from)) adj.set(e.from, []);
      if (!adj.has(e.to)) adj.set(e.to, []);
      adj.get(e.from).push(e.to);
      adj.get(e.to).push(e.from);
    }
    const queue = [...pos.keys()];
    let head = 0;
    let seeds = 0;
    const spread = () => {
      while (head < queue.length) {
        const anchor = queue[head++];
        const kids = [...new Set((adj.get(anchor) || []).filter((k) => pending.has(k)))];
        if (!kids.length) continue;
        const at = pos.get(anchor);
        // The kids go into the widest gap between the anchor's drawn neighbours.
        const taken = [...new Set(adj.get(anchor))].filter((k) => !pending.has(k) && pos.has(k) && k !== anchor)
          .map((k) => Math.atan2(pos.get(k).y - at.y, pos.get(k).x - at.x)).sort((a, b) => a - b);
        let start = 0;
        let arc = 2 * Math.PI;
        taken.forEach((angle, i) => {
          const next = i + 1 < taken.length ? taken[i + 1] : taken[0] + 2 * Math.PI;
          if (i === 0 || next - angle > arc) { start = angle; arc = next - angle; }
        });
        const radius = Math.max(150, (kids.length * 55) / Math.max(arc, 1));
        kids.forEach((kid, i) => {
          const angle = taken.length ? start + (arc * (i + 1)) / (kids.length + 1) : (2 * Math.PI * i) / kids.length;
          pos.set(kid, { x: at.x + radius * Math.cos(angle), y: at.y + radius * Math.sin(angle) });
          pending.delete(kid);
          queue.push(kid);
        });
      }
    };
    spread();
    while (pending.size) {
      const seed = pending.has(state.center) ? state.center : pending.values().next().value;
      pending.delete(seed);
      const r = seeds ? 400 * Math.sqrt(seeds) : 0;
      pos.set(seed, { x: r * Math.cos(seeds * 2.4), y: r * Math.sin(seeds * 2.4) });
      seeds += 1;
      queue.push(seed);
      spread();
    }
    return pos;
  }

  function iterationsFor(total) {
    if (total <= 60) return 400;
    if (total <= 300) return 200;
    if (total <= 1000) return 100;
    if (total <= 3000) return 30;
    return 10;
  }

  function afterDrawing() {
    return new Promise((resolve) => {
      let done = false;
      const finish = () => { if (!done) { done = true; resolve(); } };
      network.once("afterDrawing", finish);
      network.redraw();
      setTimeout(finish, 500);  // a hidden tab draws nothing: never hang on it
    });
  }

  // Lets vis settle the new nodes, then freezes the layout: large graphs stay smooth.
  function settle(iterations) {
    return new Promise((resolve) => {
      network.once("stabilizationIterationsDone", () => {
        network.setOptions({ physics: { enabled: false } });
        resolve();
      });
      network.setOptions({ physics: { enabled: true } });
      network.stabilize(iterations);
    });
  }

  // Brings the DataSets in line with the view: removes what went, updates what stayed,
  // adds what came (placed near its neighbours), then lays out and draws.
  async function apply({ fit = false } = {}) {
    state.drawing = true;
    try {
      const started = performance.now();
      const allNodes = [...state.nodeData.values(), ...[...state.extraNodes.values()].filter((n) => !state.nodeData.has(n.id))];
      const allEdges = [...state.edgeData.values(), ...[...state.extraEdges.values()].filter((e) => !state.edgeData.has(e.id))];
      const nodeIds = new Set(allNodes.map((n) => n.id));
      const drawnEdges = allEdges.filter((e) => nodeIds.has(e.from) && nodeIds.has(e.to));
      const litAny = state.lit.nodes.size > 0 || state.lit.edges.size > 0;
      const detail = { roles: drawnEdges.length <= ROLE_LABELS_MAX_EDGES,
                       dashes: drawnEdges.length <= TYPE_DASHES_MAX_EDGES,
                       shares: drawnEdges.length <= SHARE_LABELS_MAX_EDGES };
      const curves = smoothing(drawnEdges, drawnEdges.length <= SMOOTH_MAX_EDGES);
      const big = allNodes.length > HIDE_EDGES_ON_MOVE_NODES;
      network.setOptions({ interaction: { hideEdgesOnDrag: big, hideEdgesOnZoom: big } });

      const edgeIds = new Set(drawnEdges.map((e) => e.id));
      edges.remove(edges.getIds().filter((id) => !edgeIds.has(id)));
      nodes.remove(nodes.getIds().filter((id) => !nodeIds.has(id)));
      const newIds = allNodes.map((n) => n.id).filter((id) => !nodes.get(id));
      const placed = newIds.length ? placeNew(newIds, drawnEdges) : new Map();
      nodes.update(allNodes.map((n) => {
        const item = nodeItem(n, litAny);
        const at = placed.get(n.id);
        if (at && !nodes.get(n.id)) { item.x = at.x; item.y = at.y; }
        return item;
      }));
      edges.update(drawnEdges.map((e) => edgeItem(e, litAny, detail, curves.get(e.id))));
      const applied = performance.now();
      const iterations = newIds.length ? iterationsFor(allNodes.length) : 0;
      if (iterations) await settle(iterations);
      const settled = performance.now();
      if (fit && allNodes.length) network.fit({ animation: false });
      await afterDrawing();
      state.lastDraw = { nodes: allNodes.length, edges: drawnEdges.length, added: newIds.length, iterations,
                         apply_ms: applied - started, stabilize_ms: settled - applied,
                         total_ms: performance.now() - started };
      renderStatus();
    } finally {
      state.drawing = false;
    }
  }

  // ---------- views ----------

  async function show(sources, { center = null, lead = null } = {}) {
    const epoch = ++state.epoch;
    const graphs = await Promise.all(sources.map(fetchSource));
    if (epoch !== state.epoch) return;
    // Asked by USCC or ID number, the subject is kept by its id: the number itself
    // is neither shown nor left in the address bar.
    if (center !== null && graphs[0] && graphs[0].center) {
      center = graphs[0].center;
      sources = sources.map((s, i) => (i === 0 && s.type === "subject" ? { ...s, id: center } : s));
    }
    state.center = center;
    state.lead = lead;
    state.sources = sources;
    state.results.clear();
    state.selected = null;
    clearWhyState();
    sources.forEach((s, i) => state.results.set(sourceKey(s), graphs[i]));
    rebuild();
    nodes.clear();
    edges.clear();
    await apply({ fit: true });
    renderTitle();
    renderDetails();
    renderReasons();
    writeUrl();
  }

  function load(id) {
    return task(() => show([{ type: "subject", id }], { center: id }));
  }

  // A lead is about history: it opens with the ties of every period (ended ones dashed);
  // the date slider then narrows it to one day.
  function openLead(id) {
    return task(async () => {
      state.date = null;
      syncDateInputs();
      await show([{ type: "lead", id }], { lead: id });
      for (const li of document.querySelectorAll("#leads li")) li.classList.toggle("active", li.dataset.id === id);
    });
  }

  function expand(id) {
    return task(async () => {
      const source = { type: "subject", id };
      if (state.results.has(sourceKey(source))) return;
      const epoch = state.epoch;
      const graph = await fetchSource(source);
      if (epoch !== state.epoch) return;
      state.sources.push(source);
      state.results.set(sourceKey(source), graph);
      rebuild();
      if (state.why) await runWhy({ redraw: false });
      await apply({ fit: true });
      renderReasons();
    });
  }

  // Every source again for the date: edges not in force vanish, node states change.
  async function refetch() {
    const epoch = ++state.epoch;
    const graphs = await Promise.all(state.sources.map(fetchSource));
    if (epoch !== state.epoch) return;
    state.sources.forEach((s, i) => state.results.set(sourceKey(s), graphs[i]));
    rebuild();
    if (state.why) await runWhy({ redraw: false });
    await apply();
    renderDetails();
    renderReasons();
  }

  function setDate(iso) {
    return task(async () => {
      if (iso && !/^\d{4}-\d{2}-\d{2}$/.test(iso)) throw new Error(`not a date: ${iso}`);
      state.date = iso || null;
      syncDateInputs();
      writeUrl();
      renderTitle();
      if (state.sources.length) await refetch();
    });
  }

  // Inject a Subgraph as if fetched (the bench draws synthetic graphs with it).
  function draw(graph, { append = false } = {}) {
    return task(async () => {
      const source = { type: "inline", id: String(append ? state.sources.length : 0) };
      if (!append) {
        state.epoch += 1;
        state.sources = [];
        state.results.clear();
        state.center = graph.center || null;
        state.lead = null;
        clearWhyState();
        nodes.clear();
        edges.clear();
      }
      state.sources.push(source);
      state.results.set(sourceKey(source), graph);
      rebuild();
      await apply({ fit: true });
      renderTitle();
      return state.lastDraw;
    });
  }

  // ---------- why restricted ----------

  function clearWhyState() {
    state.why = null;
    state.extraNodes.clear();
    state.extraEdges.clear();
    state.lit.nodes.clear();
    state.lit.edges.clear();
    const button = $("#why");
    if (button) button.setAttribute("aria-pressed", "false");
  }

  function whySubjects(subject) {
    if (subject) return [subject];
    if (state.selected && (state.nodeData.has(state.selected) || state.extraNodes.has(state.selected))) {
      return [state.selected];
    }
    if (state.center) return [state.center];
    // A lead: every listed or restricted member, at most a dozen checks.
    const members = [...state.nodeData.values()].filter((n) => n.listed || n.state).map((n) => n.id);
    return (members.length ? members : [...state.nodeData.keys()]).slice(0, 12);
  }

  function whyRestricted(subject) {
    return task(async () => {
      const subjects = whySubjects(subject);
      if (!subjects.length) throw new Error("Load a subject first.");
      state.why = { subjects, answers: [] };
      $("#why").setAttribute("aria-pressed", "true");
      await runWhy();
    });
  }

  function clearWhy() {
    return task(async () => {
      clearWhyState();
      renderReasons();
      await apply();
    });
  }

  async function runWhy({ redraw = true } = {}) {
    const epoch = state.epoch;
    const why = state.why;
    const answers = await Promise.all(why.subjects.map((s) => getJSON(`/v1/check${query({ subject: s, date: state.date })}`)));
    if (epoch !== state.epoch || why !== state.why) return;
    why.answers = answers;
    state.extraNodes.clear();
    state.extraEdges.clear();
    state.lit.nodes.clear();
    state.lit.edges.clear();
    for (const answer of answers) for (const reason of answer.reasons) litPath(reason.path, reason);
    if (redraw) {
      await apply();
      renderReasons();
    }
  }

  // A node only a reason's path brought in is drawn with the state the reason gives it.
  function judge(node, reason, listed) {
    const role = listed ? "entity" : reason.role;
    if (!node.entries.some((e) => e.id === reason.entry_id && e.role === role)) {
      node.entries.push({ id: reason.entry_id, list: reason.list, state: reason.state, role });
    }
    const order = Object.keys(STATES);
    // A check gives reasons only for entries in force: restricting, or suspended by an objection.
    const now = reason.suspended ? "suspended" : "restricted";
    if ((!node.state || order.indexOf(now) < order.indexOf(node.state))) node.state = now;
    node.listed = node.listed || listed;
  }

  // hop i is an edge path[i] -> path[i+1] of type path[i].role; one missing from the
  // drawing (an ended role, a NAMED person) is added for the explanation.
  function litPath(path, reason) {
    path.forEach((step, i) => {
      const s = step.subject;
      state.lit.nodes.add(s.id);
      if (!state.nodeData.has(s.id) && !state.extraNodes.has(s.id)) {
        state.extraNodes.set(s.id, { id: s.id, kind: s.kind, name: s.name, region: null, uscc: null, state: null,
                                     listed: false, entries: [] });
      }
      const extra = state.extraNodes.get(s.id);
      if (extra && (i === 0 || i === path.length - 1)) judge(extra, reason, i === path.length - 1);
      if (i === path.length - 1 || !step.role) return;
      const to = path[i + 1].subject.id;
      const matches = [...state.edgeData.values()].filter((e) => e.from === s.id && e.to === to && e.type === step.role);
      const exact = matches.filter((e) => (e.valid_from || null) === (step.valid_from || null));
      const found = exact.length ? exact : matches;
      if (found.length) {
        for (const e of found) state.lit.edges.add(e.id);
        return;
      }
      const id = `why:${s.id}>${step.role}>${to}:${step.valid_from || ""}`;
      state.extraEdges.set(id, { id, from: s.id, to, type: step.role, share: null, title: null,
                                 valid_from: step.valid_from || null, valid_to: step.valid_to || null, derived: false });
      state.lit.edges.add(id);
    });
  }

  // ---------- panels ----------

  function badge(stateName) {
    return stateName ? el("span", { class: `badge ${stateName}` }, (STATES[stateName] || {}).label || stateName) : null;
  }

  const briefingUrl = (key) => `/v1/briefings/${encodeURIComponent(key)}${query({ format: "html", date: state.date })}`;

  function renderTitle() {
    const title = $("#title");
    const briefing = $("#briefing");
    let subject = null;
    if (state.center) {
      subject = state.center;
      title.textContent = `${nameOf(state.center)} (${state.center})`;
    } else if (state.lead) {
      subject = state.lead;
      const lead = state.leads.find((l) => l.id === state.lead);
      title.textContent = lead ? `线索 Lead ${LEAD_KINDS[lead.kind] || lead.kind}: ${leadNames(lead)}` : `Lead ${state.lead}`;
    } else {
      title.textContent = state.nodeData.size ? `${state.nodeData.size} nodes` : "No subject loaded";
    }
    briefing.hidden = !subject;
    if (subject) briefing.href = briefingUrl(subject);
    $("#why").disabled = !state.nodeData.size;
  }

  function renderStatus() {
    const status = $("#status");
    const when = state.date || (state.lead && !state.center ? "every period" : "today");
    status.replaceChildren(`${nodes.length} nodes · ${edges.length} edges · ${when}`);
    for (const [id, n] of state.hidden) {
      status.append(" · ", el("span", { class: "more" }, `${nameOf(id)}: ${n} more not shown`));
    }
  }

  function renderDetails() {
    const box = $("#details");
    const id = state.selected;
    const n = id && (state.nodeData.get(id) || state.extraNodes.get(id));
    if (!n) {
      box.className = "muted";
      box.replaceChildren("Click a node or an edge. Double-click a node to expand it.");
      return;
    }
    box.className = "";
    const rows = [["Id", n.id], ["Kind", (KINDS[n.kind] || {}).label || n.kind], ["USCC", n.uscc], ["Region", n.region],
                  ["State", n.state ? (STATES[n.state] || {}).label : "none"], ["Listed", n.listed ? "yes" : "no"]];
    if (state.hidden.get(n.id)) rows.push(["Not shown", `${state.hidden.get(n.id)} more neighbours`]);
    const dl = el("dl", null, rows.filter(([, v]) => v).map(([k, v]) => [el("dt", null, k), el("dd", null, v)]));
    const entries = (n.entries || []).map((e) => el("li", null,
      `${e.id} · ${e.list} — ${e.state || "not yet decided"} (${e.role})${e.deciding_dept ? ` · ${e.deciding_dept}` : ""}`));
    box.replaceChildren(
      el("div", { class: "name" }, el("strong", null, n.name), badge(n.state)), dl,
      entries.length ? el("ul", null, entries) : null,
      el("div", { class: "actions" },
        el("button", { type: "button", onclick: () => quiet(expand(n.id)) }, "展开 Expand"),
        el("button", { type: "button", onclick: () => quiet(load(n.id)) }, "以此为中心 Centre"),
        el("button", { type: "button", onclick: () => quiet(whyRestricted(n.id)) }, "为何受限 Why"),
        el("a", { class: "button", target: "_blank", rel: "noopener",
                  href: briefingUrl(n.id) }, "简报 Briefing")));
  }

  function renderEdgeDetails(id) {
    const e = state.edgeData.get(id) || state.extraEdges.get(id);
    if (!e) return;
    const box = $("#details");
    box.className = "";
    const rows = [["From", `${nameOf(e.from)} (${e.from})`], ["Role", typeLabel(e.type)], ["To", `${nameOf(e.to)} (${e.to})`],
                  ["Share", e.share !== null && e.share !== undefined ? shareText(e.share) : null], ["Title", e.title],
                  ["Valid", `${e.valid_from || "…"} – ${e.valid_to || "…"}`], ["Derived", e.derived ? "yes" : null]];
    box.replaceChildren(el("dl", null, rows.filter(([, v]) => v).map(([k, v]) => [el("dt", null, k), el("dd", null, v)])));
  }

  function pathText(path) {
    return path.map((step, i) => {
      const who = step.subject.name;
      if (i === path.length - 1 || !step.role) return who;
      return `${who} —${(TYPES[step.role] || { zh: step.role }).zh}→ `;
    }).join("");
  }

  // A legal basis runs to pages: its first words, the rest on demand.
  function longText(text, keep = 60) {
    if (!text || text.length <= keep) return text;
    return el("details", null, el("summary", null, `${text.slice(0, keep)}…`), text.slice(keep));
  }

  function renderReasons() {
    const panel = $("#reasons-panel");
    const box = $("#reasons");
    if (!state.why || !state.why.answers.length) { panel.hidden = true; box.replaceChildren(); return; }
    panel.hidden = false;
    const parts = [];
    for (const answer of state.why.answers) {
      const verdict = answer.restricted ? "restricted" : answer.suspended ? "suspended" : "clear";
      const words = { restricted: "受限 RESTRICTED", suspended: "暂停执行 SUSPENDED", clear: "未受限 not restricted" };
      parts.push(el("div", { class: `verdict ${verdict}` }, `${answer.subject.name}: ${words[verdict]} · ${answer.date || refDay()}`));
      for (const reason of answer.reasons) {
        const ids = reason.path.map((s) => s.subject.id);
        const rows = [["Rule", `${reason.rule} (role: ${reason.role})`], ["Entry", `${reason.entry_id} · ${reason.list}`],
                      ["Deciding dept", reason.deciding_dept], ["Basis", reason.basis],
                      ["Legal basis", longText(reason.legal_basis)],
                      ["State", reason.state + (reason.suspended ? " — suspended while the objection is checked" : "")]];
        parts.push(el("div", { class: "reason" + (reason.suspended ? " suspended" : ""), "data-entry": reason.entry_id,
                               title: "Click to show this path", onclick: () => network.fit({ nodes: ids, animation: true }) },
          el("div", { class: "path" }, pathText(reason.path)),
          el("dl", null, rows.map(([k, v]) => [el("dt", null, k), el("dd", null, v)]))));
      }
    }
    box.replaceChildren(...parts);
  }

  // A list item that acts like a button, for the mouse and the keyboard.
  function clickable(action) {
    return { tabindex: "0", role: "button", onclick: () => quiet(action()),
             onkeydown: (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); quiet(action()); } } };
  }

  function renderResults(results) {
    const list = $("#results");
    if (!results.length) { list.replaceChildren(el("li", { class: "muted" }, "No subject matches.")); return; }
    list.replaceChildren(...results.map((r) => el("li", { class: "item", "data-id": r.id, ...clickable(() => load(r.id)) },
      el("div", { class: "name" }, r.name, badge(r.state)),
      el("div", { class: "meta" }, [(KINDS[r.kind] || {}).label || r.kind, r.id, r.region, r.uscc].filter(Boolean).join(" · ")))));
  }

  function search(q) {
    return task(async () => {
      const text = (q || "").trim();
      if (!text) return [];
      const results = await getJSON(`/v1/search${query({ q: text, limit: 20 })}`);
      renderResults(results);
      if (results.length === 1) await show([{ type: "subject", id: results[0].id }], { center: results[0].id });
      return results;
    });
  }

  function leadNames(lead) {
    const names = lead.names || {};
    return lead.members.map((m) => names[m] || m).join("、");
  }

  function refreshLeads() {
    return task(async () => {
      const list = $("#leads");
      try {
        state.leads = await getJSON(`/v1/leads${query({ limit: 50 })}`);
      } catch (error) {
        list.replaceChildren(el("li", { class: "muted" }, `Leads unavailable: ${error.message}`));
        return [];
      }
      if (!state.leads.length) {
        list.replaceChildren(el("li", { class: "muted" }, "No leads (sanctionnet leads find)."));
        return state.leads;
      }
      list.replaceChildren(...state.leads.map((lead) => el("li", { class: "item", "data-id": lead.id, title: lead.summary,
                                                                 ...clickable(() => openLead(lead.id)) },
        el("div", { class: "name" }, LEAD_KINDS[lead.kind] || lead.kind,
           el("span", { class: "badge", title: "score" }, `score ${lead.score.toFixed(2)}`),
           lead.status && lead.status !== "open" ? el("span", { class: "badge" }, lead.status) : null),
        el("div", { class: "members" }, leadNames(lead)),
        el("div", { class: "meta" }, [lead.kind, (lead.provinces || []).join("/")].filter(Boolean).join(" · ")))));
      return state.leads;
    });
  }

  function renderLegend() {
    const svg = (inner, w = 34, h = 16) => {
      const box = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      box.setAttribute("width", w);
      box.setAttribute("height", h);
      box.innerHTML = inner;
      return box;
    };
    const shape = (k) => {
      const { fill, border } = KINDS[k];
      if (k === "enterprise") return `<rect x="11" y="2" width="12" height="12" fill="${fill}" stroke="${border}" stroke-width="2"/>`;
      if (k === "person") return `<circle cx="17" cy="8" r="6" fill="${fill}" stroke="${border}" stroke-width="2"/>`;
      return `<polygon points="17,1 24,14 10,14" fill="${fill}" stroke="${border}" stroke-width="2"/>`;
    };
    const line = (color, dashes, width, opacity = 1) =>
      `<line x1="1" y1="8" x2="33" y2="8" stroke="${color}" stroke-width="${width}" stroke-opacity="${opacity}"` +
      (dashes ? ` stroke-dasharray="${dashes.join(",")}"` : "") + "/>";
    const row = (icon, text) => el("div", { class: "legend-row" }, svg(icon), el("span", null, text));
    const group = (title, rows) => el("div", { class: "legend-group" }, el("strong", null, title), rows);
    $("#legend").replaceChildren(
      group("Kind", Object.keys(KINDS).map((k) => row(shape(k), KINDS[k].label))),
      group("State", [
        ...["restricted", "suspended", "repaired"].map((s) => row(
          `<rect x="3" y="3" width="12" height="10" fill="${STATES[s].listed}" stroke="${STATES[s].border}" stroke-width="3"/>` +
          `<rect x="19" y="3" width="12" height="10" fill="${STATES[s].fill}" stroke="${STATES[s].border}" stroke-width="1.5"/>`,
          `${STATES[s].label}: listed · by role`)),
        row(`<rect x="11" y="3" width="12" height="10" fill="${STATES.revoked.fill}" stroke="${STATES.revoked.border}" stroke-width="1.5"/>`,
            "已撤销/到期 Revoked, expired"),
      ]),
      group("Role", [
        ...Object.entries(TYPES).map(([type, t]) => row(line(t.color, t.dashes, 2.5),
                                                         type === "HOLDS_SHARES" ? `${t.zh} ${type} (35%)` : `${t.zh} ${t.en}`)),
        row(line("#555", [3, 5], 2, 0.6), "已结束 ended (faded, dashed)"),
        row(line(HIGHLIGHT, null, 4), "受限原因路径 reason path"),
      ]));
  }

  // ---------- URL, date inputs, events ----------

  function writeUrl() {
    const params = { subject: state.center, lead: state.center ? null : state.lead, date: state.date };
    history.replaceState(null, "", `${location.pathname}${query(params)}`);
  }

  function syncDateInputs() {
    const day = refDay();
    $("#date").value = day;
    $("#date-range").value = String(dayIndex(day));
  }

  function wire() {
    const range = $("#date-range");
    range.max = String(dayIndex(today()));
    $("#date").max = today();
    syncDateInputs();
    range.addEventListener("input", () => { $("#date").value = dayOf(Number(range.value)); });
    range.addEventListener("change", () => {
      const day = dayOf(Number(range.value));
      quiet(setDate(day === today() ? null : day));
    });
    $("#date").addEventListener("change", (event) => {
      const day = event.target.value;
      if (day && day >= FIRST_DAY) quiet(setDate(day === today() ? null : day));
    });
    $("#today").addEventListener("click", () => quiet(setDate(null)));
    $("#search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      quiet(search($("#q").value));
    });
    $("#why").addEventListener("click", () => quiet(state.why ? clearWhy() : whyRestricted()));
    $("#fit").addEventListener("click", () => network.fit({ animation: true }));
    network.on("doubleClick", (params) => { if (params.nodes.length) quiet(expand(params.nodes[0])); });
    network.on("click", (params) => {
      if (params.nodes.length) { state.selected = params.nodes[0]; renderDetails(); }
      else if (params.edges.length) { state.selected = null; renderEdgeDetails(params.edges[0]); }
      else { state.selected = null; renderDetails(); }
    });
  }

  async function start() {
    renderLegend();
    wire();
    renderStatus();
    const params = new URLSearchParams(location.search);
    state.date = params.get("date") || null;
    syncDateInputs();
    const leads = quiet(refreshLeads());
    if (params.get("subject")) await quiet(load(params.get("subject")));
    else if (params.get("lead")) { await leads; await quiet(openLead(params.get("lead"))); }
    else if (params.get("q")) { $("#q").value = params.get("q"); await quiet(search(params.get("q"))); }
    await leads;
  }

  window.explorer = {
    network, nodes, edges, state,
    get busy() { return state.tasks > 0 || state.drawing; },
    get date() { return state.date || today(); },
    get lastDraw() { return state.lastDraw; },
    load, expand, setDate, whyRestricted, clearWhy, openLead, search, draw, refreshLeads,
    ready: null,
  };
  window.explorer.ready = task(start).catch(() => {});
})();
