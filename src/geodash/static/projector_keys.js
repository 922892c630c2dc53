// Projector mode: the arrow keys (or a presenter's remote, which sends them) press the
// « ◀ Précédent » / « Suivant ▶ » buttons; « L » shows or hides the map's legend. The map's frame
// is sized to the screen's height below the title row. Installed once per page; document.gdKeys
// marks it done.
(function () {
  const doc = window.parent.document;
  if (doc.gdKeys) return;
  doc.gdKeys = true;
  const mapFrame = () => doc.querySelector('iframe[title="streamlit_folium.st_folium"]');
  doc.addEventListener('keydown', (e) => {
    if (e.target.closest && e.target.closest('input, textarea, [contenteditable]')) return;
    if ((e.key === 'l' || e.key === 'L') && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const frame = mapFrame();
      if (frame && frame.contentWindow && frame.contentWindow.gdToggleLegend) {
        e.preventDefault();
        frame.contentWindow.gdToggleLegend();
      }
      return;
    }
    const label = {ArrowRight: 'Suivant', PageDown: 'Suivant', ArrowLeft: 'Précédent', PageUp: 'Précédent'}[e.key];
    if (!label) return;
    const button = [...doc.querySelectorAll('button')].find((b) => b.innerText.includes(label));
    if (button) { e.preventDefault(); button.click(); }
  });
  // The map's frame: from its top to the bottom of the screen.
  const size = () => {
    const frame = mapFrame();
    if (!frame) return;
    const height = Math.max(300, Math.floor(window.parent.innerHeight - frame.getBoundingClientRect().top - 8));
    if (frame.style.getPropertyValue('height') !== `${height}px`) {
      frame.style.setProperty('height', `${height}px`, 'important');
    }
  };
  new MutationObserver(size).observe(doc.body, {childList: true, subtree: true});
  window.parent.addEventListener('resize', size);
  size();
})();
