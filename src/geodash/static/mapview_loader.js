// The map component's own code (geodash.pages.mapview): it imports the map's script, a file of the app's
// static folder (geodash.assets), once per page, and hands it each run's data: the script is not sent
// with every view, only the view's data is. Once imported, the script is called at once (an import()
// per run would wait for a task of its own: 10-15 ms later on a busy page, measured).
const cleanups = new WeakMap(); // component root -> the script's cleanup
let script = null; // the imported module
let loading = null;

export default function (component) {
  const { data, parentElement } = component;
  let gone = false;
  const run = (module) => {
    if (!gone) {
      cleanups.set(parentElement, module.default(component));
    }
  };
  if (script) {
    run(script);
  } else {
    loading = loading || import(new URL(data.module, window.location.href).href);
    loading.then((module) => { script = module; run(module); }).catch((e) => console.error(e));
  }
  return () => {
    gone = true;
    const cleanup = cleanups.get(parentElement);
    cleanups.delete(parentElement);
    if (cleanup) {
      cleanup();
    }
  };
}
