// Projector mode: the arrow keys (or a presenter's remote, which sends them) press the
// « ◀ Précédent » / « Suivant ▶ » buttons, found by their text as a visitor reads them (the map's own
// script answers « L »). Installed once per page; document.gdKeys marks it done.
(function () {
  if (document.gdKeys) return;
  document.gdKeys = true;
  document.addEventListener('keydown', (e) => {
    if (e.target.closest && e.target.closest('input, textarea, select, [contenteditable]')) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const label = {ArrowRight: 'Suivant', PageDown: 'Suivant', ArrowLeft: 'Précédent', PageUp: 'Précédent'}[e.key];
    if (!label) return;
    const button = [...document.querySelectorAll('button')].find((b) => b.innerText.includes(label));
    if (button) { e.preventDefault(); button.click(); }
  });
})();
