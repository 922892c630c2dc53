"""The map's code served by the app (geodash.assets): Leaflet and the map's script written once into the
app's static folder, under addresses that follow the server's base path."""

from __future__ import annotations

import hashlib
import os

from geodash import assets


def test_the_map_script_and_leaflet_are_written_once(tmp_path, monkeypatch):
    monkeypatch.setattr(assets, "_installed", {})  # this test's folder is not the app's for later tests
    folder = assets.install_static_assets(tmp_path)
    assert (folder / "leaflet.js").stat().st_size > 100_000 and (folder / "leaflet.css").exists()
    (module,) = (tmp_path / "geodash").glob("mapview-*.js")
    text = module.read_text(encoding="utf-8")
    # One ES module: the overlay's function, then the component's script with its default export.
    assert text.startswith("const overlay = ") and "(function(map, outline, cfg)" in text
    assert "export default function" in text
    written = module.stat().st_mtime_ns
    assets.install_static_assets(tmp_path)
    assert module.stat().st_mtime_ns == written  # not written again
    assert not list(tmp_path.rglob("*.part"))


def test_the_script_name_changes_with_its_text(tmp_path, monkeypatch):
    monkeypatch.setattr(assets, "_installed", {})
    # A browser never keeps an old script: its name carries a digest of what it holds.
    assets.install_static_assets(tmp_path)
    (module,) = (tmp_path / "geodash").glob("mapview-*.js")
    digest = hashlib.blake2b(module.read_bytes(), digest_size=8).hexdigest()
    assert module.name == f"mapview-{digest}.js" and assets.map_module_url().endswith("/" + module.name)


def test_addresses_follow_the_base_path():
    assert assets.leaflet_url("") == "/app/static/leaflet/"
    assert assets.leaflet_url("/geodash/") == "/geodash/app/static/leaflet/"
    assert assets.map_module_url("geodash").startswith("/geodash/app/static/geodash/mapview-")
    kinds = {kind: href for href, kind in assets.preloads("x")}
    assert kinds == {
        "module": assets.map_module_url("x"),
        "script": "/x/app/static/leaflet/leaflet.js",
        "style": "/x/app/static/leaflet/leaflet.css",
    }


def test_the_map_component_sends_its_loader_not_its_script():
    # Every run sends the component's own code with its data: only the small loader goes, not the script.
    loader = (assets.STATIC_DIR / "mapview_loader.js").read_text(encoding="utf-8")
    assert len(loader) < 2_000 and "import(" in loader and "gdCleanup" not in loader
    assert "mapview_loader.js" in (assets.STATIC_DIR.parent / "pages" / "mapview.py").read_text(encoding="utf-8")


def test_views_are_published_once_and_the_oldest_go(tmp_path, monkeypatch):
    # The map fetches a territory's view ahead from the static files: written once, named by its key, the
    # VIEWS_KEPT most recent kept. Nothing is published before the app's static folder is written.
    monkeypatch.setattr(assets, "_installed", {})
    monkeypatch.setattr(assets, "VIEWS_KEPT", 3)
    assert assets.view_url("", "k0", "{}") is None
    assets.install_static_assets(tmp_path)
    assert assets.view_url("geodash", "k1", '{"a": 1}') == "/geodash/app/static/geodash/views/k1.json"
    published = tmp_path / "geodash" / "views" / "k1.json"
    assert published.read_text(encoding="utf-8") == '{"a": 1}'
    os.utime(published, (1, 1))
    assets.view_url("", "k1", '{"a": 1}')
    assert published.stat().st_mtime == 1  # not written again
    for i in range(2, 6):
        assets.view_url("", f"k{i}", "{}")
        os.utime(tmp_path / "geodash" / "views" / f"k{i}.json", (i, i))
    assert sorted(p.name for p in (tmp_path / "geodash" / "views").iterdir()) == ["k3.json", "k4.json", "k5.json"]


def test_the_tab_icon_is_geodash_s_own_picture_sent_with_the_page():
    """The tab's icon is geodash's SVG as a ``data:`` address (nothing fetched, from elsewhere or not), read by
    the page script as the page's icon."""
    import base64
    import xml.etree.ElementTree as ET

    from geodash.settings import REPO_DIR

    icon = assets.tab_icon()
    prefix = "data:image/svg+xml;base64,"
    assert icon.startswith(prefix)
    root = ET.fromstring(base64.b64decode(icon[len(prefix) :]))
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 64 64"
    assert "page_icon=tab_icon()" in (REPO_DIR / "app.py").read_text(encoding="utf-8")
