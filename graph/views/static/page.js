// The script of every reelgraph view (reelgraph.views.page puts it inline and allows it by its hash).
// Reads the JSON data block, draws the network, stops physics once the layout settles, keeps the
// picture fitted to its frame until the reader moves it, and shows tooltips built from text nodes
// only (never innerHTML), so no data string can become markup.  A view of more than 3,000 nodes is
// drawn in batches by the page itself (see "big views" below).  explore.js, run after it, adds
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

  // -- big views: drawn by the page, in batches -----------------------------------------------
  // Past FAST_DRAW_FROM nodes (PLAIN_EDGES_FROM in style.py: the views drawn with plain edges) vis-network
  // is given the nodes only, each drawn by drawNode below: one path, one fill, one stroke (vis-network's
  // own shapes save and restore the canvas twice a node, and measure every label, drawn or not).  The
  // page draws the edges itself, under the nodes, as one path per colour and width: one stroke for
  // thousands of lines where vis-network strokes each edge, and no edge objects to build.  At 10,000
  // nodes and 33,600 edges a still frame takes about 0.03 s instead of 0.2 s, and the network is
  // built in half the time.  explore.js says which labels are drawn (state.labelOf) and how each
  // edge looks (state.edgeLook: focus, chain, filters); state.edgesChanged() draws them again.
  var FAST_DRAW_FROM = 3000;
  var fast = data.nodes.length > FAST_DRAW_FROM;
  var shapeOf = {};  // id -> vis-network's shape name, for drawNode (big views)
  var state = {meta: data.meta, data: data, stable: false, fastDraw: fast,
               container: container, stage: stage, moved: false, onStable: [],
               labelOf: function () { return null; },
               edgeLook: function (e) { return {colour: edgeColourOf(e), width: typeof e.width === "number" ? e.width : 1, order: 0}; },
               edgesChanged: function () {},
               timings: {scriptStart: started, networkReady: null, stable: null}};
  if (fast) {
    data.nodes.forEach(function (n) {
      shapeOf[n.id] = n.shape;
      n.rgShape = n.shape;
      n.shape = "custom";
      n.ctxRenderer = renderNode;
      n.rgLabel = n.label;  // drawn by drawNode when explore.js says so; vis-network would measure each one
      delete n.label;
    });
  }

  state.edgeColourOf = edgeColourOf;  // explore.js's edgeLook too

  function edgeColourOf(e) {
    var c = e.color;
    return typeof c === "string" ? c : (c && c.color) || "#A7B1BC";
  }

  function shapePath(ctx, shape, x, y, r) {
    // vis-network's shapes, the same sizes
    if (shape === "diamond") {
      ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.closePath();
    } else if (shape === "square") {
      ctx.rect(x - r, y - r, 2 * r, 2 * r);
    } else if (shape === "triangle") {
      var s = 2 * r, ir = Math.sqrt(3) / 6 * s, h = Math.sqrt(s * s - r * r);
      ctx.moveTo(x, y - (h - ir)); ctx.lineTo(x + r, y + ir); ctx.lineTo(x - r, y + ir); ctx.closePath();
    } else {
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
  }

  function renderNode(args) {
    // vis-network's custom shape: ``style`` holds the node's colours and size as drawn now (selected
    // and hovered included); vis-network saves and restores the canvas around drawNode
    var ctx = args.ctx, style = args.style, id = args.id, x = args.x, y = args.y;
    var drawn = {
      drawNode: function () {
        var scale = network.getScale();
        ctx.beginPath();
        shapePath(ctx, shapeOf[id], x, y, style.size);
        ctx.fillStyle = style.color;
        ctx.fill();
        var border = style.borderWidth / scale;  // as vis-network: the same width on the screen at any zoom
        if (border > 0) {
          ctx.lineWidth = Math.min(2 * style.size, border);
          ctx.strokeStyle = style.borderColor;
          if (Array.isArray(style.borderDashes)) { ctx.setLineDash(style.borderDashes); }
          ctx.stroke();
        }
      }
    };
    var label = state.labelOf(id);
    if (label) {
      drawn.drawExternalLabel = function () {
        // under the node, with a halo, as vis-network draws a label
        ctx.font = label.size + "px " + label.face;
        ctx.textAlign = "center";
        ctx.textBaseline = "top";
        ctx.lineJoin = "round";
        var top = y + style.size + label.size * 0.15;
        if (label.strokeWidth > 0) {
          ctx.lineWidth = label.strokeWidth;
          ctx.strokeStyle = label.strokeColor;
          ctx.strokeText(label.text, x, top);
        }
        ctx.fillStyle = label.color;
        ctx.fillText(label.text, x, top);
      };
    }
    return drawn;
  }

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, {nodes: nodes, edges: fast ? new vis.DataSet([]) : edges}, data.options);
  state.network = network;
  // One frame for any number of changes made together (a focus changes selection, edges and labels).
  var redrawPending = false;
  state.redrawSoon = function () {
    if (redrawPending) { return; }
    redrawPending = true;
    (window.requestAnimationFrame || setTimeout)(function () { redrawPending = false; network.redraw(); });
  };
  state.nodes = nodes;
  state.edges = edges;
  state.timings.networkReady = now();

  if (fast) {
    var edgeBatches = null;  // [{colour, width, path}], in drawing order; null: to build before the next frame

    var buildEdgeBatches = function () {
      var positions = network.getPositions(), byLook = {}, batches = [];
      for (var i = 0; i < data.edges.length; i++) {
        var e = data.edges[i], a = positions[e.from], b = positions[e.to];
        var look = a && b ? state.edgeLook(e) : null;
        if (!look) { continue; }  // an end hidden by a filter
        var key = look.order + " " + look.colour + " " + look.width;
        var batch = byLook[key];
        if (!batch) { batch = byLook[key] = {colour: look.colour, width: look.width, order: look.order, path: new Path2D()}; batches.push(batch); }
        batch.path.moveTo(a.x, a.y);
        batch.path.lineTo(b.x, b.y);
      }
      // the highlighted (focus, chain) over the rest
      edgeBatches = batches.sort(function (p, q) { return p.order - q.order; });
    };

    network.on("beforeDrawing", function (ctx) {
      if (edgeBatches === null) { buildEdgeBatches(); }
      var scale = network.getScale();
      for (var i = 0; i < edgeBatches.length; i++) {
        ctx.strokeStyle = edgeBatches[i].colour;
        ctx.lineWidth = Math.max(edgeBatches[i].width, 0.3 / scale);  // as vis-network: at least 0.3 px on the screen
        ctx.stroke(edgeBatches[i].path);
      }
    });
    state.edgesChanged = function () { edgeBatches = null; state.redrawSoon(); };
    // a node dragged: its edges follow it
    network.on("dragging", function (p) { if (p.nodes && p.nodes.length) { edgeBatches = null; } });
    network.on("dragEnd", function (p) { if (p.nodes && p.nodes.length) { edgeBatches = null; network.redraw(); } });
  }
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
