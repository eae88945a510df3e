// What a person explores a reelgraph view with, on top of page.js (window.reelgraph):
// focus (a click highlights a node and its neighbours, fades the rest, and opens a side panel),
// search by name, filters (years, role, cluster, films known only by title) with counts, a
// clickable cluster legend, labels that stay readable on big views, a chain (a path) highlighted
// on demand, and export as PNG or SVG.
// Every data string reaches the page as a text node or a property, never as markup.
(function () {
  "use strict";
  var rg = window.reelgraph;
  if (!rg) { return; }
  var network = rg.network, nodes = rg.nodes, edges = rg.edges;
  // A big view (page.js: past FAST_DRAW_FROM nodes) draws its edges and labels itself: nothing here
  // updates vis-network's data for them, the page draws again (rg.edgesChanged, network.redraw).
  var fast = rg.fastDraw === true;
  var byId = function (id) { return document.getElementById(id); };

  // -- the view's facts, read once ------------------------------------------------
  var facts = {};     // id -> {kind, label, text (for search), year, roles, cluster, stub, value}
  var order = [];     // ids in drawing order
  var original = {};  // id -> {color, font}: what focus and labels change, to put back
  var labelText = {};  // id -> the label vis-network would draw
  var edgeColour = {};
  var edgeWidth = {};  // id -> width as drawn at first (the chain's steps are drawn wider while highlighted)
  var links = {};     // id -> [neighbour ids]
  var incident = {};  // id -> [edge ids]
  var FILM = "film";

  function fold(text) {
    // Accents and case ignored: "Amélie" and "amelie" match, so do "Ó" and "o".
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  rg.data.nodes.forEach(function (n) {
    var tip = n.rgTip || {};
    var name = tip.title != null ? String(tip.title) : String(n.label != null ? n.label : n.rgLabel);
    facts[n.id] = {
      kind: n.rgKind, name: name, text: fold(name), year: typeof n.rgYear === "number" ? n.rgYear : null,
      roles: Array.isArray(n.rgRoles) ? n.rgRoles.map(roleGroup) : [], cluster: n.rgCluster != null ? String(n.rgCluster) : null,
      stub: n.rgStub === true, value: typeof n.value === "number" ? n.value : 1
    };
    order.push(n.id);
    original[n.id] = {color: n.color, font: n.font || null};
    labelText[n.id] = n.label != null ? n.label : (n.rgLabel != null ? n.rgLabel : name);
    links[n.id] = [];
    incident[n.id] = [];
  });
  rg.data.edges.forEach(function (e) {
    edgeColour[e.id] = e.color;
    edgeWidth[e.id] = typeof e.width === "number" ? e.width : ((rg.data.options.edges || {}).width || 1);
    if (links[e.from] && links[e.to]) {
      links[e.from].push(e.to);
      links[e.to].push(e.from);
      incident[e.from].push(e.id);
      incident[e.to].push(e.id);
    }
  });

  function roleGroup(role) {
    // IMDb says "actress" for the same job as "actor": one choice in the role filter
    return role === "actress" ? "actor" : String(role);
  }

  // -- colours ------------------------------------------------------------------------------
  var FADED_EDGE = "rgba(208, 215, 222, 0.35)";
  var FADED_FONT = "rgba(87, 96, 106, 0.25)";

  function fadeHex(colour) {
    // the colour 80% of the way to white: a faded node keeps a hint of its kind or cluster
    if (typeof colour !== "string" || !/^#[0-9a-fA-F]{6}$/.test(colour)) { return "#EEF0F2"; }
    var out = "#";
    for (var i = 1; i < 7; i += 2) {
      var c = parseInt(colour.substr(i, 2), 16);
      var v = Math.round(c + (255 - c) * 0.8).toString(16);
      out += v.length < 2 ? "0" + v : v;
    }
    return out;
  }

  function fadedColour(colour) {
    var c = colour || {};
    var bg = fadeHex(c.background), border = fadeHex(c.border);
    return {background: bg, border: border, highlight: {background: bg, border: border}, hover: {background: bg, border: border}};
  }

  // -- labels: the largest nodes' labels that do not overlap, at a readable size, more as you zoom ------
  // A view draws the labels that fit on the screen without overlapping, 14 px high whatever the zoom,
  // taken largest node first (the focused node and its neighbours before all); zooming in leaves room
  // for more.  The others get a font too small for vis-network to draw (under the drawThreshold
  // network_options sets).  The path view keeps its own labels: all of them, sized for its frame.
  var LABELLED = !(rg.meta && rg.meta.kind === "path");
  var HIDDEN = 0.01;  // a font size never drawn: at most zoom (10) it is 0.1 px, under any drawThreshold
  var LABEL_PX = 14;
  var MAX_LABELS = 300;
  var labelFont = {};   // id -> font size now (big views only)
  var labelled = {};    // id -> true while its label is drawn
  rg.labelled = function () { return Object.keys(labelled); };
  var ranked = order.slice().sort(function (a, b) {
    // the centre and ends of the view (drawn with a font of their own) first, then by size
    var ea = original[a].font && original[a].font.size ? 1 : 0, eb = original[b].font && original[b].font.size ? 1 : 0;
    return eb - ea || facts[b].value - facts[a].value;
  });

  function labelLevels() {
    if (!LABELLED) { return; }
    var scale = network.getScale();
    var w = rg.container.clientWidth, h = rg.container.clientHeight;
    var topLeft = network.DOMtoCanvas({x: 0, y: 0}), bottomRight = network.DOMtoCanvas({x: w, y: h});
    var positions = network.getPositions();
    var cells = {};  // a grid of 40 px cells on the screen: the label boxes already taken
    var CELL = 40;
    var chosen = {}, count = 0;

    function take(id, force) {
      var p = positions[id];
      if (!p || hidden[id]) { return; }
      if (p.x < topLeft.x || p.x > bottomRight.x || p.y < topLeft.y || p.y > bottomRight.y) { return; }
      var x = (p.x - topLeft.x) * scale, y = (p.y - topLeft.y) * scale;
      var half = Math.min(facts[id].name.length + 7, 50) * LABEL_PX * 0.32 + 2;  // the label with its year
      var x0 = Math.floor((x - half) / CELL), x1 = Math.floor((x + half) / CELL);
      var y0 = Math.floor((y - 4) / CELL), y1 = Math.floor((y + LABEL_PX * 1.8) / CELL);
      var box = [x - half, y - 4, x + half, y + LABEL_PX * 1.8];
      if (!force) {
        for (var i = x0; i <= x1; i++) {
          for (var j = y0; j <= y1; j++) {
            var taken = cells[i + "," + j];
            if (!taken) { continue; }
            for (var k = 0; k < taken.length; k++) {
              var b = taken[k];
              if (box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]) { return; }
            }
          }
        }
      }
      for (var ci = x0; ci <= x1; ci++) {
        for (var cj = y0; cj <= y1; cj++) { (cells[ci + "," + cj] = cells[ci + "," + cj] || []).push(box); }
      }
      chosen[id] = true;
      count++;
    }

    if (focused !== null) {
      take(focused, true);
      links[focused].forEach(function (v) { take(v, false); });
    }
    if (chainOn) { chain.forEach(function (id) { take(id, true); }); }  // the chain asked for: all its labels
    for (var r = 0; r < ranked.length && count < MAX_LABELS; r++) {
      if (!chosen[ranked[r]]) { take(ranked[r], false); }
    }
    // Every node starts with the views' unlabelled font (HIDDEN_LABEL_SIZE in _builder.py, never drawn):
    // only the nodes whose label comes or goes are updated, a few hundred even in a 10,000-node view.
    // A big view draws its labels itself (rg.labelOf): nothing to update, a frame to draw.
    var updates = [], changed = false;
    order.forEach(function (id) {
      if (!chosen[id] && !labelled[id]) { return; }
      var own = original[id].font && original[id].font.size;  // the centre's larger label
      var size = chosen[id] ? (own || LABEL_PX) / scale : HIDDEN;
      // a label drawn stays as it is until the zoom changes by a quarter (no flicker while panning)
      if (chosen[id] && labelled[id] && Math.abs(labelFont[id] / size - 1) < 0.25) { return; }
      labelFont[id] = size;
      if (chosen[id]) { labelled[id] = true; } else { delete labelled[id]; }
      changed = true;
      if (!fast) { updates.push({id: id, font: fontFor(id)}); }
    });
    if (updates.length) { nodes.update(updates); }
    if (fast && changed) { rg.redrawSoon(); }
  }

  // What page.js draws as a big view's label: null for a node without one.
  var defaultFont = (rg.data.options.nodes && rg.data.options.nodes.font) || {};
  rg.labelOf = function (id) {
    if (!labelled[id]) { return null; }
    var own = original[id].font || {}, size = labelFont[id];
    var base = own.size || LABEL_PX;  // the halo keeps its width on the screen, as the label its height
    return {text: String(labelText[id]), size: size, face: own.face || defaultFont.face || "system-ui, Arial, sans-serif",
            color: faded[id] ? FADED_FONT : (own.color || defaultFont.color || "#24292F"),
            strokeColor: own.strokeColor || defaultFont.strokeColor || "#FFFFFF",
            strokeWidth: (own.strokeWidth != null ? own.strokeWidth : (defaultFont.strokeWidth || 0)) * size / base};
  };

  var labelTimer = null;
  function labelsSoon() {
    if (!LABELLED) { return; }
    if (labelTimer !== null) { clearTimeout(labelTimer); }
    labelTimer = setTimeout(function () { labelTimer = null; labelLevels(); }, 120);
  }
  network.on("zoom", labelsSoon);
  network.on("dragEnd", labelsSoon);
  network.on("animationFinished", labelsSoon);

  function fontFor(id) {
    // a node's font now: its label size (big views), faded while another node is focused
    var font = fontOf(id, labelFont[id]);
    if (faded[id]) { font.color = FADED_FONT; }
    return font;
  }

  function fontOf(id, size) {
    var base = original[id].font || {};
    var font = {};
    for (var k in base) { if (Object.prototype.hasOwnProperty.call(base, k)) { font[k] = base[k]; } }
    if (size != null) { font.size = size; }
    return font;
  }

  // -- focus -------------------------------------------------------------------------------
  var panel = byId("rg-panel");
  var focused = null;
  var faded = {};       // node id -> true
  var fadedEdges = {};  // edge id -> true
  rg.focused = null;

  // Fading means updating every other node; in a big view (fast, past 3,000 nodes) that would freeze
  // the page for seconds, so it selects the node and its neighbours (vis-network's highlight) instead,
  // and draws the node's edges dark (rg.edgeLook).

  // Only a node whose label is drawn gets its font's colour changed: the others' labels are too small
  // to draw (fontFor gives the faded colour when a label comes), and a font update makes vis-network
  // measure the label again.
  function withLabelFont(update) {
    if (!LABELLED || labelled[update.id] || original[update.id].font) { update.font = fontFor(update.id); }
    return update;
  }

  // Fades every node and edge but those kept: the focus and the chain's highlight both do.
  function fadeAllBut(keep, keepEdges) {
    var nodeUpdates = [], edgeUpdates = [];
    order.forEach(function (n) {
      if (!keep[n]) {
        faded[n] = true;
        nodeUpdates.push(withLabelFont({id: n, color: fadedColour(original[n].color), rgFaded: true}));
      }
    });
    rg.data.edges.forEach(function (e) {
      if (!keepEdges[e.id]) {
        fadedEdges[e.id] = true;
        edgeUpdates.push({id: e.id, color: {color: FADED_EDGE, highlight: FADED_EDGE, hover: FADED_EDGE, inherit: false}});
      }
    });
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
  }

  // Puts back what fadeAllBut faded.
  function unfade() {
    var nodeUpdates = [], edgeUpdates = [];
    var wasFaded = faded;
    faded = {};
    order.forEach(function (n) {
      if (wasFaded[n]) { nodeUpdates.push(withLabelFont({id: n, color: original[n].color, rgFaded: false})); }
    });
    for (var e in fadedEdges) {
      if (Object.prototype.hasOwnProperty.call(fadedEdges, e)) { edgeUpdates.push({id: e, color: edgeColour[e]}); }
    }
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    fadedEdges = {};
  }

  function moveAnimation() {
    // a short glide to where the reader asked to go; a big view jumps (each step of a glide redraws every edge)
    return fast ? false : {duration: 300, easingFunction: "easeInOutQuad"};
  }

  function focus(id) {
    if (!facts[id]) { return; }
    clearChain();
    clearFocus(true);
    focused = id;
    rg.focused = id;
    if (fast) {
      network.selectNodes([id].concat(links[id]), false);
      rg.edgesChanged();
      showPanel(id);
      labelLevels();
      return;
    }
    var keep = {};
    keep[id] = true;
    links[id].forEach(function (v) { keep[v] = true; });
    var keepEdges = {};
    incident[id].forEach(function (e) { keepEdges[e] = true; });
    fadeAllBut(keep, keepEdges);
    network.selectNodes([id]);
    showPanel(id);
    labelLevels();  // the focused node and its neighbours get their labels first
  }

  function clearFocus(keepPanel) {
    if (focused === null) { if (!keepPanel) { hidePanel(); } return; }
    unfade();
    focused = null;
    rg.focused = null;
    network.unselectAll();
    if (fast) { rg.edgesChanged(); }
    if (!keepPanel) { hidePanel(); labelLevels(); }
  }

  rg.fadedIds = function () { return Object.keys(faded); };

  // How page.js draws an edge of a big view: null while a filter hides an end; the focused node's
  // edges dark (vis-network's highlight), the chain's steps thick, each over the others.
  rg.edgeLook = function (e) {
    if (hidden[e.from] || hidden[e.to]) { return null; }
    if (chainOn && chainEdges[e.id]) { return {colour: CHAIN_EDGE, width: CHAIN_WIDTH, order: 2}; }
    if (focused !== null && (e.from === focused || e.to === focused)) { return {colour: FOCUS_EDGE, width: edgeWidth[e.id] + 1, order: 1}; }
    return {colour: rg.edgeColourOf(e), width: edgeWidth[e.id], order: 0};
  };
  var FOCUS_EDGE = "#1F2328";
  rg.focus = focus;
  rg.clearFocus = function () { clearFocus(false); };

  function showPanel(id) {
    var node = nodes.get(id);
    rg.fillDetails(panel, node);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "rg-panel-close";
    close.setAttribute("aria-label", "Close (Esc)");
    close.textContent = "\u00d7";
    close.addEventListener("click", function () { clearFocus(false); });
    panel.insertBefore(close, panel.firstChild);
    var n = links[id].length;
    var around = document.createElement("div");
    around.className = "rg-tip-more";
    around.textContent = n + (n === 1 ? " neighbour" : " neighbours") + " in this view, highlighted";
    panel.appendChild(around);
    panel.hidden = false;
  }

  function hidePanel() { panel.hidden = true; }

  network.on("click", function (p) {
    if (p.nodes && p.nodes.length) { focus(p.nodes[0]); } else { clearFocus(false); clearChain(); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && document.activeElement !== search) { clearFocus(false); clearChain(); }
  });

  // -- the chain -----------------------------------------------------------------------------
  // A path view, or a view given a chain (neighbourhood_view(..., chain=...)), holds a chain of
  // nodes: "Highlight chain" keeps its nodes and steps, draws the steps thick and dark, fades the
  // rest and brings the chain into view; a second press, Escape or a click elsewhere puts it back.
  var chainButton = byId("rg-chain");
  var chain = ((rg.meta && rg.meta.chain) || []).filter(function (id) { return Object.prototype.hasOwnProperty.call(facts, id); });
  var chainOn = false;
  var chainEdges = {};  // edge id -> true: an edge joining two consecutive nodes of the chain
  var CHAIN_EDGE = "#1F2328";
  var CHAIN_WIDTH = 4;
  (function findSteps() {
    var steps = {};
    for (var i = 0; i + 1 < chain.length; i++) {
      steps[JSON.stringify([chain[i], chain[i + 1]])] = true;
      steps[JSON.stringify([chain[i + 1], chain[i]])] = true;
    }
    rg.data.edges.forEach(function (e) { if (steps[JSON.stringify([e.from, e.to])]) { chainEdges[e.id] = true; } });
  })();
  rg.chain = chain;
  rg.chainEdges = function () { return Object.keys(chainEdges).sort(); };
  rg.chainShown = false;

  function highlightChain() {
    if (chain.length < 2 || chainOn) { return; }
    clearFocus(false);
    chainOn = true;
    rg.chainShown = true;
    chainButton.setAttribute("aria-pressed", "true");
    var ids = Object.keys(chainEdges);
    if (fast) {
      network.setSelection({nodes: chain, edges: []}, {unselectAll: true, highlightEdges: false});
      rg.edgesChanged();  // the steps drawn thick (rg.edgeLook)
    } else {
      var keep = {};
      chain.forEach(function (id) { keep[id] = true; });
      fadeAllBut(keep, chainEdges);
      edges.update(ids.map(function (e) {
        return {id: e, width: CHAIN_WIDTH, color: {color: CHAIN_EDGE, highlight: CHAIN_EDGE, hover: CHAIN_EDGE, inherit: false}};
      }));
    }
    var shown = chain.filter(function (id) { return !hidden[id]; });
    if (shown.length && shown.length < order.length - Object.keys(hidden).length) {
      // a view with more than the chain: bring the chain into view (a path view stays fitted to its frame)
      rg.moved = true;
      network.fit({nodes: shown, animation: moveAnimation()});
    }
    labelLevels();
  }

  function clearChain() {
    if (!chainOn) { return; }
    chainOn = false;
    rg.chainShown = false;
    chainButton.setAttribute("aria-pressed", "false");
    if (fast) {
      network.unselectAll();
      rg.edgesChanged();
    } else {
      unfade();
      edges.update(Object.keys(chainEdges).map(function (e) { return {id: e, width: edgeWidth[e], color: edgeColour[e]}; }));
    }
    labelLevels();
  }
  rg.highlightChain = highlightChain;
  rg.clearChain = clearChain;

  if (chain.length > 1) {
    chainButton.hidden = false;
    chainButton.addEventListener("click", function () { if (chainOn) { clearChain(); } else { highlightChain(); } });
  }

  // -- search --------------------------------------------------------------------------------
  var search = byId("rg-search");
  var results = byId("rg-results");
  var MAX_RESULTS = 8;
  var found = [];
  var active = -1;

  function kindHint(id) {
    var f = facts[id];
    if (f.kind === FILM) { return f.year != null ? "film, " + f.year : (f.stub ? "film, known only by title" : "film"); }
    return f.kind;
  }

  function find(query) {
    var words = fold(query).split(/\s+/).filter(Boolean);
    if (!words.length) { return []; }
    var whole = words.join(" ");
    var hits = [];
    order.forEach(function (id) {
      var f = facts[id];
      if (hidden[id]) { return; }
      for (var i = 0; i < words.length; i++) { if (f.text.indexOf(words[i]) < 0) { return; } }
      var rank = f.text.indexOf(whole) === 0 ? 0 : ((" " + f.text).indexOf(" " + words[0]) >= 0 ? 1 : 2);
      hits.push({id: id, rank: rank});
    });
    hits.sort(function (a, b) { return a.rank - b.rank || facts[b.id].value - facts[a.id].value || (facts[a.id].name < facts[b.id].name ? -1 : 1); });
    return hits.slice(0, MAX_RESULTS).map(function (h) { return h.id; });
  }

  function showResults() {
    while (results.firstChild) { results.removeChild(results.firstChild); }
    found = find(search.value);
    active = found.length ? 0 : -1;
    if (!search.value.trim()) { results.hidden = true; return; }
    if (!found.length) {
      var none = document.createElement("li");
      none.className = "rg-result-none";
      none.textContent = "No film or person of this view (as filtered) matches";
      results.appendChild(none);
    }
    found.forEach(function (id, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.className = "rg-result";
      li.setAttribute("data-index", String(i));
      var name = document.createElement("span");
      name.textContent = facts[id].name;
      var hint = document.createElement("span");
      hint.className = "rg-result-hint";
      hint.textContent = kindHint(id);
      li.appendChild(name);
      li.appendChild(hint);
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(id); });
      results.appendChild(li);
    });
    markActive();
    results.hidden = false;
  }

  function markActive() {
    var items = results.querySelectorAll(".rg-result");
    for (var i = 0; i < items.length; i++) { items[i].setAttribute("aria-selected", i === active ? "true" : "false"); }
  }

  function choose(id) {
    results.hidden = true;
    search.value = facts[id].name;
    rg.moved = true;
    focus(id);
    var animation = moveAnimation();
    network.focus(id, {scale: Math.max(network.getScale(), 1.0), animation: animation});
    // a jump fires no "zoom" and no "animationFinished": the labels are sized for the new zoom here
    if (!animation) { labelLevels(); }
  }
  rg.choose = choose;

  search.addEventListener("input", showResults);
  search.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (found.length) { active = (active + (e.key === "ArrowDown" ? 1 : found.length - 1)) % found.length; markActive(); }
      e.preventDefault();
    } else if (e.key === "Enter") {
      if (found.length) { choose(found[Math.max(active, 0)]); }
      e.preventDefault();
    } else if (e.key === "Escape") {
      search.value = "";
      results.hidden = true;
      clearFocus(false);
      search.blur();
    }
  });
  search.addEventListener("blur", function () { results.hidden = true; });
  search.addEventListener("focus", function () { if (search.value.trim()) { showResults(); } });

  // -- filters -------------------------------------------------------------------------------
  var hidden = {};  // id -> true while a filter hides it
  var yearFrom = byId("rg-year-from"), yearTo = byId("rg-year-to");
  var roleSelect = byId("rg-role"), clusterSelect = byId("rg-cluster"), hideStubs = byId("rg-hide-stubs");
  var counts = byId("rg-counts"), reset = byId("rg-reset");
  var clusterNames = {};
  ((rg.meta && rg.meta.clusters) || []).forEach(function (c) { clusterNames[String(c.id)] = c; });

  function addOption(select, value, text) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    select.appendChild(o);
  }

  (function offerChoices() {
    var years = [], roles = {}, anyStub = false;
    order.forEach(function (id) {
      var f = facts[id];
      if (f.year != null) { years.push(f.year); }
      f.roles.forEach(function (r) { roles[r] = (roles[r] || 0) + 1; });
      if (f.stub) { anyStub = true; }
    });
    if (years.length > 1) {
      var lo = Math.min.apply(null, years), hi = Math.max.apply(null, years);
      if (lo < hi) {
        [yearFrom, yearTo].forEach(function (input) { input.min = lo; input.max = hi; });
        yearFrom.placeholder = String(lo);
        yearTo.placeholder = String(hi);
        byId("rg-f-year").hidden = false;
      }
    }
    var roleNames = Object.keys(roles).sort(function (a, b) { return roles[b] - roles[a] || (a < b ? -1 : 1); });
    if (roleNames.length > 1) {
      roleNames.forEach(function (r) { addOption(roleSelect, r, r.replace(/_/g, " ") + (r === "actor" ? "s and actresses" : "s") + " (" + roles[r] + ")"); });
      byId("rg-f-role").hidden = false;
    }
    var clusters = (rg.meta && rg.meta.clusters) || [];
    if (clusters.length > 1) {
      clusters.forEach(function (c) { addOption(clusterSelect, String(c.id), c.name + " (" + c.films + ")"); });
      byId("rg-f-cluster").hidden = false;
    }
    if (anyStub) { byId("rg-f-stub").hidden = false; }
  })();

  function yearOf(input) {
    var v = input.value.trim();
    if (v === "") { return null; }
    var n = Number(v);
    return isFinite(n) ? n : null;
  }

  function filmShown(f, from, to, cluster, noStubs) {
    if (noStubs && f.stub) { return false; }
    if (cluster !== "" && f.cluster !== cluster) { return false; }
    if (from !== null || to !== null) {
      // a year range keeps the films known to fall inside it
      if (f.year === null) { return false; }
      if (from !== null && f.year < from) { return false; }
      if (to !== null && f.year > to) { return false; }
    }
    return true;
  }

  function applyFilters() {
    var from = yearOf(yearFrom), to = yearOf(yearTo), role = roleSelect.value, cluster = clusterSelect.value;
    var noStubs = hideStubs.checked;
    var show = {};
    order.forEach(function (id) {
      var f = facts[id];
      if (f.kind === FILM) { show[id] = filmShown(f, from, to, cluster, noStubs); }
    });
    order.forEach(function (id) {
      var f = facts[id];
      if (f.kind === FILM) { return; }
      var ok = role === "" || f.kind !== "person" || f.roles.indexOf(role) >= 0;
      // people and genres go with their films: shown while one of their films of the view is
      var films = links[id].filter(function (v) { return facts[v].kind === FILM; });
      if (ok && films.length) { ok = films.some(function (v) { return show[v]; }); }
      show[id] = ok;
    });
    var updates = [];
    order.forEach(function (id) {
      var hide = !show[id];
      if (!!hidden[id] !== hide) {
        updates.push({id: id, hidden: hide});
        if (hide) { hidden[id] = true; } else { delete hidden[id]; }
      }
    });
    if (updates.length) { nodes.update(updates); }
    if (fast && updates.length) { rg.edgesChanged(); }  // the edges of hidden nodes go with them
    if (focused !== null && hidden[focused]) { clearFocus(false); }
    labelLevels();  // labels freed by the hidden nodes go to the next largest
    var pressed = clusterSelect.value;
    Array.prototype.forEach.call(document.querySelectorAll(".rg-legend-cluster"), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-rg-cluster") === pressed ? "true" : "false");
    });
    reset.hidden = !(from !== null || to !== null || role !== "" || cluster !== "" || noStubs);
    showCounts();
  }
  rg.applyFilters = applyFilters;

  function plural(n, one, many) { return n.toLocaleString("en") + " " + (n === 1 ? one : many); }

  function showCounts() {
    var total = {}, shown = {}, all = 0, visible = 0;
    order.forEach(function (id) {
      var k = facts[id].kind;
      total[k] = (total[k] || 0) + 1;
      all++;
      if (!hidden[id]) { shown[k] = (shown[k] || 0) + 1; visible++; }
    });
    var words = {film: ["film", "films"], person: ["person", "people"], genre: ["genre", "genres"], other: ["other", "others"]};
    var parts = ["film", "person", "genre", "other"].filter(function (k) { return total[k]; }).map(function (k) {
      var w = words[k];
      return visible === all ? plural(total[k], w[0], w[1]) : (shown[k] || 0).toLocaleString("en") + " of " + plural(total[k], w[0], w[1]);
    });
    counts.textContent = (visible === all ? "" : "Showing ") + parts.join(", ");
    rg.counts = {shown: visible, total: all, byKind: shown};
  }

  [yearFrom, yearTo].forEach(function (input) { input.addEventListener("input", applyFilters); });
  [roleSelect, clusterSelect, hideStubs].forEach(function (input) { input.addEventListener("change", applyFilters); });
  reset.addEventListener("click", function () {
    yearFrom.value = "";
    yearTo.value = "";
    roleSelect.value = "";
    clusterSelect.value = "";
    hideStubs.checked = false;
    applyFilters();
  });

  // the legend's clusters: a click shows only that cluster, a second click all of them
  Array.prototype.forEach.call(document.querySelectorAll(".rg-legend-cluster"), function (button) {
    button.addEventListener("click", function () {
      var id = button.getAttribute("data-rg-cluster");
      clusterSelect.value = clusterSelect.value === id ? "" : id;
      applyFilters();
    });
  });

  // -- export --------------------------------------------------------------------------------
  function exportPng() {
    // the canvas as drawn (its own pixels, at the screen's pixel ratio) on a white background
    var canvas = rg.container.querySelector("canvas");
    var out = document.createElement("canvas");
    out.width = canvas.width;
    out.height = canvas.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(canvas, 0, 0);
    return out.toDataURL("image/png");
  }
  rg.exportPng = exportPng;

  // The picture as SVG, drawn again from the network's state (vis-network draws on a canvas): each
  // edge a line, each node a shape with its label as drawn now, in the frame's pixels, on white.
  // Built with DOM calls and serialised by XMLSerializer, so every data string is escaped as XML.
  var SVG_NS = "http://www.w3.org/2000/svg";

  function svgElement(name, attrs, parent) {
    var el = document.createElementNS(SVG_NS, name);
    for (var k in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, k) && attrs[k] !== null && attrs[k] !== undefined) { el.setAttribute(k, String(attrs[k])); }
    }
    if (parent) { parent.appendChild(el); }
    return el;
  }

  function colourParts(colour) {
    // vis-network takes a colour as a string or as {background, border} (edges: {color})
    if (typeof colour === "string") { return {fill: colour, stroke: colour}; }
    var c = colour || {};
    return {fill: c.background || c.color || "#97C2FC", stroke: c.border || c.color || "#2B7CE9"};
  }

  function safeColour(value, fallback) {
    // only colours of the forms the views use reach an attribute
    return (typeof value === "string" && /^(#[0-9a-fA-F]{3,8}|rgba?\([0-9.,\s]+\))$/.test(value)) ? value : fallback;
  }

  function round(v) { return Math.round(v * 10) / 10; }

  function nodeShape(shape, x, y, r, attrs, parent) {
    var points;
    if (shape === "diamond") {
      points = [[x, y - r], [x + r, y], [x, y + r], [x - r, y]];
    } else if (shape === "triangle") {
      points = [[x, y - r], [x + r * 0.866, y + r * 0.5], [x - r * 0.866, y + r * 0.5]];
    } else if (shape === "star") {
      points = [];
      for (var i = 0; i < 10; i++) {
        var a = -Math.PI / 2 + i * Math.PI / 5, d = i % 2 ? r * 0.45 : r;
        points.push([x + d * Math.cos(a), y + d * Math.sin(a)]);
      }
    } else if (shape === "square" || shape === "box") {
      return svgElement("rect", Object.assign({x: round(x - r), y: round(y - r), width: round(2 * r), height: round(2 * r)}, attrs), parent);
    } else {
      return svgElement("circle", Object.assign({cx: round(x), cy: round(y), r: round(r)}, attrs), parent);
    }
    return svgElement("polygon", Object.assign({points: points.map(function (p) { return round(p[0]) + "," + round(p[1]); }).join(" ")}, attrs), parent);
  }

  function exportSvg() {
    var w = rg.container.clientWidth, h = rg.container.clientHeight;
    var scale = network.getScale();
    var positions = network.getPositions();
    var options = rg.data.options || {};
    var nodeFont = (options.nodes && options.nodes.font) || {};
    var svg = svgElement("svg", {xmlns: SVG_NS, width: w, height: h, viewBox: "0 0 " + w + " " + h,
                                 "font-family": "system-ui, Arial, sans-serif"});
    svgElement("title", {}, svg).textContent = (rg.meta && rg.meta.title) || "reelgraph view";
    svgElement("rect", {x: 0, y: 0, width: w, height: h, fill: "#ffffff"}, svg);
    var edgeLayer = svgElement("g", {"class": "rg-edges"}, svg);
    var nodeLayer = svgElement("g", {"class": "rg-nodes"}, svg);
    var size = {};
    order.forEach(function (id) {
      var body = network.body && network.body.nodes[id];
      size[id] = (body && body.options && typeof body.options.size === "number") ? body.options.size : 10;
    });
    function at(id) { return network.canvasToDOM(positions[id]); }
    edges.get().forEach(function (e) {
      if (hidden[e.from] || hidden[e.to] || !positions[e.from] || !positions[e.to]) { return; }
      var a = at(e.from), b = at(e.to);
      var look = fast ? rg.edgeLook(e) : null;  // a big view: as page.js draws it (focus, chain)
      var colour = safeColour(look ? look.colour : colourParts(e.color).stroke, "#A7B1BC");
      var width = look ? look.width : (typeof e.width === "number" ? e.width : 1);
      var attrs = {x1: round(a.x), y1: round(a.y), x2: round(b.x), y2: round(b.y), stroke: colour,
                   "stroke-width": round(width * Math.max(scale, 0.3))};
      if (e.dashes) { attrs["stroke-dasharray"] = Array.isArray(e.dashes) ? e.dashes.join(" ") : "5 5"; }
      var g = svgElement("g", {"class": "rg-edge"}, edgeLayer);
      svgElement("line", attrs, g);
      if (typeof e.arrows === "string" && e.arrows.indexOf("to") >= 0) {
        // an arrowhead where the line meets the node it points to
        var dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
        var ux = dx / len, uy = dy / len, r = size[e.to] * scale, tip = {x: b.x - ux * r, y: b.y - uy * r};
        var k = 8;
        svgElement("polygon", {fill: colour, points: [
          [tip.x, tip.y], [tip.x - ux * k - uy * k * 0.5, tip.y - uy * k + ux * k * 0.5], [tip.x - ux * k + uy * k * 0.5, tip.y - uy * k - ux * k * 0.5]
        ].map(function (p) { return round(p[0]) + "," + round(p[1]); }).join(" ")}, g);
      }
      if (e.label) {
        var label = svgElement("text", {x: round((a.x + b.x) / 2), y: round((a.y + b.y) / 2), "text-anchor": "middle",
                                        "font-size": round(((options.edges && options.edges.font && options.edges.font.size) || 12) * scale),
                                        fill: "#24292F", stroke: "#ffffff", "stroke-width": 3, "paint-order": "stroke"}, g);
        label.textContent = String(e.label);
      }
    });
    order.forEach(function (id) {
      if (hidden[id] || !positions[id]) { return; }
      var n = nodes.get(id), p = at(id), r = size[id] * scale;
      var c = colourParts(n.color);
      var g = svgElement("g", {"class": "rg-node", "data-id": String(id)}, nodeLayer);
      svgElement("title", {}, g).textContent = facts[id].name;
      var attrs = {fill: safeColour(c.fill, "#97C2FC"), stroke: safeColour(c.stroke, "#2B7CE9"),
                   "stroke-width": round((typeof n.borderWidth === "number" ? n.borderWidth : 1.5) * Math.max(scale, 0.3))};
      if (n.shapeProperties && n.shapeProperties.borderDashes) { attrs["stroke-dasharray"] = "3 3"; }
      nodeShape(n.rgShape || n.shape, p.x, p.y, r, attrs, g);  // a big view's nodes are vis-network's "custom" (page.js)
      var drawnLabel = fast ? rg.labelOf(id) : null;
      var font = drawnLabel ? {size: drawnLabel.size, color: drawnLabel.color} : (n.font || {});
      var px = fast ? (drawnLabel ? drawnLabel.size * scale : 0) : (typeof font.size === "number" ? font.size : (nodeFont.size || 14)) * scale;
      if (px >= 4 && labelText[id]) {  // the labels drawn now, as large as drawn
        var text = svgElement("text", {x: round(p.x), y: round(p.y + r + px), "text-anchor": "middle", "font-size": round(px),
                                       fill: safeColour(font.color, "#24292F"), stroke: "#ffffff", "stroke-width": round(Math.max(px / 5, 1)),
                                       "paint-order": "stroke"}, g);
        text.textContent = String(labelText[id]);
      }
    });
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg);
  }
  rg.exportSvg = exportSvg;

  function fileName(extension) {
    var title = (rg.meta && rg.meta.title) || "reelgraph view";
    var slug = fold(title).replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80);
    return (slug || "reelgraph-view") + "." + extension;
  }

  function download(href, name) {
    var a = document.createElement("a");
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
  }

  byId("rg-export").addEventListener("click", function () { download(exportPng(), fileName("png")); });
  byId("rg-export-svg").addEventListener("click", function () {
    // a data: URL (the page's CSP allows no blob: and no fetch): the SVG's text, percent-encoded
    download("data:image/svg+xml;charset=utf-8," + encodeURIComponent(exportSvg()), fileName("svg"));
  });

  // -- once the layout is still --------------------------------------------------------------
  function ready() {
    labelLevels();
    showCounts();
  }
  if (rg.stable) { ready(); } else { rg.onStable.push(ready); }
})();
