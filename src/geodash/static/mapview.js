// The page's map (geodash.pages.mapview): one Leaflet map per component instance, kept across the
// page's runs; each run hands it the view to draw (geodash.webmap.WebMap.data), which it draws once.
// In projector mode the map fills the screen under its own bar: the territory's name between the
// « Précédent » / « Suivant » buttons, which the arrow keys (a presenter's remote) press too.
// A territory chosen elsewhere on the page (the sidebar's list: static/territory.js, an event
// 'gd-territory' on window), by the projector's buttons or by a click on the département's map is drawn
// at once when its view is among the run's `ahead` views (published as static files, geodash.assets):
// fetched and drawn while the page runs again; the run then hands the same view, which costs nothing.
// A territory chosen in the list reaches the page through the map (data.chooses): the list's event is
// cancelled and the map's trigger 'chosen' sent instead, so that the page part holding the map runs again,
// not the sidebar. A run whose view was offered ahead sends its address only (data.url, data.view empty):
// drawn already, or fetched then. The map announces the territory it shows ('gd-territory-shown' on
// window), which the list then shows too (the projector's buttons change it without the sidebar's run).
// The module is prefixed by the overlay's function (static/webmap_overlay.js) as `overlay`.
// Leaflet is served by the app itself (static/leaflet, see geodash.assets): no CDN.

const states = new WeakMap(); // component root -> {map, key, latest, trigger}

function leaflet(base) {
  if (window.L && window.L.version) {
    return Promise.resolve(window.L);
  }
  if (!window.gdLeaflet) {
    window.gdLeaflet = new Promise((resolve, reject) => {
      const css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = base + 'leaflet.css';
      document.head.appendChild(css);
      const script = document.createElement('script');
      script.src = base + 'leaflet.js';
      script.onload = () => resolve(window.L);
      script.onerror = () => reject(new Error('Leaflet could not be loaded from ' + base));
      document.head.appendChild(script);
    });
  }
  return window.gdLeaflet;
}

// Undo the previous view: the overlay's own cleanup (controls, listeners, timers, DOM), every
// layer, the readiness marks. The steps are the map's own: when the display mode changes, the page's
// other map (the new one) may have drawn its view before this one is taken down.
function reset(map) {
  const steps = map.gdCleanup || [];
  map.gdCleanup = [];
  steps.forEach((f) => {
    try { f(); } catch (e) { console.error(e); }
  });
  map.eachLayer((l) => map.removeLayer(l));
  ['data-gd-ready', 'data-gd-settled', 'data-gd-context'].forEach((a) => map.getContainer().removeAttribute(a));
}

// The Département's context layers (geodash.weblayers): roads (with their casing), areas, sites.
function context(map, data) {
  function tooltip(feature, layer) {
    if (feature.properties && feature.properties.t) {
      layer.bindTooltip(feature.properties.t, {sticky: true});
    }
  }
  data.layers.forEach((l) => {
    if (l.casing) {
      L.geoJSON(l.fc, {style: l.casing, interactive: false}).addTo(map);
    }
    L.geoJSON(l.fc, {style: l.style, onEachFeature: tooltip}).addTo(map);
  });
  const icons = {};
  Object.keys(data.icons).forEach((k) => {
    icons[k] = L.divIcon({className: 'gd-site', html: data.icons[k],
                          iconSize: [data.size, data.size], iconAnchor: [data.size / 2, data.size / 2]});
  });
  data.sites.forEach((p) => {
    // Below the project markers, which stay the map's subject.
    L.marker([p[0], p[1]], {icon: icons[p[2]], keyboard: false, zIndexOffset: -1000}).bindTooltip(p[3]).addTo(map);
  });
  map.getContainer().setAttribute('data-gd-context', String(data.layers.length + data.sites.length));
}

// The map's height: the page's (at most the screen's, so that the whole map can be seen at once), or the
// screen's under the projector's bar.
function size(state) {
  const box = state.map.getContainer();
  const wanted = state.bar
    ? Math.max(300, Math.floor(window.innerHeight - state.bar.offsetHeight))
    : Math.max(320, Math.min(state.height, window.innerHeight - 24));
  if (box.style.height !== wanted + 'px') {
    box.style.height = wanted + 'px';
    state.map.invalidateSize();
  }
}

