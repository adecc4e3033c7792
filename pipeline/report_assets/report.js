/* waqai report: draws the map, the charts and the events table from the embedded JSON.
 * Every piece of data reaches the page through textContent or an SVG attribute set with
 * setAttribute; no data is ever parsed as HTML. Links are made for http(s) URLs only. */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var TABLE_LIMIT = 300;
  var TYPE_COLOURS = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Protests": "#2ca02c",
    "Riots": "#8c564b",
    "Strategic developments": "#1f77b4"
  };
  var DATA = JSON.parse(document.getElementById("waqai-data").textContent);
  var EVENTS = DATA.events;

  function colour(type) {
    return TYPE_COLOURS[type] || "#7f7f7f";
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function svgEl(tag, attrs, parent) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, String(attrs[key]));
    });
    if (parent) parent.appendChild(node);
    return node;
  }

  function svgText(parent, x, y, text, className, anchor) {
    var node = svgEl("text", { x: x, y: y, "class": className || "label" }, parent);
    if (anchor) node.setAttribute("text-anchor", anchor);
    node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function safeHref(url) {
    if (typeof url !== "string" || !/^https?:\/\//i.test(url)) return null;
    try {
      var parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  function fmt(n) {
    return Number(n).toLocaleString("en-US");
  }

  /* ---- filters ---- */

  var controls = {
    from: document.getElementById("filter-from"),
    to: document.getElementById("filter-to"),
    type: document.getElementById("filter-type"),
    admin1: document.getElementById("filter-admin1")
  };

  function distinct(values) {
    var seen = {};
    return values.filter(function (v) {
      if (v === null || v === undefined || seen[v]) return false;
      seen[v] = true;
      return true;
    });
  }

  function fillSelect(select, values) {
    values.forEach(function (value) {
      var option = el("option", value);
      option.value = value;
      select.appendChild(option);
    });
  }

  var dates = EVENTS.map(function (e) { return e.date; }).filter(Boolean).sort();
  var firstDate = dates.length ? dates[0] : "";
  var lastDate = dates.length ? dates[dates.length - 1] : "";

  function setupFilters() {
    var present = distinct(EVENTS.map(function (e) { return e.type; }));
    fillSelect(controls.type, DATA.event_types.filter(function (t) { return present.indexOf(t) >= 0; }));
    var places = distinct(EVENTS.map(function (e) { return e.admin1; }));
    fillSelect(controls.admin1, DATA.governorates.filter(function (g) { return places.indexOf(g) >= 0; }));
    [controls.from, controls.to].forEach(function (input) {
      input.min = firstDate;
      input.max = lastDate;
    });
    controls.from.value = firstDate;
    controls.to.value = lastDate;
    Object.keys(controls).forEach(function (key) {
      controls[key].addEventListener("change", update);
      controls[key].addEventListener("input", update);
    });
    document.getElementById("filter-reset").addEventListener("click", function () {
      controls.from.value = firstDate;
      controls.to.value = lastDate;
      controls.type.value = "";
      controls.admin1.value = "";
      update();
    });
  }

  function filtered() {
    var from = controls.from.value, to = controls.to.value;
    var type = controls.type.value, admin1 = controls.admin1.value;
    var dateFiltered = (from && from !== firstDate) || (to && to !== lastDate);
    return EVENTS.filter(function (e) {
      if (type && e.type !== type) return false;
      if (admin1 && e.admin1 !== admin1) return false;
      if (dateFiltered) {
        if (!e.date) return false;
        if (from && e.date < from) return false;
        if (to && e.date > to) return false;
      }
      return true;
    });
  }

  /* ---- map ---- */

  // The map shows Syria and its margins; events placed elsewhere are counted, not drawn.
  var EXTENT = { minLon: 35.2, maxLon: 42.6, minLat: 32.0, maxLat: 37.6 };

  function onMap(e) {
    return e.lat !== null && e.lon !== null && e.lon >= EXTENT.minLon && e.lon <= EXTENT.maxLon &&
      e.lat >= EXTENT.minLat && e.lat <= EXTENT.maxLat;
  }

  function drawMap(events) {
    var svg = document.getElementById("map");
    clear(svg);
    var outline = DATA.outline;
    var located = events.filter(onMap);
    var minLon = EXTENT.minLon, maxLon = EXTENT.maxLon, minLat = EXTENT.minLat, maxLat = EXTENT.maxLat;
    var kx = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
    var width = 640, scale = width / ((maxLon - minLon) * kx);
    var height = Math.round((maxLat - minLat) * scale);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    function x(lon) { return ((lon - minLon) * kx * scale).toFixed(1); }
    function y(lat) { return ((maxLat - lat) * scale).toFixed(1); }
    svgEl("polygon", {
      "class": "country",
      points: outline.map(function (p) { return x(p[0]) + "," + y(p[1]); }).join(" ")
    }, svg);
    Object.keys(DATA.labels).forEach(function (name) {
      var p = DATA.labels[name];
      svgText(svg, x(p[0]), y(p[1]), name, "gov-label");
    });
    var byToll = located.slice().sort(function (a, b) { return b.killed - a.killed; });
    var layer = svgEl("g", { "class": "points" }, svg);
    byToll.forEach(function (e) {
      var r = Math.min(2.5 + 1.8 * Math.sqrt(e.killed), 16);
      var point = svgEl("circle", {
        "class": "point", cx: x(e.lon), cy: y(e.lat), r: r.toFixed(1), fill: colour(e.type),
        "data-event": e.id
      }, layer);
      var tip = svgEl("title", {}, point);
      tip.textContent = (e.date || "undated") + " · " + e.sub + " · " + (e.location || "") +
        (e.admin1 ? ", " + e.admin1 : "") + " · killed " + e.killed;
      point.addEventListener("click", function () {
        if (e.admin1) {
          controls.admin1.value = e.admin1;
          update();
        }
      });
    });
    var note = document.getElementById("map-note");
    var unplaced = events.filter(function (e) { return e.lat === null || e.lon === null; }).length;
    var outside = events.length - located.length - unplaced;
    note.textContent = fmt(located.length) + " events on the map" +
      (unplaced ? "; " + fmt(unplaced) + " without coordinates" : "") +
      (outside ? "; " + fmt(outside) + " placed outside the map's area" : "") +
      ". Point area grows with fatalities; click a point to filter on its governorate. " +
      "The outline is approximate.";
    drawLegend(events);
  }

  function drawLegend(events) {
    var legend = document.getElementById("legend");
    clear(legend);
    DATA.event_types.forEach(function (type) {
      var n = events.filter(function (e) { return e.type === type; }).length;
      if (!n) return;
      var item = el("li");
      var swatch = el("span", null, "swatch");
      swatch.style.backgroundColor = colour(type);
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(type + " (" + fmt(n) + ")"));
      legend.appendChild(item);
    });
  }

  /* ---- timeline: events per week (per month over long spans), stacked by type ---- */

  var MAX_WEEKS = 104;

  function weekStart(iso) {
    var d = new Date(iso + "T00:00:00Z");
    var shift = (d.getUTCDay() + 6) % 7; // Monday starts the week
    d.setUTCDate(d.getUTCDate() - shift);
    return d.getTime();
  }

  function monthStart(iso) {
    return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, 1);
  }

  function nextBin(key, monthly) {
    var d = new Date(key);
    if (monthly) return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    return key + 7 * 86400000;
  }

  function drawTimeline(events) {
    var svg = document.getElementById("timeline");
    clear(svg);
    var width = 640, height = 240, left = 36, right = 10, top = 10, bottom = 28;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var dated = events.filter(function (e) { return e.date; });
    var note = dated.length < events.length ? fmt(events.length - dated.length) + " undated events are not shown. " : "";
    var title = document.getElementById("timeline-title");
    if (!dated.length) {
      title.textContent = "Events per week";
      document.getElementById("timeline-note").textContent = note;
      svgText(svg, width / 2, height / 2, "No dated events", "empty");
      return;
    }
    var days = dated.map(function (e) { return e.date; }).sort();
    var monthly = (weekStart(days[days.length - 1]) - weekStart(days[0])) / (7 * 86400000) > MAX_WEEKS;
    var binOf = monthly ? monthStart : weekStart;
    title.textContent = monthly ? "Events per month" : "Events per week";
    document.getElementById("timeline-note").textContent = note +
      (monthly ? "The dates span more than two years: bars are months; narrow the dates to see weeks." : "");
    var bins = {};
    dated.forEach(function (e) {
      var key = binOf(e.date);
      bins[key] = bins[key] || {};
      bins[key][e.type] = (bins[key][e.type] || 0) + 1;
    });
    var keys = [];
    for (var k = binOf(days[0]), end = binOf(days[days.length - 1]); k <= end; k = nextBin(k, monthly)) {
      keys.push(k);
    }
    var max = 1;
    keys.forEach(function (key) {
      var total = 0, counts = bins[key] || {};
      Object.keys(counts).forEach(function (t) { total += counts[t]; });
      if (total > max) max = total;
    });
    var plotW = width - left - right, plotH = height - top - bottom;
    var step = plotW / keys.length, barW = Math.max(step * 0.8, 1);
    [0, 0.5, 1].forEach(function (f) {
      var value = Math.round(max * f);
      var yy = top + plotH - (value / max) * plotH;
      svgEl("line", { "class": "grid", x1: left, x2: width - right, y1: yy, y2: yy }, svg);
      svgText(svg, left - 4, yy + 3, value, "tick", "end");
    });
    svgEl("line", { "class": "axis", x1: left, x2: width - right, y1: top + plotH, y2: top + plotH }, svg);
    var bars = svgEl("g", { "class": "bars" }, svg);
    var lastLabel = null, lastLabelX = -Infinity;
    keys.forEach(function (key, i) {
      var counts = bins[key] || {};
      var base = top + plotH;
      var x0 = left + i * step + (step - barW) / 2;
      var day = new Date(key).toISOString().slice(0, 10);
      DATA.event_types.forEach(function (type) {
        var n = counts[type] || 0;
        if (!n) return;
        var h = (n / max) * plotH;
        base -= h;
        var rect = svgEl("rect", {
          x: x0.toFixed(1), y: base.toFixed(1), width: barW.toFixed(1), height: h.toFixed(1),
          fill: colour(type)
        }, bars);
        var tip = svgEl("title", {}, rect);
        tip.textContent = (monthly ? day.slice(0, 7) : "week of " + day) + ": " + n + " " + type;
      });
      var label = day.slice(0, 7);
      if (label !== lastLabel && x0 - lastLabelX >= 52) {
        svgText(svg, x0, height - 10, label, "tick");
        lastLabelX = x0;
      }
      lastLabel = label;
    });
  }

  /* ---- horizontal bar charts ---- */

  function drawBars(svg, rows, options) {
    clear(svg);
    var width = 640, labelW = options.labelWidth || 200, rowH = 22, top = 4;
    var height = Math.max(rows.length, 1) * rowH + top * 2;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    if (!rows.length) {
      svgText(svg, width / 2, height / 2 + 4, options.empty, "empty");
      return;
    }
    var max = Math.max.apply(null, rows.map(function (r) {
      return r.parts.reduce(function (s, p) { return s + p.value; }, 0);
    })) || 1;
    var plotW = width - labelW - 110; // room for the value after the longest bar
    rows.forEach(function (row, i) {
      var y = top + i * rowH;
      var label = svgText(svg, labelW - 6, y + 15, row.label, "label", "end");
      var tip = svgEl("title", {}, label);
      tip.textContent = row.label;
      var x = labelW, total = 0;
      row.parts.forEach(function (part) {
        var w = (part.value / max) * plotW;
        if (w > 0) {
          var rect = svgEl("rect", {
            "class": part.className, x: x.toFixed(1), y: y + 3, width: Math.max(w, 1).toFixed(1),
            height: rowH - 7
          }, svg);
          var partTip = svgEl("title", {}, rect);
          partTip.textContent = row.label + ": " + fmt(part.value) + " " + part.name;
        }
        x += w;
        total += part.value;
      });
      svgText(svg, x + 5, y + 15, row.text || fmt(total), "tick");
    });
  }

  function shorten(text, n) {
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }

  function drawTolls(events) {
    var sums = {};
    events.forEach(function (e) {
      var key = e.admin1 || "(no governorate)";
      sums[key] = sums[key] || { killed: 0, injured: 0 };
      sums[key].killed += e.killed;
      sums[key].injured += e.injured;
    });
    var rows = Object.keys(sums).map(function (name) {
      return {
        label: name,
        text: fmt(sums[name].killed) + " / " + fmt(sums[name].injured),
        parts: [
          { name: "killed", value: sums[name].killed, className: "bar-killed" },
          { name: "injured", value: sums[name].injured, className: "bar-injured" }
        ]
      };
    }).filter(function (r) { return r.parts[0].value + r.parts[1].value > 0; });
    rows.sort(function (a, b) {
      return b.parts[0].value - a.parts[0].value || b.parts[1].value - a.parts[1].value ||
        (a.label < b.label ? -1 : 1);
    });
    drawBars(document.getElementById("tolls"), rows, { labelWidth: 130, empty: "No reported tolls" });
  }

  function drawActors(events) {
    var counts = {};
    events.forEach(function (e) {
      distinct([e.actor1, e.actor2]).forEach(function (actor) {
        counts[actor] = (counts[actor] || 0) + 1;
      });
    });
    var rows = Object.keys(counts).map(function (name) {
      return { label: shorten(name, 34), parts: [{ name: "events", value: counts[name], className: "bar" }] };
    });
    rows.sort(function (a, b) { return b.parts[0].value - a.parts[0].value || (a.label < b.label ? -1 : 1); });
    drawBars(document.getElementById("actors"), rows.slice(0, 10), { labelWidth: 230, empty: "No named actors" });
  }

  /* ---- events table ---- */

  function cell(row, text, className) {
    var td = el("td", text, className);
    row.appendChild(td);
    return td;
  }

  function arabic(node) {
    node.setAttribute("dir", "rtl");
    node.setAttribute("lang", "ar");
    return node;
  }

  function drawTable(events) {
    var body = document.querySelector("#events-table tbody");
    clear(body);
    events.slice(0, TABLE_LIMIT).forEach(function (e) {
      var tr = el("tr");
      tr.setAttribute("data-event", e.id);
      tr.setAttribute("data-type", e.type);
      cell(tr, e.date || "undated");
      var what = cell(tr, null);
      var dot = el("span", null, "type-dot");
      dot.style.backgroundColor = colour(e.type);
      what.appendChild(dot);
      what.appendChild(document.createTextNode(e.sub));
      what.appendChild(el("span", e.type, "sub"));
      var where = cell(tr, e.location || "");
      if (e.admin1) where.appendChild(el("span", e.admin1, "sub"));
      var who = cell(tr, e.actor1 || "—");
      if (e.actor2) who.appendChild(el("span", "vs " + e.actor2, "sub"));
      cell(tr, fmt(e.killed), "num");
      cell(tr, fmt(e.injured), "num");
      arabic(cell(tr, e.sentence, "evidence"));
      var source = cell(tr, null);
      var label = e.title || e.source || "article";
      var href = safeHref(e.url);
      var holder;
      if (href) {
        holder = el("a", label);
        holder.href = href;
        holder.rel = "noopener noreferrer";
        holder.target = "_blank";
      } else {
        holder = el("span", label);
      }
      holder.setAttribute("dir", "auto");
      source.appendChild(holder);
      if (e.source && e.title) source.appendChild(el("span", e.source, "sub"));
      body.appendChild(tr);
    });
    var shown = Math.min(events.length, TABLE_LIMIT);
    document.getElementById("table-count").textContent = events.length > shown
      ? "Showing the " + fmt(shown) + " most recent of " + fmt(events.length) + " events; narrow the filters to see others."
      : fmt(events.length) + " events, most recent first.";
  }

  /* ---- page ---- */

  function summary() {
    var killed = EVENTS.reduce(function (s, e) { return s + e.killed; }, 0);
    var articles = distinct(EVENTS.map(function (e) { return e.article; })).length;
    document.getElementById("summary").textContent = fmt(EVENTS.length) + " events from " +
      fmt(articles) + " articles" + (firstDate ? ", " + firstDate + " to " + lastDate : "") +
      "; " + fmt(killed) + " fatalities reported.";
    document.getElementById("footer").textContent = "Generated " + DATA.generated +
      " by waqai " + DATA.version + ". Fatalities are waqai's conservative counts; " +
      "evidence is the article sentence each event was read from.";
  }

  function update() {
    var events = filtered();
    document.getElementById("filter-count").textContent =
      fmt(events.length) + " of " + fmt(EVENTS.length) + " events";
    drawMap(events);
    drawTimeline(events);
    drawTolls(events);
    drawActors(events);
    drawTable(events);
  }

  setupFilters();
  summary();
  update();
})();
