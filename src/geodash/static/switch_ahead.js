// The map frame draws the territory chosen in the page as soon as it is chosen, without waiting for
// the page's rerun (geodash.ahead): the sidebar's « Intercommunalité » list, or the projector's
// « Précédent » / « Suivant » buttons (and the arrow keys that press them). The frame asks the
// server for the view the rerun will send (the page's link, another territory) and runs it; the
// rerun then sends the same script, which sees its view already drawn and does nothing. Anything
// unexpected (no server route, another page layout) leaves the page's own path alone.
// Installed once per frame, with the frame's empty map.
(function () {
  var page, doc;
  try {
    page = window.parent;
    doc = page.document;
  } catch (e) {
    return;
  }
  if (!doc || page === window) return;
  var route = new URL('../../geodash/vue', window.location.href).href;
  var asked = 0;

  function draw(script) {
    var shown = window.gdView;
    try {
      (new Function(script))();
    } catch (e) {
      window.gdView = null;  // half drawn: the page's copy of the view draws it again
      console.error(e);
      return;
    }
    if (window.gdView === shown) return;  // the same view: nothing was drawn
    window.gdAhead = (window.gdAhead || 0) + 1;
    var early = window.gdView;
    // The page's rerun sends this view too; should it never come, show the page's own view again.
    setTimeout(function () {
      var last = window.__GLOBAL_DATA__ && window.__GLOBAL_DATA__.last_feature_group;
      if (window.gdView === early && last && last !== script) (new Function(last))();
    }, 10000);
  }

  // Views asked for, by query: a territory highlighted in the list is fetched before it is chosen
  // (a person reads the name before pressing Enter), kept a minute at most.
  var kept = {}, order = [];
  function fetched(extra) {
    var params = new URLSearchParams(page.location.search);
    if (!params.get('epci')) return null;  // the département's frame: an EPCI's view gets a frame of its own
    ['lat', 'lng', 'z'].forEach(function (k) { params.delete(k); });  // a new territory has no position yet
    Object.keys(extra).forEach(function (k) { params.set(k, extra[k]); });
    var query = params.toString(), now = Date.now(), got = kept[query];
    if (got && now - got.at < 60000) return got.script;
    if (got) order.splice(order.indexOf(query), 1);
    got = kept[query] = {at: now, script: fetch(route + '?' + query, {credentials: 'same-origin'})
      .then(function (r) { return r.status === 200 ? r.text() : null; })
      .catch(function () { return null; })};
    order.push(query);
    while (order.length > 6) delete kept[order.shift()];
    return got.script;
  }

  function ask(extra) {
    var script = fetched(extra), mine = ++asked;
    if (script) script.then(function (s) { if (s && mine === asked) draw(s); });
  }

  function option(box) {
    var id = box.getAttribute('aria-activedescendant'), item = id && doc.getElementById(id);
    return item ? item.textContent : null;
  }

  // In projector mode, the previous and next territories, for the buttons: fetched once the page's
  // run has ended (its link is then the view's), and once the frame's first view is drawn.
  function neighbours() {
    if (!doc.querySelector('.st-key-next')) return;
    fetched({pas: '1'});
    fetched({pas: '-1'});
  }
  setTimeout(neighbours, 1000);

  // A choice in the list: it closes with the chosen territory's name in its box. A territory
  // highlighted in the open list (typed, or under the pointer) is fetched once it stays highlighted.
  var highlighted = null;
  var watcher = new MutationObserver(function (records) {
    records.forEach(function (r) {
      var box = r.target;
      if (r.attributeName === 'data-test-script-state') {
        if (box.getAttribute('data-test-script-state') === 'notRunning') neighbours();
        return;
      }
      if (box.getAttribute('aria-label') !== 'Intercommunalité' || box.getAttribute('role') !== 'combobox') return;
      var shown = window.gdView && window.gdView.label;
      if (r.attributeName === 'aria-activedescendant') {
        var name = option(box);
        clearTimeout(highlighted);
        if (name && name !== shown) {
          highlighted = setTimeout(function () { if (option(box) === name) fetched({vers: name}); }, 20);
        }
        return;
      }
      if (box.getAttribute('aria-expanded') !== 'false' || box.value === shown) return;  // closed on the territory shown
      ask({vers: box.value});
    });
  });
  watcher.observe(doc.body, {subtree: true, attributes: true, attributeFilter: ['aria-expanded', 'aria-activedescendant', 'data-test-script-state']});

  // The projector's buttons (Streamlit names their containers after the buttons' keys).
  function pressed(e) {
    var button = e.target && e.target.closest && e.target.closest('button');
    var box = button && button.closest('.st-key-next, .st-key-prev');
    if (box) ask({pas: box.classList.contains('st-key-next') ? '1' : '-1'});
  }
  doc.addEventListener('click', pressed, true);

  window.addEventListener('pagehide', function () {
    watcher.disconnect();
    doc.removeEventListener('click', pressed, true);
  });
})();
