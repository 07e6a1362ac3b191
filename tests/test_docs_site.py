"""Open the built documentation site (`_docs/`, from `python tools/build_docs.py`) in headless Chromium, served from a
loopback HTTP server, and check that the home page and an API page show their title, the sidebar and a `show_doc`
signature, with no JavaScript error.

    python tests/test_docs_site.py                                  # the checks; exit 1 if one fails
    python tests/test_docs_site.py --screenshot docs/screenshot.png # and a screenshot of the home page

Chromium: `apt-get install -y chromium` (Debian). Runs under pytest too, where a missing browser skips.
"""
import html, os, re, shutil, subprocess, sys, tempfile, threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
sys.path.insert(0, str(ROOT))
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--enable-logging=stderr', '--v=0']


def chromium():
    "The Chromium (or Chrome) executable, or None."
    return next((p for p in map(shutil.which, ['chromium', 'chromium-browser', 'google-chrome']) if p), None)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args): pass


@contextmanager
def serve(directory:Path):
    "Serve `directory` on 127.0.0.1 (a free port) while the block runs; yield the base URL."
    server = ThreadingHTTPServer(('127.0.0.1', 0), partial(_Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try: yield f'http://127.0.0.1:{server.server_address[1]}/'
    finally:
        server.shutdown(); server.server_close(); thread.join()


def browse(url:str, *args)->tuple:
    "Run headless Chromium on `url` with `args`, in a fresh profile; return (stdout, stderr)."
    exe = chromium()
    if exe is None: raise FileNotFoundError('Chromium is needed: apt-get install -y chromium')
    with tempfile.TemporaryDirectory(prefix='chromium-') as profile:
        r = subprocess.run([exe, *FLAGS, f'--user-data-dir={profile}', '--virtual-time-budget=5000', *args, url],
                           capture_output=True, text=True, timeout=120)
    if r.returncode: raise RuntimeError(f'chromium exited with {r.returncode}: {r.stderr[-2000:]}')
    return r.stdout, r.stderr


def js_errors(stderr:str)->list:
    "The page's uncaught JavaScript errors and failed loads (a 404), from Chromium's console log."
    return [l for l in stderr.splitlines() if 'CONSOLE' in l and re.search(r'Uncaught|Error|Failed to load resource', l)]


def text_of(dom:str)->str: return html.unescape(re.sub(r'<[^>]+>', '', dom))


def site():
    "The config, the built site folder, and the exported modules (module, notebook, page, anchors)."
    from nbdev.config import get_config
    from build_docs import module_pages
    cfg = get_config(ROOT)
    doc_path = cfg.doc_path
    assert (doc_path/'index.html').exists(), f'no {doc_path}/index.html: run `python tools/build_docs.py` first'
    return cfg, doc_path, module_pages(cfg)


def check_page(dom:str, stderr:str, title:str, pages:list):
    "The title, the sidebar with a link to each page, smalldocs' script having run, and no JavaScript error."
    t = re.search(r'<title>(.*?)</title>', dom, re.S)
    assert t and title in html.unescape(t.group(1)), f'title {t and t.group(1)!r} lacks {title!r}'
    bar = re.search(r'<nav id="quarto-sidebar".*?</nav>', dom, re.S)
    assert bar, 'no sidebar'
    missing = [p for p in pages if f'href="{p}"' not in bar.group(0)]
    assert not missing, f'sidebar lacks {missing}'
    assert '--sd-header-height' in dom, "the site's JavaScript did not run"
    errors = js_errors(stderr)
    assert not errors, f'JavaScript errors: {errors}'


def check_home(base:str, cfg, pages:list):
    dom, err = browse(base + 'index.html', '--dump-dom')
    check_page(dom, err, cfg.title, [p for _, _, p, _ in pages])


def check_api(base:str, cfg, pages:list):
    "The API page with the most plain functions and classes: its title and one `show_doc` signature."
    mod, nb, page, anchors = max(pages, key=lambda o: sum('.' not in n for n in o[3]))
    dom, err = browse(base + page, '--dump-dom')
    check_page(dom, err, cfg.title, [p for _, _, p, _ in pages])
    name, anchor = next((n, a) for n, a in anchors.items() if '.' not in n)
    assert re.search(rf'<h[1-6][^>]*\bid="{re.escape(anchor)}"', dom), f'{page}: no show_doc heading for {name}'
    assert re.search(rf'\b(def|class)\s+{re.escape(name)}\b', text_of(dom)), f'{page}: no signature of {name}'
    bar = re.search(r'<nav id="quarto-sidebar".*?</nav>', dom, re.S).group(0)
    assert 'active' in re.search(rf'<a href="{re.escape(page)}"[^>]*>', bar).group(0), f'{page} is not marked in the sidebar'


def screenshot(base:str, dest:Path):
    dest.parent.mkdir(parents=True, exist_ok=True)
    browse(base + 'index.html', f'--screenshot={dest.resolve()}', '--window-size=1280,1600', '--hide-scrollbars')
    assert dest.stat().st_size > 10_000, 'the screenshot is nearly empty'


def _skip_without_browser():
    if chromium() is None:
        import pytest
        pytest.skip('Chromium is not installed')


def test_home_page():
    _skip_without_browser()
    cfg, doc_path, pages = site()
    with serve(doc_path) as base: check_home(base, cfg, pages)


def test_api_page():
    _skip_without_browser()
    cfg, doc_path, pages = site()
    with serve(doc_path) as base: check_api(base, cfg, pages)


if __name__ == '__main__':
    import argparse
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--screenshot', type=Path, help='also save a screenshot of the home page here')
    args = p.parse_args()
    cfg, doc_path, pages = site()
    with serve(doc_path) as base:
        check_home(base, cfg, pages); print(f'home page ok: {base}index.html')
        check_api(base, cfg, pages); print('API page ok')
        if args.screenshot: screenshot(base, args.screenshot); print(f'screenshot: {args.screenshot}')
