/* gxnet map runtime: builds a plan's layers from the compact tables gxnet.maps embeds.
 *
 * The tables sit in a <script type="application/json" id="gx-data"> element (JSON.parse reads
 * it faster than the same data written as JavaScript). Each table is
 * {g: [GeoJSON geometry, ...], c: [column, ...], p: [[value, ...], ...]}: geometries and
 * property rows side by side, so that column names are written once. Features are made once
 * per table and shared by the layers that draw it; one popup handler serves a whole layer;
 * layers that start hidden are built the first time the reader switches them on.
 */
var gx = (function () {
  "use strict";

  var cfg = null;
  var data = null;
  var made = {};
  var siteLayers = {};

  function esc(value) {
    return String(value).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  function features(name, keep) {
    if (!made[name]) {
      var table = data[name], all = new Array(table.g.length);
      for (var i = 0; i < table.g.length; i++) {
        var props = {};
        for (var j = 0; j < table.c.length; j++) props[table.c[j]] = table.p[i][j];
        all[i] = { type: "Feature", geometry: table.g[i], properties: props };
      }
      made[name] = all;
    }
    var chosen = keep ? made[name].filter(function (f) { return keep(f.properties); }) : made[name];
    return { type: "FeatureCollection", features: chosen };
  }

  var Lazy = L.LayerGroup.extend({
    initialize: function (build) {
      L.LayerGroup.prototype.initialize.call(this);
      this._build = build;
    },
    onAdd: function (map) {
      if (this._build) {
        this.addLayer(this._build());
        this._build = null;
      }
      L.LayerGroup.prototype.onAdd.call(this, map);
    }
  });

  function lazy(build) {
    return new Lazy(build);
  }

  function minutes(value) {
    return value === null || value === undefined ? "–" : value.toFixed(1) + " " + cfg.text.minutes;
  }

  function number(value) {
    return value === null || value === undefined ? "–" : Math.round(value).toLocaleString();
  }

  function popupTable(title, rows) {
    var html = "<b>" + esc(title) + "</b><table class=\"gx-popup\">";
    rows.forEach(function (row) {
      html += "<tr><th>" + esc(row[0]) + "</th><td>" + esc(row[1]) + "</td></tr>";
    });
    return html + "</table>";
  }

  function popupOptions() {
    // Popups pan clear of the title and banner, which sit above the map's panes.
    var header = document.querySelector(".gx-header");
    var top = header ? header.getBoundingClientRect().bottom + 10 : 10;
    return { maxWidth: 420, autoPanPaddingTopLeft: L.point(10, top) };
  }

  function layer(collection, options, popup) {
    // One popup for the whole layer, written for the feature clicked.
    return L.geoJSON(collection, options).bindPopup(function (clicked) {
      return popup(clicked.feature.properties);
    }, popupOptions());
  }

  function walkColour(t) {
    if (t === null || t === undefined) return cfg.unreached;
    for (var i = 0; i < cfg.bins.length; i++) if (t < cfg.bins[i]) return cfg.colours[i];
    return cfg.colours[cfg.colours.length - 1];
  }

  function demandPopup(p) {
    var T = cfg.text, sites = data.sites, col = cfg.siteCol;
    var site = p.k === null ? null : sites.p[p.k];
    return popupTable(T.households + " " + number(p.h), [
      [T.township, p.z || "–"],
      [p.u ? T.walk_time : T.ride_time, minutes(p.t)],
      [T.point, site ? site[col.n] + " (" + site[col.i] + ")" : "–"],
      [T.covered, p.c ? T.yes : T.no]
    ]);
  }

  function demandLayer(collection, style) {
    return layer(collection, {
      style: style,
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 6 });
      }
    }, demandPopup);
  }

  function walk() {
    return demandLayer(features("demand"), function (f) {
      var colour = walkColour(f.properties.t);
      return { stroke: false, fillColor: colour, color: colour, fillOpacity: 0.55 };
    });
  }

  function service() {
    return demandLayer(features("demand", function (p) { return p.c; }), function (f) {
      var colour = cfg.palette[f.properties.k % cfg.palette.length];
      return { weight: 0.5, color: colour, fillColor: colour, fillOpacity: 0.45 };
    });
  }

  function uncovered() {
    return demandLayer(features("demand", function (p) { return !p.c; }), function () {
      // An outline only, so that the walk-time colour underneath stays readable.
      return { weight: 1.5, color: cfg.uncovered, opacity: 0.9, fill: true, fillOpacity: 0 };
    });
  }

  function sitePopup(p) {
    var T = cfg.text;
    var unit = p.r === cfg.point_tier ? T.households_unit : T.tonnes_day;
    var capacity = p.k === null ? T.unlimited : number(p.k);
    var ratio = p.k ? " (" + Math.round(100 * p.l / p.k) + "%)" : "";
    var rows = [
      [T.site_id, p.i],
      [T.township, p.z ? p.z + (p.y ? " (" + p.y + ")" : "") : "–"],
      [T.tier, T["tier_" + p.r] || p.r],
      [T.status, T["status_" + p.s] || p.s],
      [T.households_served, number(p.h)],
      [T.load_capacity, number(p.l) + " / " + capacity + " " + unit + ratio]
    ];
    if (p.r === cfg.point_tier) {
      // Urban households walk to their point, rural ones ride: the words follow the majority.
      var walking = p.u === null || p.u === undefined || p.u >= 0.5;
      rows.push(
        [walking ? T.walk_mean : T.ride_mean, minutes(p.w)],
        [walking ? T.walk_p95 : T.ride_p95, minutes(p.q)],
        [T.to_centre, minutes(p.d)]
      );
    } else {
      rows.push([T.points_served, number(p.m)], [T.drive_mean, minutes(p.e)]);
    }
    return popupTable(p.n, rows);
  }

  // Markers keep their full size from zoom 14 in and shrink further out, down to 40 %, so that
  // thousands of points over a whole city leave the walk-time colours visible between them.
  function siteScale(zoom) {
    return Math.max(0.4, 1 - 0.15 * Math.max(0, 14 - zoom));
  }

  function sites(group, style) {
    // Drawn at the size for the zoom they first appear at; resized when the reader zooms.
    var sized = L.extend({}, style, { radius: style.radius * siteScale(cfg.map.getZoom()) });
    var drawn = layer(features("sites", function (p) { return p.g === group; }), {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, sized);
      }
    }, sitePopup);
    function resize() {
      var radius = style.radius * siteScale(cfg.map.getZoom());
      drawn.eachLayer(function (marker) { marker.setRadius(radius); });
    }
    drawn.on("add", function () { cfg.map.on("zoomend", resize); });
    drawn.on("remove", function () { cfg.map.off("zoomend", resize); });
    siteLayers[group] = drawn;
    return drawn;
  }

  function links() {
    return layer(features("links"), {
      style: function () { return { weight: 1.5, color: cfg.link, opacity: 0.7 }; }
    }, function (p) {
      return popupTable(p.a + " → " + p.b, [[cfg.text.to_centre, minutes(p.t)]]);
    });
  }

  function counties() {
    var T = cfg.text;
    return layer(features("counties"), {
      style: function () { return { weight: 2, color: cfg.county, fill: true, fillOpacity: 0 }; }
    }, function (p) {
      return popupTable(p.n, [
        [T.adcode, p.a],
        [T.population, number(p.pop)],
        [T.households, number(p.hh)],
        [T.points, number(p.pts)],
        [T.centres, number(p.ctr)],
        [T.coverage, p.cov === null ? "–" : (100 * p.cov).toFixed(1) + "%"],
        [T.access_mean, minutes(p.wm)],
        [T.access_p95, minutes(p.wp)]
      ]);
    });
  }

  // Names of counties and townships, each shown only where it fits: once the extent it names
  // is wider on screen than the label itself.
  function labels() {
    var group = L.layerGroup(), shown = [];
    features("labels").features.forEach(function (f) {
      var p = f.properties, c = f.geometry.coordinates;
      var tip = L.tooltip({
        permanent: true, direction: "center", interactive: false,
        className: "gx-label gx-label-" + p.k
      }).setLatLng([c[1], c[0]]).setContent(esc(p.n));
      shown.push({ tip: tip, p: p, lat: c[1], lng: c[0], on: false });
    });
    function textWidth(name) {
      var wide = 0;
      for (var i = 0; i < name.length; i++) wide += name.charCodeAt(i) > 0x2e80 ? 13 : 7;
      return wide + cfg.label_margin;
    }
    function update() {
      var map = cfg.map;
      shown.forEach(function (s) {
        var west = map.latLngToContainerPoint([s.lat, s.lng - s.p.w / 2]);
        var east = map.latLngToContainerPoint([s.lat, s.lng + s.p.w / 2]);
        var fits = east.x - west.x >= textWidth(String(s.p.n));
        if (fits && !s.on) group.addLayer(s.tip);
        if (!fits && s.on) group.removeLayer(s.tip);
        s.on = fits;
      });
    }
    group.on("add", function () { update(); cfg.map.on("zoomend", update); });
    group.on("remove", function () { cfg.map.off("zoomend", update); });
    return group;
  }

  // A north arrow and a print button (the scale bar is Leaflet's own control).
  function furniture(map) {
    var north = L.control({ position: "topleft" });
    north.onAdd = function () {
      var div = L.DomUtil.create("div", "gx-north");
      div.title = cfg.text.north;
      div.innerHTML = '<svg viewBox="0 0 24 34" width="24" height="34" aria-hidden="true">' +
        '<polygon points="12,2 20,26 12,21 4,26" fill="#222"/></svg>' +
        '<span>' + esc(cfg.text.north) + "</span>";
      return div;
    };
    north.addTo(map);
    var print = L.control({ position: "topleft" });
    print.onAdd = function () {
      var button = L.DomUtil.create("button", "gx-print");
      button.type = "button";
      button.textContent = cfg.text.print_map;
      L.DomEvent.disableClickPropagation(button);
      L.DomEvent.on(button, "click", function () { window.print(); });
      return button;
    };
    print.addTo(map);
  }

  function changePopup(p) {
    var T = cfg.text, rows = [[T.site_id, p.i], [T["change"], T["change_" + p.c] || p.c]];
    if (p.f) rows.push([T.moved_from, p.f + " (" + number(p.m) + " m)"]);
    if (p.r) rows.push([T.reason, p.r]);
    rows.push([T.households_before, number(p.hb)], [T.households_after, number(p.ha)]);
    return popupTable(p.n || p.i, rows);
  }

  function changes() {
    // Each change is a symbol at its site (a few per plan: markers, not canvas); a move is
    // also the dashed line from the site it replaces.
    var group = L.featureGroup();
    features("changes").features.forEach(function (f) {
      var p = f.properties, style = cfg.changes[p.c], g = f.geometry, at = g.coordinates;
      if (g.type === "LineString") {
        var line = at.map(function (c) { return [c[1], c[0]]; });
        L.polyline(line, { color: style.colour, weight: 3, dashArray: "6 4" }).addTo(group);
        at = at[at.length - 1];
      }
      var icon = L.divIcon({
        className: "gx-change",
        html: '<span class="gx-change-mark" style="background:' + style.colour + '">' +
          esc(style.symbol) + "</span>",
        iconSize: [18, 18]
      });
      L.marker([at[1], at[0]], { icon: icon })
        .bindPopup(changePopup(p), popupOptions()).addTo(group);
    });
    return group;
  }

  function mobile() {
    var T = cfg.text;
    return layer(features("townships", function (p) { return p.m; }), {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, cfg.mobile);
      }
    }, function (p) {
      return popupTable(p.n + " · " + T.mobile, [
        [T.county, p.y],
        [T.households, number(p.h)],
        [T.coverage, p.v === null ? "–" : (100 * p.v).toFixed(1) + "%"],
        [T.points, number(p.p)],
        [T.mobile, p.r]
      ]);
    });
  }

  function legend(map, html) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "gx-legend");
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    control.addTo(map);
  }

  function sitesToFront() {
    // A layer switched on is drawn over the others; sites stay on top, centres uppermost.
    cfg.site_order.forEach(function (group) {
      var l = siteLayers[group];
      if (l && l._map) l.bringToFront();
    });
  }

  function setup(config, dataElementId, map) {
    cfg = config;
    cfg.map = map;
    map.on("overlayadd", sitesToFront);
    data = JSON.parse(document.getElementById(dataElementId).textContent);
    cfg.siteCol = {};
    data.sites.c.forEach(function (name, j) { cfg.siteCol[name] = j; });
    // Credits of the data shown (CC BY and ODbL ask for them wherever the data are shown).
    if (map.attributionControl) {
      cfg.credits.forEach(function (line) { map.attributionControl.addAttribution(esc(line)); });
    }
  }

  return {
    setup: setup, lazy: lazy, walk: walk, service: service, uncovered: uncovered,
    sites: sites, links: links, counties: counties, mobile: mobile, changes: changes,
    legend: legend, labels: labels, furniture: furniture
  };
})();
