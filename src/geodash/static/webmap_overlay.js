// The map's overlay (geodash.webmap): legend, markers, labels, grouping, fit and position sync.
// Called as (map, outline, cfg): the Leaflet map, the chosen EPCI's outline layer (or null) and the
// view's data (geodash.webmap.WebMap.data), which reach it as JSON values from the page.
(function(map, outline, cfg) {
  window.gdMap = map;  // lets tests and page scripts read the view
  var box = map.getContainer();
  var projector = cfg.projector;
  // The page keeps one map and draws each view in it (static/mapview.js): everything this script
  // adds outside the map's layers is undone by the steps kept on the map (map.gdCleanup) before the next view.
  var cleanup = map.gdCleanup = map.gdCleanup || [];
  function on(target, events, fn) {
    target.on(events, fn);
    cleanup.push(function() { target.off(events, fn); });
  }
  function later(fn, ms) {
    var t = setTimeout(fn, ms);
    cleanup.push(function() { clearTimeout(t); });
  }
  function control(c) {
    c.addTo(map);
    cleanup.push(function() { map.removeControl(c); });
  }
  var css = document.createElement('style');
  css.textContent = cfg.css;
  document.head.appendChild(css);
  cleanup.push(function() { css.remove(); box.classList.remove('gd-projector', 'gd-hide-labels'); });
  if (cfg.center) {
    map.setView(cfg.center, cfg.zoom, {animate: false});
  }
  var legendDiv = null, keyDiv = null, column = null, groupedAt = null;
  if (cfg.legend) {
    // The legend: a header with its toggle button (key « L »), then its body.
    legendDiv = L.DomUtil.create('div', 'gd-legend');
    legendDiv.setAttribute('id', 'gd-legend');
    // A narrow screen (a phone) shows the map: the legend opens on demand (its « L » button).
    if (!projector && box.clientWidth < 600) { legendDiv.classList.add('gd-collapsed'); }
    legendDiv.innerHTML = '<div class="gd-legend-head"><span class="gd-legend-name">Légende</span>' +
      '<button type="button" class="gd-toggle" id="gd-legend-toggle" title="Afficher ou masquer la légende (touche L)">' +
      'L</button></div>';
    var div = L.DomUtil.create('div', 'gd-legend-body', legendDiv);
    div.setAttribute('id', 'gd-legend-body');
    var toggle = legendDiv.querySelector('#gd-legend-toggle');
    toggle.setAttribute('aria-controls', 'gd-legend-body');
    toggle.setAttribute('aria-expanded', String(!legendDiv.classList.contains('gd-collapsed')));
    div.innerHTML = cfg.legend;
    L.DomEvent.disableScrollPropagation(legendDiv);
    L.DomEvent.disableClickPropagation(legendDiv);
    if (projector) {
      // One column on the right: legend, key to the numbered markers, sources.
      box.classList.add('gd-projector');
      column = L.DomUtil.create('div', 'gd-column', box);
      cleanup.push(function() { column.remove(); });
      column.appendChild(legendDiv);
      keyDiv = L.DomUtil.create('div', 'gd-key', column);
      keyDiv.setAttribute('id', 'gd-key');
      var credit = L.DomUtil.create('div', 'gd-credit', column);
      credit.innerHTML = cfg.credit;
      L.DomEvent.disableScrollPropagation(column);
      L.DomEvent.disableClickPropagation(column);
    } else {
      var legendControl = L.control({position: 'bottomright'});
      legendControl.onAdd = function() { return legendDiv; };
      control(legendControl);
    }
    window.gdToggleLegend = function() {
      legendDiv.classList.toggle('gd-collapsed');
      toggle.setAttribute('aria-expanded', String(!legendDiv.classList.contains('gd-collapsed')));
      groupedAt = null;  // the key's room changed: group again
      fit();
      update();
    };
    toggle.addEventListener('click', window.gdToggleLegend);
    // A one-letter key acts only where it cannot be typed text (WCAG 2.1.4): on the map, or anywhere but a
    // field on the projector's screen, which is the map.
    var onKey = function(e) {
      if (e.target.closest && e.target.closest('input, textarea, select, [contenteditable]')) { return; }
      if (!projector && !box.contains(e.target)) { return; }
      if ((e.key === 'l' || e.key === 'L') && !e.ctrlKey && !e.metaKey && !e.altKey) { window.gdToggleLegend(); }
    };
    document.addEventListener('keydown', onKey);
    cleanup.push(function() { document.removeEventListener('keydown', onKey); });
  }
  var scale = L.control.scale({imperial: false, position: 'bottomleft'});
  control(scale);
  // Names of the EPCI (département view): one list, drawn as plain text markers (already escaped).
  // They join the decluttering after the project labels (data-rank), largest first.
  var areaLabels = cfg.area_labels.map(function(a, i) {
    return L.marker([a.y, a.x], {icon: L.divIcon({className: 'gd-epci-label',
                                             html: '<div class="gd-label" data-rank="' + (1000 + i) + '">' + a.t + '</div>',
                                             iconSize: [1, 1]}), keyboard: false, title: a.n}).addTo(map);
  });
  var size = cfg.size;
  var features = cfg.projects;
  var layer = L.layerGroup().addTo(map), clusters = L.layerGroup().addTo(map);
  var markers = features.map(function(f) {
    var icon = L.divIcon({className: 'gd-marker gd-theme-' + f.k, html: f.h,
                          iconSize: [size, size], iconAnchor: [size / 2, size / 2]});
    var mk = L.marker([f.y, f.x], {icon: icon, title: f.t, keyboard: true, riseOnHover: true});
    mk.bindPopup(f.p, {maxWidth: 380, maxHeight: 320});
    mk.feature = f;
    return mk;
  });
  // The space the map keeps free on the right: the projector's column, or the legend box.
  function rightPad() {
    var el = column || legendDiv;
    return el ? Math.min(el.getBoundingClientRect().width + 16, box.clientWidth / 2) : 20;
  }
  // The room kept clear of the territory for the legend (bottom-right over the map): a column on its
  // right or a strip under it, whichever leaves the territory larger; when neither leaves it half its
  // size (a narrow map with its legend open), the legend is folded to its « L » button first.
  function clearance() {
    if (column || !legendDiv || !bounds) { return [rightPad(), 16]; }
    var a = map.latLngToContainerPoint(L.latLng(bounds[1][0], bounds[0][1]));
    var b = map.latLngToContainerPoint(L.latLng(bounds[0][0], bounds[1][1]));
    var tw = Math.max(1, Math.abs(b.x - a.x)), th = Math.max(1, Math.abs(b.y - a.y));
    var W = box.clientWidth, H = box.clientHeight;
    function scale(right, bottom) { return Math.min((W - 16 - right) / tw, (H - 16 - bottom) / th); }
    function best() {
      var r = legendDiv.getBoundingClientRect();
      var beside = [r.width + 16, 16], under = [16, r.height + 16];
      var s1 = scale(beside[0], beside[1]), s2 = scale(under[0], under[1]);
      return s2 > s1 ? {pad: under, scale: s2} : {pad: beside, scale: s1};
    }
    var choice = best();
    if (choice.scale < 0.5 * scale(16, 16) && !legendDiv.classList.contains('gd-collapsed')) {
      legendDiv.classList.add('gd-collapsed');
      choice = best();
    }
    return choice.pad;
  }
  var bounds = cfg.fit;
  // The map follows its size (refitted) until the visitor moves it; zooms before the view has
  // settled (the component sizing the map) are not the visitor's.
  var autoFit = bounds !== null, fitting = false, settled = false;
  function fit() {
    // Not while the map has no size (the page is being drawn again): it is fitted when it gets one back.
    if (!autoFit || box.clientWidth < 60 || box.clientHeight < 60) { return; }
    fitting = true;
    map.fitBounds(bounds, {paddingTopLeft: [16, 16], paddingBottomRight: clearance(), animate: false});
    fitting = false;
  }
  on(map, 'dragstart', function() { if (settled) { autoFit = false; } });
  on(map, 'zoomstart', function() { if (!fitting && settled) { autoFit = false; } });
  // Markers that would overlap are first spread apart (at most two markers' sizes from their place,
  // a thin line joins them to it); those that still overlap are grouped under the first (largest
  // amount) of them: a disc with their count, which zooms in on them when clicked. Zooming in
  // splits the groups. ``radius`` above a marker's size groups more (the projector's key must fit).
  var leaders = L.layerGroup().addTo(map);
  // One function for every view of the frame (window.gdSpread): the browser optimises it once
  // instead of running each view's fresh copy slowly.
  var spread = window.gdSpread = window.gdSpread || function(pts, gap, most) {
    var pos = pts.map(function(p) { return [p.x, p.y]; });
    for (var it = 0; it < 80; it++) {
      var moved = false;
      for (var i = 0; i < pos.length; i++) {
        for (var j = i + 1; j < pos.length; j++) {
          var dx = pos[j][0] - pos[i][0], dy = pos[j][1] - pos[i][1];
          if (Math.max(Math.abs(dx), Math.abs(dy)) >= gap) { continue; }
          if (dx === 0 && dy === 0) { dx = (j % 2 ? 1 : -1) * 0.5; dy = 0.25; }
          var ox = gap - Math.abs(dx), oy = gap - Math.abs(dy);
          if (ox <= oy) {
            pos[i][0] -= Math.sign(dx) * ox / 2; pos[j][0] += Math.sign(dx) * ox / 2;
          } else {
            pos[i][1] -= Math.sign(dy) * oy / 2; pos[j][1] += Math.sign(dy) * oy / 2;
          }
          moved = true;
        }
      }
      pos.forEach(function(q, k) {
        q[0] = Math.min(Math.max(q[0], pts[k].x - most), pts[k].x + most);
        q[1] = Math.min(Math.max(q[1], pts[k].y - most), pts[k].y + most);
      });
      if (!moved) { break; }
    }
    return pos;
  };
  function group(radius) {
    layer.clearLayers();
    clusters.clearLayers();
    leaders.clearLayers();
    var home = markers.map(function(m) { return L.latLng(m.feature.y, m.feature.x); });
    var pts = home.map(function(h) { return map.latLngToContainerPoint(h); });
    var pos = radius <= size + 2 ? spread(pts, size + 2, size * 3) : pts.map(function(p) { return [p.x, p.y]; });
    var taken = markers.map(function() { return false; });
    var order = markers.map(function(m, i) { return i; });
    order.sort(function(a, b) { return markers[a].feature.r - markers[b].feature.r; });
    order.forEach(function(i) {
      if (taken[i]) { return; }
      taken[i] = true;
      var members = [i];
      order.forEach(function(j) {
        if (!taken[j] && Math.max(Math.abs(pos[j][0] - pos[i][0]), Math.abs(pos[j][1] - pos[i][1])) < radius) {
          taken[j] = true;
          members.push(j);
        }
      });
      var at = map.containerPointToLatLng(L.point(pos[i][0], pos[i][1]));
      if (members.length === 1) {
        markers[i].setLatLng(at);
        if (Math.abs(pos[i][0] - pts[i].x) + Math.abs(pos[i][1] - pts[i].y) > 2) {
          leaders.addLayer(L.polyline([home[i], at], {color: '#444444', weight: 1.5, interactive: false}));
        }
        layer.addLayer(markers[i]);
        return;
      }
      var latlngs = members.map(function(k) { return home[k]; });
      var nums = members.map(function(k) { return markers[k].feature.n; }).sort(function(a, b) { return a - b; });
      var c = L.marker(at, {
        icon: L.divIcon({className: 'gd-cluster', html: '<div>×' + members.length + '</div>',
                         iconSize: [size, size], iconAnchor: [size / 2, size / 2]}),
        title: members.length + ' projets proches (n° ' + nums.join(', ') + ') : cliquer pour zoomer', keyboard: true});
      c.gdMembers = nums;
      c.on('click', function() {
        autoFit = false;
        map.fitBounds(L.latLngBounds(latlngs), {paddingTopLeft: [40, 40], paddingBottomRight: [rightPad() + 40, 40],
                                                 maxZoom: map.getMaxZoom()});
      });
      clusters.addLayer(c);
    });
  }
  // Declutter: below the label zoom hide all labels; above, hide any label that would overlap
  // one already shown (labels are ranked by amount). Each label is measured once; its candidate
  // places are computed from its marker's position and the offsets of webmap_overlay.css.fmt
  // (gap = the CSS "marker" offset, far = its "far" one), so that placing labels reads the page
  // layout once instead of once per candidate.
  var gap = cfg.label_gap, far = cfg.label_far;
  // Each label tries the right of its marker, then the left, then above and below; if all are
  // taken it is hidden (its number stays on the marker and, on the projector, in the key).
  // [classes, x of the label's left edge, y of its top edge] in the marker box (size x size), w x h label.
  var places = [
    ['', function(w) { return gap; }, function(h) { return -2; }],
    ['gd-left', function(w) { return size - gap - w; }, function(h) { return -2; }],
    ['gd-above', function(w) { return size / 2 - w / 2; }, function(h) { return size - gap - h; }],
    ['gd-below', function(w) { return size / 2 - w / 2; }, function(h) { return gap; }],
    ['gd-above gd-right-up', function(w) { return gap; }, function(h) { return size - gap - h; }],
    ['gd-below gd-right-up', function(w) { return gap; }, function(h) { return gap; }],
    ['gd-above gd-left-up', function(w) { return size - gap - w; }, function(h) { return size - gap - h; }],
    ['gd-below gd-left-up', function(w) { return size - gap - w; }, function(h) { return gap; }],
    ['gd-far', function(w) { return far; }, function(h) { return -2; }],
    ['gd-left gd-far', function(w) { return size - far - w; }, function(h) { return -2; }],
    ['gd-above gd-far', function(w) { return size / 2 - w / 2; }, function(h) { return size - far - h; }],
    ['gd-below gd-far', function(w) { return size / 2 - w / 2; }, function(h) { return far; }],
    ['gd-above gd-right-up gd-far', function(w) { return gap; }, function(h) { return size - far - h; }],
    ['gd-below gd-right-up gd-far', function(w) { return gap; }, function(h) { return far; }],
    ['gd-above gd-left-up gd-far', function(w) { return size - gap - w; }, function(h) { return size - far - h; }],
    ['gd-below gd-left-up gd-far', function(w) { return size - gap - w; }, function(h) { return far; }]
  ];
  function labelSize(el) {
    if (!el.gdSize) { el.gdSize = [el.offsetWidth, el.offsetHeight]; }
    return el.gdSize;
  }
  function declutter() {
    box.classList.toggle('gd-hide-labels', map.getZoom() < cfg.label_min_zoom);
    var width = box.clientWidth, height = box.clientHeight, origin = box.getBoundingClientRect();
    var shown = [], items = [];
    // Obstacles: every marker and group disc, the legend, the key, the projector's column, the zoom buttons
    // and the scale (a label under them would be cut).
    layer.eachLayer(function(m) {
      var p = map.latLngToContainerPoint(m.getLatLng()), el = m.getElement();
      var label = el && el.querySelector('.gd-label');
      shown.push([p.x - size / 2, p.y - size / 2, p.x + size / 2, p.y + size / 2]);
      if (label) { items.push({el: label, x: p.x - size / 2, y: p.y - size / 2, rank: +label.dataset.rank, marker: true}); }
    });
    clusters.eachLayer(function(c) {
      var p = map.latLngToContainerPoint(c.getLatLng());
      shown.push([p.x - size / 2, p.y - size / 2, p.x + size / 2, p.y + size / 2]);
    });
    areaLabels.forEach(function(a) {
      var el = a.getElement() && a.getElement().querySelector('.gd-label');
      if (el) {
        var p = map.latLngToContainerPoint(a.getLatLng());
        items.push({el: el, x: p.x, y: p.y, rank: +el.dataset.rank, marker: false});
      }
    });
    [legendDiv, keyDiv, column, map.zoomControl && map.zoomControl.getContainer(), scale.getContainer()].forEach(function(el) {
      if (!el) { return; }
      var r = el.getBoundingClientRect();
      if (r.width > 0) { shown.push([r.left - origin.left, r.top - origin.top, r.right - origin.left, r.bottom - origin.top]); }
    });
    items.forEach(function(it) { it.size = labelSize(it.el); });  // all reads before any write
    items.sort(function(a, b) { return a.rank - b.rank; });
    function free(r) {
      if (r[0] < 0 || r[2] > width || r[1] < 0 || r[3] > height) { return false; }
      return !shown.some(function(s) { return !(r[2] < s[0] || r[0] > s[2] || r[3] < s[1] || r[1] > s[3]); });
    }
    items.forEach(function(it) {
      var w = it.size[0], h = it.size[1], chosen = null;
      // An EPCI name is centred on its point (its CSS ignores the places): shown where it is free.
      var candidates = it.marker ? places : [['', function() { return -w / 2; }, function() { return -h / 2; }]];
      for (var k = 0; k < candidates.length && chosen === null; k++) {
        var x = it.x + candidates[k][1](w), y = it.y + candidates[k][2](h), r = [x, y, x + w, y + h];
        if (free(r)) { shown.push(r); chosen = candidates[k][0]; }
      }
      var cls = 'gd-label' + (chosen === null ? ' gd-off' : (chosen ? ' ' + chosen : ''));
      if (it.el.className !== cls) { it.el.className = cls; }
    });
  }
  // The key (projector): every numbered marker on screen whose label is not drawn, by number.
  function fillKey() {
    if (!keyDiv) { return true; }
    var view = map.getBounds(), rows = [];
    layer.eachLayer(function(m) {
      var label = m.getElement() && m.getElement().querySelector('.gd-label');
      var labelShown = label && !label.classList.contains('gd-off') && !box.classList.contains('gd-hide-labels');
      if (view.contains(m.getLatLng()) && !labelShown) { rows.push(m.feature); }
    });
    rows.sort(function(a, b) { return a.n - b.n; });
    var grouped = clusters.getLayers().length;
    keyDiv.innerHTML = rows.length || grouped ? '<h5>Projets numérotés</h5><ol>' + rows.map(function(f) {
      return '<li data-n="' + f.n + '"><b>' + f.n + '</b> ' + f.l + '</li>';
    }).join('') + (grouped ? '<li class="gd-key-cluster"><b>×n</b> projets proches : cliquer ou zoomer</li>' : '') + '</ol>' : '';
    return keyDiv.scrollHeight <= keyDiv.clientHeight + 1;
  }
  // Group, place the labels and fill the key; on the projector the groups widen until the key fits.
  // A pan keeps the groups (they depend on the zoom and the map's size only): the markers stay in place,
  // an open popup with them; only the labels and the key follow the view.
  var updating = false;
  function update() {
    if (updating) { return; }
    updating = true;
    var at = map.getZoom() + ':' + box.clientWidth + 'x' + box.clientHeight;
    if (at === groupedAt) {
      declutter();
      fillKey();
    } else {
      var radius = size + 2;
      for (var tries = 0; tries < 16; tries++) {
        group(radius);
        declutter();
        if (fillKey()) { break; }
        radius *= 1.2;
      }
      groupedAt = at;
    }
    updating = false;
  }
  // Leaflet ends every zoom with a move ('zoomend' then 'moveend'): one update per change of view.
  on(map, 'moveend', update);
  on(map, 'resize', function() { fit(); update(); });
  window.gdUpdate = update;
  // The chosen EPCI's outline in the frame's pixels (tests check the legend keeps clear of it).
  window.gdOutline = function() {
    var rings = [];
    if (!outline) { return rings; }
    outline.eachLayer(function(l) {
      var ll = l.getLatLngs();
      (function walk(a) {
        if (a.length && a[0] && a[0].lat !== undefined) {
          rings.push(a.map(function(p) { var q = map.latLngToContainerPoint(p); return [q.x, q.y]; }));
        } else { a.forEach(walk); }
      })(ll);
    });
    return rings;
  };
  // Every view is a link: keep lat/lng/z of the page URL in step with the map, without a rerun.
  // A map fitted to its territory leaves no position in the link (the link fits it on any screen);
  // a position the visitor chose is written there.
  function syncUrl() {
    try {
      var url = new URL(window.location.href), c = map.getCenter();
      if (autoFit) {
        ['lat', 'lng', 'z'].forEach(function(k) { url.searchParams.delete(k); });
      } else {
        url.searchParams.set('lat', c.lat.toFixed(4));
        url.searchParams.set('lng', c.lng.toFixed(4));
        url.searchParams.set('z', String(Math.round(map.getZoom() * 100) / 100));
      }
      window.history.replaceState(window.history.state, '', url.toString());
    } catch (e) { /* a page that forbids it */ }
  }
  // The position also survives the page's own reruns (a filter change redraws the map): it is kept
  // per EPCI and mode for this browser tab.
  var viewKey = 'gd-view:' + cfg.view_key;
  function remember() {
    try {
      var c = map.getCenter();
      sessionStorage.setItem(viewKey, JSON.stringify([c.lat, c.lng, map.getZoom()]));
    } catch (e) {}
  }
  fit();
  later(function() {
    map.invalidateSize();
    fit();
    settled = true;
    if (cfg.restore) {
      try {
        var v = JSON.parse(sessionStorage.getItem(viewKey) || 'null');
        if (v) { autoFit = false; map.setView([v[0], v[1]], v[2], {animate: false}); syncUrl(); }
      } catch (e) {}
    }
    update();
    syncUrl();  // the link says this view's position (not the previous view's, which a resize may have written)
    on(map, 'moveend', function() { syncUrl(); remember(); });
    // Readiness mark for tests and scripts: the view is final and the map follows its position.
    box.setAttribute('data-gd-settled', '1');
  }, window.gdViews ? 50 : 600);  // the frame's first view: after the component has sized its frame
  if (!window.gdViews) { later(update, 50); }  // the first view: once the frame has its size
  window.gdViews = (window.gdViews || 0) + 1;
  box.setAttribute('data-gd-ready', String(features.length));
})
