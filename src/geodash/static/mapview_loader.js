// The map component's own code (geodash.pages.mapview): it imports the map's script, a file of the app's
// static folder (geodash.assets), once per page, and hands it each run's data. The script is not sent
// with every view: only the view's data is.
const cleanups = new WeakMap(); // component root -> the script's cleanup

export default function (component) {
  const { data, parentElement } = component;
  let gone = false;
  import(new URL(data.module, window.location.href).href)
    .then((script) => {
      if (!gone) {
        cleanups.set(parentElement, script.default(component));
      }
    })
    .catch((e) => console.error(e));
  return () => {
    gone = true;
    const cleanup = cleanups.get(parentElement);
    cleanups.delete(parentElement);
    if (cleanup) {
      cleanup();
    }
  };
}
