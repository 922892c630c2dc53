"""Server start: import and load what the page needs before the first visitor comes.

``streamlit run app.py`` serves ``app.py`` through its ``st.App`` with :func:`lifespan`, which starts
:func:`warm_up` in a background thread as the server starts (the server answers at once; a visitor
who comes before the warm-up ends waits for the part that is left, not for all of it; between two of
its steps, the warm-up waits while a visitor's run is in progress: :func:`visit`), and makes
the server's threads hand the interpreter over every millisecond (:data:`SWITCH_INTERVAL_S`). The warm-up
imports the page's heavy libraries, calls the page's kept loaders so that the data they keep
(:func:`geodash.selection.cached_base`) are there before the first session, prepares the map page
of the views a plain link opens (:func:`prepare_views`, with :func:`geodash.viewmodel.prepare`: the root
URL's at once, the EPCI ones when no visitor is being served), with Python's automatic garbage collection paused until the root URL's view is
ready. The objects alive then are frozen (``gc.freeze``; also at each step before, in case a visitor's
run ends meanwhile), and again, after a full collection, once every view is prepared: Streamlit runs a
full garbage collection after every script run (``runner.postScriptGC``), holding the interpreter for as long as it walks the heap (0.1-0.2 s
on the first visitor's run, before its last messages are sent), and the modules and the loaded
data live as long as the server anyway. The memory the warm-up used and freed goes back to the
system (:func:`geodash.memory.release_free_memory`).
"""

from __future__ import annotations

import gc
import importlib
import inspect
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import asynccontextmanager, contextmanager

from .memory import release_free_memory

__all__ = [
    "PAGE_MODULES",
    "LOADERS",
    "prepare_views",
    "visit",
    "warm_up",
    "log_to_stderr",
    "lifespan",
]

# Imported by the public page on every visit (its first script run pays for them otherwise).
PAGE_MODULES = (
    "PIL.Image",  # Streamlit reads the page's icon through Pillow (st.set_page_config)
    "PIL.ImageFile",
    "pandas",
    "geopandas",
    "shapely",
    "geodash.territories",
    "geodash.projects",
    "geodash.dashboard",
    "geodash.layers",
    "geodash.weblayers",
    "geodash.webmap",
    "geodash.views",
    "geodash.sources",
    "geodash.selection",
    "geodash.db",
    "geodash.legend",
    "geodash.viewmodel",
    "geodash.pages.carte",
)

# The page's kept loaders (functions with a ``clear``: geodash.selection's, or ``st.cache_resource``
# functions defined in a package module), as "module:function", called with no argument: the page must
# call them the same way for the warm-up's entry to be the one it finds. A loader defined in the page
# script itself cannot be warmed (the script is not run before the first session). Functions that keep
# nothing are skipped: they would load the data a second time.
LOADERS = ("geodash.selection:cached_base",)


#: Seconds without any visitor's script run before the start-up prepares another view: a first
#: visitor's browser is still loading the page (served by the same process) between two runs.
QUIET_S = 2.0
#: The longest the start-up waits, between two of its steps, for the visitors' runs (:func:`_give_way`).
GIVE_WAY_S = 0.5
#: How long after a visitor's run ends the start-up still waits: Streamlit then collects the garbage and
#: sends the run's last messages.
GIVE_WAY_AFTER_S = 0.05

_visits_lock = threading.Lock()
_run_ended = threading.Condition(_visits_lock)
_visits = 0  # visitors' runs in progress
_last_visit = 0.0  # time.monotonic() of the last run's start or end, or of the root URL's data read (quiet time)
_last_end = 0.0  # time.monotonic() of the last run's end


def _give_way(limit: float | None = None) -> None:
    """Wait, at most ``limit`` seconds, until no visitor's run is in progress and the last one ended
    :data:`GIVE_WAY_AFTER_S` ago.

    Called between two steps of the start-up, so that a run has the interpreter to itself: on a first
    visit, the first look's run (:mod:`geodash.pages.firstlook`) needs nothing the start-up makes, and its map
    was drawn 0.15-0.25 s later while the start-up read the data beside it (measured, cold starts taking
    turns). A run that needs the data reads them itself meanwhile (they are kept once, whoever reads them).
    """
    deadline = time.monotonic() + (GIVE_WAY_S if limit is None else limit)
    with _run_ended:
        while True:
            now = time.monotonic()
            wait = deadline - now if _visits else min(deadline - now, GIVE_WAY_AFTER_S - (now - _last_end))
            if wait <= 0:
                return
            _run_ended.wait(wait)


