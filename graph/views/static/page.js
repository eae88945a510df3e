// The script of every reelgraph view (reelgraph.views.page puts it inline and allows it by its hash).
// Reads the JSON data block, draws the network, stops physics once the layout settles, and shows
// tooltips built from text nodes only (never innerHTML), so no data string can become markup.
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
  var state = {network: network, nodes: nodes, edges: edges, meta: data.meta, stable: false,
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
    state.timings.stable = now();
    root.setAttribute("data-rg-state", "stable");
    statusEl.textContent = "";
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
  var pinned = null;
  var shown = null;

  function imdbUrl(node) {
    var url = node && node.rgUrl;
    return (typeof url === "string" && IMDB_URL.test(url)) ? url : null;
  }

  function addLine(cls, text) {
    var div = document.createElement("div");
    div.className = cls;
    div.textContent = String(text);
    tip.appendChild(div);
  }

  function fill(node) {
    while (tip.firstChild) { tip.removeChild(tip.firstChild); }
    var t = node.rgTip || {};
    addLine("rg-tip-title", t.title != null ? t.title : node.label);
    var lines = Array.isArray(t.lines) ? t.lines : [];
    for (var i = 0; i < lines.length; i++) { addLine("rg-tip-line", lines[i]); }
    if (t.more) { addLine("rg-tip-more", t.more); }
    var url = imdbUrl(node);
    if (url) {
      var a = document.createElement("a");
      a.className = "rg-tip-link";
      a.href = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.textContent = "Open on IMDb \u2197";
      tip.appendChild(a);
    }
  }

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
    pinned = null;
  }

  function cancelHide() {
    if (hideTimer !== null) { clearTimeout(hideTimer); hideTimer = null; }
  }

  function scheduleHide() {
    if (pinned !== null) { return; }
    cancelHide();
    hideTimer = setTimeout(function () { hideTimer = null; if (pinned === null) { hide(); } }, 400);
  }

  network.on("hoverNode", function (p) { if (pinned === null || pinned === p.node) { show(p.node); } });
  network.on("blurNode", scheduleHide);
  tip.addEventListener("mouseenter", cancelHide);
  tip.addEventListener("mouseleave", scheduleHide);
  network.on("click", function (p) {
    if (p.nodes && p.nodes.length) { pinned = null; show(p.nodes[0]); pinned = p.nodes[0]; }
    else { hide(); }
  });
  network.on("doubleClick", function (p) {
    if (!p.nodes || !p.nodes.length) { return; }
    var url = imdbUrl(nodes.get(p.nodes[0]));
    if (url) { window.open(url, "_blank", "noopener,noreferrer"); }
  });
  network.on("dragStart", function () { if (pinned === null) { hide(); } });
  network.on("zoom", function () { if (shown !== null) { place(shown); } });
  network.on("dragging", function () { if (shown !== null) { place(shown); } });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { hide(); } });
})();
