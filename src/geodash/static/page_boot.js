// Every page's first element (app.py: page_style): the document says it is French (Streamlit's page
// declares "en"; RGAA 8.3), and the map's code (its module, Leaflet) is asked for at once. A first visit's
// browser fetches some sixty files of Streamlit's own code over six connections; the map's component would
// ask for its code behind them, once its delta has come (0.3-0.5 s later, measured). This component comes
// first in the run, before the data is ready, so that its requests are among the first.
export default function (component) {
  document.documentElement.lang = 'fr';
  component.data.preload.forEach(([href, kind]) => {
    if (![...document.head.querySelectorAll('link')].some((l) => l.getAttribute('href') === href)) {
      const link = document.createElement('link');
      if (kind === 'module') {
        link.rel = 'modulepreload';
      } else {
        link.rel = 'preload';
        link.as = kind;
      }
      link.href = href;
      document.head.appendChild(link);
    }
  });
}