// The projector's bar (or none): the territory's name as the page's heading, between its buttons.
function bar(state, spec) {
  state.wrap.classList.toggle('gd-fullscreen', !!spec);
  if (!spec) {
    if (state.bar) {
      state.bar.remove();
      state.bar = null;
      document.removeEventListener('keydown', state.onKey, true);
    }
    return;
  }
  if (!state.bar) {
    const el = document.createElement('div');
    el.className = 'gd-bar';
    const button = (step, text) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'gd-step';
      b.textContent = text;
      b.addEventListener('click', () => state.step(step));
      return b;
    };
    const title = document.createElement('h1');
    title.className = 'gd-bar-title';
    const exit = document.createElement('button');
    exit.type = 'button';
    exit.className = 'gd-exit';
    exit.textContent = '✕';
    exit.title = 'Quitter le mode projecteur';
    exit.setAttribute('aria-label', exit.title);
    exit.addEventListener('click', () => state.trigger('exit', true));
    el.append(button(-1, '◀ Précédent'), title, button(1, 'Suivant ▶'), exit);
    state.wrap.insertBefore(el, state.wrap.firstChild);
    state.bar = el;
    state.onKey = (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) { return; }
      if (e.target.closest && e.target.closest('input, textarea, select, [contenteditable]')) { return; }
      const step = {ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1}[e.key];
      if (step) {
        e.preventDefault();
        e.stopPropagation(); // the territory changes; the map does not pan
        state.step(step);
      }
    };
    document.addEventListener('keydown', state.onKey, true);
  }
  state.bar.querySelector('h1').textContent = spec.title;
  const [prev, next] = state.bar.querySelectorAll('.gd-step');
  prev.setAttribute('aria-label', 'Précédent : ' + spec.prev);  // the visible word first, then where it goes
  next.setAttribute('aria-label', 'Suivant : ' + spec.next);
}

// A published view's JSON text (geodash.assets), or a rejection naming the address and the HTTP status.
function viewText(url) {
  return fetch(url).then((r) => (r.ok ? r.text() : Promise.reject(new Error(r.status + ' ' + url))));
}

// Tell the page which territory the map shows ('' : the département).
function shown(value) {
  window.dispatchEvent(new CustomEvent('gd-territory-shown', {detail: value}));
}

// Draw the view of territory `value` before the page's next run, if the run's data name it (its file, key,
// label and title); else the next run draws it, as any view. Only the last territory asked for is drawn.
function ahead(root, state, value) {
  const target = state.latest && state.latest.ahead ? state.latest.ahead[value] : null;
  const ticket = state.ticket = (state.ticket || 0) + 1;
  state.pending = target ? target.key : null;
  if (!target || target.key === state.key) {
    return;
  }
  viewText(target.url)
    .then((text) => {
      if (ticket !== state.ticket || target.key === state.key) {
        return; // another territory asked for since, or the run came first
      }
      shown(value);
      const bar = state.latest.projector ? Object.assign({}, state.latest.projector, {title: target.title}) : null;
      state.latest = Object.assign({}, state.latest, {
        key: target.key, view: text, label: target.label, projector: bar,
        position: {center: null, zoom: null, restore: true},
      });
      draw(root, state);
    })
    .catch((e) => {
      console.warn('geodash: the next view is drawn by the page instead', e);
      if (ticket === state.ticket) {
        state.pending = null;
        if (state.latest && state.latest.key === target.key && !state.latest.view) {
          fetchServed(root, state, state.latest); // the run came first, with the address only
        }
      }
    });
}

// A run's view sent by its address (offered ahead by the previous run): fetched here, unless the fetch
// ahead for the same key is still under way (it draws it). A failed fetch asks the page for the data.
function fetchServed(root, state, data) {
  if (state.pending === data.key || state.fetching === data.key) {
    return;
  }
  state.fetching = data.key;
  viewText(data.url)
    .then((text) => {
      state.fetching = null;
      if (state.latest.key === data.key && state.key !== data.key) {
        state.latest = Object.assign({}, state.latest, {view: text});
        draw(root, state);
      }
    })
    .catch((e) => {
      state.fetching = null;
      console.warn('geodash: the view is asked of the page again', e);
      state.trigger('missing', true);
    });
}

