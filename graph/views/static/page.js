// The script of every reelgraph view (reelgraph.views.page puts it inline and allows it by its hash).
// Reads the JSON data block, draws the network, stops physics once the layout settles, keeps the
// picture fitted to its frame until the reader moves it, and shows tooltips built from text nodes
// only (never innerHTML), so no data string can become markup.  explore.js, run after it, adds
// focus, search, filters and export on top of window.reelgraph.
(function () {
  "use strict";
  function now() { return (window.performance && performance.now) ? performance.now() : Date.now(); }
  var started = now();
  var IMDB_URL = /^https:\/\/www\.imdb\.com\/(title\/tt[0-9]{7,}|name\/nm[0-9]{7,})\/$/;
  var data = JSON.parse(document.getElementById("rg-data").textContent);
  var container = document.getElementById("rg-network");
  var stage = document.getElementById("rg-stage");
  var statusEl = document.getElementById("rg-status");
  var tip = document.getElementById("rg-tooltip");
  var root = document.documentElement;

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  var state = {network: network, nodes: nodes, edges: edges, meta: data.meta, data: data, stable: false,
               container: container, stage: stage, moved: false, onStable: [],
               timings: {scriptStart: started, networkReady: now(), stable: null}};
  window.reelgraph = state;
  // The names pyvis pages use, for people (and tests) used to them.
  window.network = network;
  window.nodes = nodes;
  window.edges = edges;

  function settle() {
    if (state.stable) { return; }
    network.setOptions({physics: {enabled: false}});
    state.stable = true;
    if (!state.moved) { network.fit(); }
    state.timings.stable = now();
    for (var i = 0; i < state.onStable.length; i++) { state.onStable[i](); }
    root.setAttribute("data-rg-state", "stable");
    statusEl.textContent = "";
  }

  // Fitted to the frame until the reader zooms or drags: a notebook's frame may get its width
  // only after the page has drawn, and a fixed layout (the path view) is never fitted by physics.
  state.fit = function () { if (!state.moved) { network.fit(); } };
  network.on("zoom", function () { state.moved = true; });
  network.on("dragEnd", function (p) { if (!p.nodes || !p.nodes.length) { state.moved = true; } });
  if (window.ResizeObserver) {
    var lastSize = "";
    new ResizeObserver(function () {
      var size = container.clientWidth + "x" + container.clientHeight;
      if (size === lastSize) { return; }
      lastSize = size;
      network.redraw();
      if (state.stable) { state.fit(); }
    }).observe(container);
  }

  var physics = data.options && data.options.physics;
  if (physics && physics.enabled !== false && physics.stabilization && physics.stabilization.enabled !== false) {
    statusEl.textContent = "Laying out\u2026";
    network.on("stabilizationProgress", function (p) {
      if (p && p.total) {
        statusEl.textContent = "Laying out\u2026 " + Math.round(100 * p.iterations / p.total) + "%";
      }
    });
    network.once("stabilizationIterationsDone", settle);
    network.once("stabilized", settle);
  } else {
    network.once("afterDrawing", settle);
    setTimeout(settle, 0);
  }

  // -- tooltips: DOM elements and text nodes only ---------------------------
  var hideTimer = null;
  var shown = null;

  function imdbUrl(node) {
    var url = node && node.rgUrl;
    return (typeof url === "string" && IMDB_URL.test(url)) ? url : null;
  }

  function addLine(target, cls, text) {
    var div = document.createElement("div");
    div.className = cls;
    div.textContent = String(text);
    target.appendChild(div);
    return div;
  }

  // A node's details as text nodes: its title, lines, "+N more" and its IMDb link (checked).
  // The tooltip and explore.js's side panel both show them.
  function fillDetails(target, node) {
    while (target.firstChild) { target.removeChild(target.firstChild); }
    var t = node.rgTip || {};
    addLine(target, "rg-tip-title", t.title != null ? t.title : node.label);
    var lines = Array.isArray(t.lines) ? t.lines : [];
    for (var i = 0; i < lines.length; i++) { addLine(target, "rg-tip-line", lines[i]); }
    if (t.more) { addLine(target, "rg-tip-more", t.more); }
    var url = imdbUrl(node);
    if (url) {
      var a = document.createElement("a");
      a.className = "rg-tip-link";
      a.href = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.textContent = "Open on IMDb \u2197";
      target.appendChild(a);
    }
  }
  state.fillDetails = fillDetails;

  function fill(node) { fillDetails(tip, node); }

  function place(id) {
    var pos = network.getPositions([id])[id];
    if (!pos) { return; }
    var dom = network.canvasToDOM(pos);
    var box = network.getBoundingBox(id);
    var scale = network.getScale();
    var half = box ? Math.max(6, 0.5 * (box.right - box.left) * scale) : 12;
    var w = stage.clientWidth, h = stage.clientHeight;
    var x = dom.x + half + 8, y = dom.y - 12;
    tip.style.left = "0px";
    tip.style.top = "0px";
    var tw = tip.offsetWidth, th = tip.offsetHeight;
    if (x + tw > w - 4) { x = Math.max(4, dom.x - half - 8 - tw); }
    if (y + th > h - 4) { y = Math.max(4, h - 4 - th); }
    if (y < 4) { y = 4; }
    tip.style.left = Math.round(x) + "px";
    tip.style.top = Math.round(y) + "px";
  }

  function show(id) {
    var node = nodes.get(id);
    if (!node) { return; }
    cancelHide();
    fill(node);
    tip.hidden = false;
    place(id);
    shown = id;
  }

  function hide() {
    tip.hidden = true;
    shown = null;
  }

  function cancelHide() {
    if (hideTimer !== null) { clearTimeout(hideTimer); hideTimer = null; }
  }

  function scheduleHide() {
    cancelHide();
    hideTimer = setTimeout(function () { hideTimer = null; hide(); }, 400);
  }

  network.on("hoverNode", function (p) { show(p.node); });
  network.on("blurNode", scheduleHide);
  tip.addEventListener("mouseenter", cancelHide);
  tip.addEventListener("mouseleave", scheduleHide);
  network.on("click", function () { hide(); });  // a click focuses (explore.js): the panel has the details
  network.on("doubleClick", function (p) {
    if (!p.nodes || !p.nodes.length) { return; }
    var url = imdbUrl(nodes.get(p.nodes[0]));
    if (url) { window.open(url, "_blank", "noopener,noreferrer"); }
  });
  network.on("dragStart", function () { hide(); });
  network.on("zoom", function () { if (shown !== null) { place(shown); } });
  network.on("dragging", function () { if (shown !== null) { place(shown); } });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { hide(); } });
  state.hideTooltip = hide;
})();