def _wait_quiet() -> None:
    while True:
        with _visits_lock:
            left = QUIET_S - (time.monotonic() - _last_visit)
            if not _visits and left <= 0:
                return
        time.sleep(max(0.05, left))


@contextmanager
def visit():
    """Around a visitor's script run (``app.py``, the whole run): the start-up gives way to it between two of
    its steps (:func:`_give_way`), and prepares the views a link opens only once no run has been in progress
    for :data:`QUIET_S`, so that it does not slow the first visitors down."""
    global _visits, _last_visit, _last_end
    with _visits_lock:
        _visits += 1
        _last_visit = time.monotonic()
    try:
        yield
    finally:
        with _visits_lock:
            _visits -= 1
            _last_visit = _last_end = time.monotonic()
            _run_ended.notify_all()


def prepare_views(root_done: Callable[[], None] = lambda: None, give_way: Callable[[], None] = _give_way) -> int:
    """Prepare the map page for the views a plain link opens: the département first (the root URL,
    where most visits start), then each EPCI, then each in projector mode (:func:`geodash.viewmodel.prepare`:
    the map only); return how many. ``give_way`` is called before the root URL's view is prepared (the
    visitors' runs go first, :func:`_give_way`), ``root_done`` once it is.

    The root URL's first look is saved with the database (:mod:`geodash.firstlook`): the next server
    shows it to its first visitors before its own data are read.

    Kept, an EPCI's map goes ahead: a territory chosen in the list, or by « Précédent » / « Suivant » on
    the projector, is drawn by the page's map before the page's next run (:func:`geodash.viewmodel.maps_ahead`).

    The page keeps what it computes with the data (``Base.memo``), so a visitor's first look at a
    territory costs no more than the next one.
    """
    from . import firstlook
    from .selection import cached_base
    from .viewmodel import first_look, prepare

    global _last_visit
    store = firstlook.store_path()
    stamp = firstlook.fingerprint(store) if store is not None else None  # before the data are read
    base = cached_base()
    with _visits_lock:  # the root URL's view is prepared now: the quiet time counts from here
        _last_visit = max(_last_visit, time.monotonic())
    views = [{}] + [{"epci": siren} for siren in base.terr.sirens]
    views += [{**params, "mode": "projecteur"} for params in views]
    for i, params in enumerate(views):
        if i:  # the root URL's view at once; the others when the visitors leave the server alone
            _wait_quiet()
        else:
            give_way()
        prepare(base, params)
        if not i:
            # The look is kept only if nothing changed while it was made: else the next server would show a
            # look of other data (the database, the files and the day are fingerprinted again).
            if stamp is not None and firstlook.fingerprint(store) == stamp:
                firstlook.save(first_look(base, stamp), store)
            root_done()
    return len(views)


_log = logging.getLogger("geodash.startup")