function draw(root, state) {
  const data = state.latest;
  if (!data) {
    return;
  }
  if (state.map) {
    bar(state, data.projector); // the bar's title and buttons follow every run, even with the same view
    state.map.getContainer().setAttribute('aria-label', data.label);
  }
  if (data.key === state.key) {
    return; // a view is drawn once: a run that hands the same view again costs nothing
  }
  if (!state.map) {
    state.wrap = document.createElement('div');
    state.wrap.className = 'gd-root';
    root.appendChild(state.wrap);
    const box = document.createElement('div');
    box.className = 'gd-map';
    state.wrap.appendChild(box);
    state.map = L.map(box, {zoomSnap: 0.25, preferCanvas: true, attributionControl: false, center: [50.5, 2.3], zoom: 9});
    window.gdMap = state.map; // lets tests and page scripts read the view
    // Leaflet focuses the map on a press (for its keyboard handler) with a plain focus(), which scrolls
    // the page to show the whole map: the press would then end elsewhere than it started (a marker's
    // popup would not open). The map is focused first, without scrolling; Leaflet then finds it focused.
    box.addEventListener('mousedown', () => {
      if (document.activeElement !== box) {
        box.focus({preventScroll: true});
      }
    }, true);
    state.onResize = () => size(state);
    window.addEventListener('resize', state.onResize);
    // The map's width follows the page (the sidebar opened or closed, a rotation): Leaflet learns of it,
    // and the overlay fits the territory again (its 'resize' handler).
    state.observer = new ResizeObserver(() => state.map.invalidateSize());
    state.observer.observe(box);
    state.onTerritory = (e) => {
      ahead(root, state, e.detail);
      if (state.latest && state.latest.chooses) {
        e.preventDefault(); // the list sends no trigger of its own: the page hears of it from the map
        state.trigger('chosen', e.detail);
      }
    };
    window.addEventListener('gd-territory', state.onTerritory);
  }
  if (!data.view) {
    fetchServed(root, state, data);
    return;
  }
  const map = state.map, view = JSON.parse(data.view), at = data.position;
  state.height = data.height;
  bar(state, data.projector);
  map.getContainer().setAttribute('role', 'region'); // a named region: screen readers announce its label
  map.getContainer().setAttribute('aria-label', data.label);
  size(state);
  reset(map);
  const layers = view.layers.map((l) => {
    const layer = L.geoJSON(l.fc, {
      style: (f) => f.properties.s,
      interactive: l.interactive,
      onEachFeature: (f, item) => {
        if (f.properties.t) {
          item.bindTooltip(f.properties.t, {sticky: true});
        }
        if (l.highlight) {
          item.on('mouseover', () => item.setStyle(l.highlight));
          item.on('mouseout', () => layer.resetStyle(item));
        }
        if (f.properties.siren) {
          item.on('click', () => {
            ahead(root, state, f.properties.siren);
            state.trigger('clicked', f.properties.siren);
          });
        }
      },
    }).addTo(map);
    return layer;
  });
  if (view.context) {
    context(map, view.context);
  }
  // Where the view opens: a link's centre and zoom, else fitted to its territory.
  const linked = !!(at.center && at.zoom);
  const cfg = Object.assign({}, view.overlay, {
    center: linked ? at.center : null, zoom: linked ? at.zoom : null, restore: at.restore,
    fit: linked ? null : view.overlay.bounds,
  });
  overlay(map, view.outline === null ? null : layers[view.outline], cfg);
  state.key = data.key;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let state = states.get(parentElement);
  if (!state) {
    state = {map: null, key: null};
    states.set(parentElement, state);
  }
  if (data.key !== state.pending) {
    state.ticket = (state.ticket || 0) + 1; // a view fetched ahead for another territory is not drawn now
    state.pending = null;
  }
  state.latest = data;
  state.trigger = setTriggerValue;
  shown(data.territory);
  state.step = (step) => {
    const spec = state.latest.projector;
    if (spec) {
      ahead(parentElement, state, step < 0 ? spec.prev_to : spec.next_to);
    }
    setTriggerValue('step', step);
  };
  leaflet(data.leaflet)
    .then(() => draw(parentElement, state))
    .catch((e) => console.error(e))
    .finally(() => {
      // The page's first look (geodash.pages.firstlook): marked while shown; drawn, the page is told.
      if (state.map) {
        state.map.getContainer().toggleAttribute('data-gd-first-look', !!data.first);
      }
      if (data.first) {
        setTriggerValue('drawn', data.key);
      }
    });
  return () => {
    if (state.map) {
      reset(state.map);
      bar(state, null);
      window.removeEventListener('resize', state.onResize);
      window.removeEventListener('gd-territory', state.onTerritory);
      state.observer.disconnect();
      state.map.remove();
    }
    states.delete(parentElement);
  };
}
