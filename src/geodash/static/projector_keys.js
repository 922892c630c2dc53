// Projector mode: the arrow keys (or a presenter's remote, which sends them) press the
// « ◀ Précédent » / « Suivant ▶ » buttons. Installed once per page; document.gdKeys marks it done.
(function () {
  const doc = window.parent.document;
  if (doc.gdKeys) return;
  doc.gdKeys = true;
  doc.addEventListener('keydown', (e) => {
    if (e.target.closest && e.target.closest('input, textarea, [contenteditable]')) return;
    const label = {ArrowRight: 'Suivant', PageDown: 'Suivant', ArrowLeft: 'Précédent', PageUp: 'Précédent'}[e.key];
    if (!label) return;
    const button = [...doc.querySelectorAll('button')].find((b) => b.innerText.includes(label));
    if (button) { e.preventDefault(); button.click(); }
  });
})();