def warm_up(
    modules: Iterable[str] = PAGE_MODULES, loaders: Iterable[str] = LOADERS, freeze: bool = True, views: bool = True
) -> dict:
    """Import ``modules``, call ``loaders``, prepare the views (``views``), freeze the heap; return
    the seconds each step took (and ``views``: how many were prepared).

    A loader that does not exist or keeps nothing (has no ``clear``) is skipped (recorded as
    ``None``); one that fails is logged and skipped: the page reports the same error to its
    visitor on its own run.
    """
    timings: dict[str, float | bool | None] = {}
    t0 = time.perf_counter()
    # Until the root URL's view is ready, the objects made are nearly all kept for the server's life
    # (modules, data, the view): the collector's passes over them find little, and cost the first
    # visitor's wait about 15 % of the warm-up's CPU (0.35 s measured, three full passes). They are
    # frozen then, so that the first visitor's run ends without a full pass over them either.
    resume = _pause_collector(freeze=freeze)

    def give_way() -> None:
        # A visitor's run ends with Streamlit's full collection (runner.postScriptGC): what the start-up holds
        # is frozen first, so that it walks the run's own objects only (all is collected again at the end).
        if freeze:
            gc.freeze()
        _give_way()

    try:
        for name in modules:
            give_way()
            try:
                importlib.import_module(name)
            except ImportError as exc:
                _log.warning("warm-up: cannot import %s: %s", name, exc)
        # Streamlit looks at the call stack once per process, when a visitor's run sends its first element
        # (``inspect.stack``), and the first such look maps every module loaded to its file (0.03-0.05 s
        # with the page's libraries): looked at here, that map is made before the first visitor comes.
        inspect.stack()
        timings["imports"] = time.perf_counter() - t0
        for spec in loaders:
            give_way()
            module_name, _, func_name = spec.partition(":")
            t1 = time.perf_counter()
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError:
                timings[spec] = None
                continue
            loader = getattr(module, func_name, None)
            if not callable(getattr(loader, "clear", None)):  # keeps nothing
                timings[spec] = None
                continue
            steps = getattr(loader, "steps", None)
            try:
                # A loader that names its parts (``steps``) reads them one by one, giving way between.
                for step in [*(steps() if callable(steps) else ()), loader]:
                    give_way()
                    step()
            except Exception:  # the page shows the error; the server keeps running
                _log.exception("warm-up: %s failed", spec)
            timings[spec] = time.perf_counter() - t1
        if views:
            t1 = time.perf_counter()
            try:
                timings["views"] = prepare_views(root_done=resume, give_way=give_way)
            except Exception:  # as above: the page reports it
                _log.exception("warm-up: preparing the views failed")
            timings["views_s"] = time.perf_counter() - t1
    finally:
        resume()
    if freeze:  # what the warm-up made and dropped before the root view was frozen too: collect it
        gc.unfreeze()
        gc.collect()
        gc.freeze()
    release_free_memory()  # what loading and preparing used and freed goes back to the system
    timings["total"] = time.perf_counter() - t0
    _log.info("warm-up done: %s", timings)
    return timings


def _pause_collector(freeze: bool = False) -> Callable[[], None]:
    """Pause Python's cyclic garbage collector; return the function that resumes it (once, and only
    if it was running), having frozen the objects alive then if ``freeze``. Explicit collections
    (Streamlit's after each script run) still happen."""
    paused = gc.isenabled()
    gc.disable()

    def resume() -> None:
        nonlocal paused, freeze
        if freeze:
            freeze = False
            gc.freeze()
        if paused:
            paused = False
            gc.enable()

    return resume


#: Seconds a thread may hold the interpreter before another asks for it (Python's default: 0.005).
#: The server's event loop (files, health checks, messages to the browser) shares it with the
#: warm-up and the script runs; each request needs it several times, so at 5 ms a request served
#: during a run waits tens of milliseconds. Measured on a first visit: the map frame's page and
#: scripts arrive 0.1-0.15 s sooner at 1 ms.
SWITCH_INTERVAL_S = 0.001


def log_to_stderr() -> None:
    """geodash's log lines of level INFO and above (« données chargées », the warm-up, errors) on the
    server's standard error, next to Streamlit's own; once per process."""
    logger = logging.getLogger("geodash")
    if not any(getattr(h, "name", None) == "geodash-stderr" for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.set_name("geodash-stderr")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


@asynccontextmanager
async def lifespan(app):
    """``st.App`` lifespan: hand the interpreter over more often (:data:`SWITCH_INTERVAL_S`), log to
    standard error (:func:`log_to_stderr`), put Leaflet in the app's static files, start
    :func:`warm_up` in a thread; serve at once."""
    from .assets import install_static_assets
    from .settings import REPO_DIR

    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
    log_to_stderr()
    install_static_assets(REPO_DIR / "static")
    threading.Thread(target=warm_up, name="geodash-warm-up", daemon=True).start()
    yield
