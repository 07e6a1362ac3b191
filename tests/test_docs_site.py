"""Open the built documentation site (`_docs/`, from `python tools/build_docs.py`) in headless Chromium, served from a
loopback HTTP server (127.0.0.1 only), and check that it reads like docs.fast.ai:

- home page and an API page: the title, the sidebar with every page, smalldocs' script ran, no JavaScript error;
- the sidebar is grouped, tutorials first, then data, models, scoring, strategies, the loop, experiments,
  integrations, each notebook in its group (`tools/docs_nbdev.py`'s rules);
- the navbar links to the repository (`[project.urls] Repository`);
- committed outputs are on the pages: every notebook's pandas tables and pictures are in its page, and in the
  browser a page's DataFrame is visible, has room in its cells and scrolls sideways instead of being cut off, and
  a plot image is loaded;
- `show_doc` signatures wrap: no signature box overflows sideways or leaves the column, at 1280 and 700 px;
- a class renders as `class Name(...)` (not `def Name(...)->None`), with its docments table;
- fastai names in backticks (`Learner`, `DataBlock`, `fine_tune`) link to docs.fast.ai;
- with `example_outputs = "strict"` in pyproject.toml, every notebook example cell has its output committed;
- and, without a browser, the build's rules: which sidebar group a new notebook joins, which cells are examples
  that need an output, which cells are test-only imports.

    python tests/test_docs_site.py                                  # the checks; exit 1 if one fails
    python tests/test_docs_site.py --screenshot docs/screenshot.png # and a screenshot of the home page

Chromium: `apt-get install -y chromium` (Debian). Runs under pytest too, where a missing browser skips. Layout is
measured by a script the test server adds to the page it serves (`?measure`), read back with `--dump-dom`.
"""
import html, importlib, inspect, json, re, shutil, subprocess, sys, tempfile, threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
sys.path.insert(0, str(ROOT))
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--enable-logging=stderr', '--v=0', '--hide-scrollbars']
FASTAI_NAMES = ['Learner', 'DataBlock', 'fine_tune']  # in backticks in the notebooks, linked to docs.fast.ai

# Run in the page once it has loaded: what the checks need to know about its layout, as JSON in `body[data-measure]`
MEASURE_JS = r"""
<script>
window.addEventListener('load', () => setTimeout(() => {
  const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width, height: r.height}; };
  const main = document.querySelector('main');
  const m = {main: main ? box(main) : null, width: window.innerWidth};
  m.sigs = [...document.querySelectorAll('.cell-output-markdown pre')].map(p => (
    {text: p.textContent.slice(0, 80), sw: p.scrollWidth, cw: p.clientWidth, box: box(p)}));
  m.frames = [...document.querySelectorAll('table.dataframe')].map(t => {
    const out = t.closest('.cell-output') || t.parentElement, td = t.querySelector('tbody td');
    return {table: box(t), out: box(out), out_sw: out.scrollWidth, out_cw: out.clientWidth,
            overflow: getComputedStyle(out).overflowX, pad: td ? parseFloat(getComputedStyle(td).paddingLeft) : 0,
            rows: t.querySelectorAll('tbody tr').length};
  });
  m.images = [...document.querySelectorAll('.cell-output img')].map(i => ({natural: i.naturalWidth, box: box(i)}));
  m.sections = [...document.querySelectorAll('#quarto-sidebar .sidebar-item-section')].map(s => (
    {title: s.querySelector('.menu-text').textContent.trim(),
     pages: [...s.querySelectorAll('a[href$=".html"]')].map(a => a.getAttribute('href'))}));
  m.repo = [...document.querySelectorAll('nav.navbar a[href]')].filter(a => a.getBoundingClientRect().width > 0)
                                                              .map(a => a.getAttribute('href'));
  document.body.setAttribute('data-measure', JSON.stringify(m));
}, 200));
</script>
"""


def chromium():
    "The Chromium (or Chrome) executable, or None."
    return next((p for p in map(shutil.which, ['chromium', 'chromium-browser', 'google-chrome']) if p), None)


class _Handler(SimpleHTTPRequestHandler):
    "Serves the site; an HTML page asked for with `?measure` gets `MEASURE_JS` before its `</body>`."
    def log_message(self, *args): pass

    def do_GET(self):
        path, _, query = self.path.partition('?')
        if 'measure' not in query.split('&') or not path.endswith('.html'): return super().do_GET()
        f = Path(self.translate_path(path))
        if not f.is_file(): return self.send_error(404)
        body = f.read_text(encoding='utf-8').replace('</body>', MEASURE_JS + '</body>', 1).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/html; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(directory:Path):
    "Serve `directory` on 127.0.0.1 (a free port) while the block runs; yield the base URL."
    server = ThreadingHTTPServer(('127.0.0.1', 0), partial(_Handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try: yield f'http://127.0.0.1:{server.server_address[1]}/'
    finally:
        server.shutdown(); server.server_close(); thread.join()


def browse(url:str, *args, width:int=1280, height:int=900)->tuple:
    "Run headless Chromium on `url` with `args`, in a fresh profile and a `width`×`height` window; return (stdout, stderr)."
    exe = chromium()
    if exe is None: raise FileNotFoundError('Chromium is needed: apt-get install -y chromium')
    with tempfile.TemporaryDirectory(prefix='chromium-') as profile:
        r = subprocess.run([exe, *FLAGS, f'--user-data-dir={profile}', '--virtual-time-budget=5000',
                            f'--window-size={width},{height}', *args, url], capture_output=True, text=True, timeout=120)
    if r.returncode: raise RuntimeError(f'chromium exited with {r.returncode}: {r.stderr[-2000:]}')
    return r.stdout, r.stderr


def measure(base:str, page:str, width:int=1280)->tuple:
    "Open `page` with the measuring script; return (its DOM, the measurements, Chromium's log)."
    dom, err = browse(f'{base}{page}?measure', '--dump-dom', width=width)
    m = re.search(r'<body[^>]*\bdata-measure="([^"]*)"', dom)
    assert m, f'{page}: the page did not run the measuring script: {js_errors(err)}'
    return dom, json.loads(html.unescape(m.group(1))), err


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


def page_of(cfg, nb:Path)->str:
    from nbdev.config import nbpath2html
    return nbpath2html(Path(nb).relative_to(cfg.nbs_path)).as_posix()


def notebooks(cfg)->list:
    return sorted(p for p in cfg.nbs_path.glob('*.ipynb') if not p.name.startswith(('_', '.')))


# ------------------------------------------------------------------------------------------- the checks
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


def check_sidebar_groups(cfg, m:dict):
    "Sections in the order of `SIDEBAR_GROUPS` (tutorials first), each notebook's page in its group's section."
    from docs_nbdev import SIDEBAR_GROUPS, sidebar_group
    titles = [s['title'] for s in m['sections']]
    order = [t for t, _ in SIDEBAR_GROUPS] + ['More']
    assert titles and titles[0] == 'Tutorials', f'the sidebar does not start with the tutorials: {titles}'
    assert all(t in order for t in titles) and titles == sorted(titles, key=order.index), f'sidebar sections {titles}'
    where = {p: s['title'] for s in m['sections'] for p in s['pages']}
    wrong = {page_of(cfg, nb): (where.get(page_of(cfg, nb)), sidebar_group(nb.name)) for nb in notebooks(cfg)
             if nb.name != cfg.readme_nb and where.get(page_of(cfg, nb)) != sidebar_group(nb.name)}
    assert not wrong, f'pages in the wrong sidebar section (is, should be): {wrong}'


def check_navbar_repo(cfg, m:dict):
    assert cfg.git_url and cfg.git_url in [h.rstrip('/') for h in m['repo']], \
        f'the navbar has no visible link to the repository {cfg.git_url}: {m["repo"]}'


def check_home(base:str, cfg, pages:list):
    "The home page: title, sidebar (grouped), navbar link to the repository, no JavaScript error."
    dom, m, err = measure(base, 'index.html')
    check_page(dom, err, cfg.title, [p for _, _, p, _ in pages])
    check_sidebar_groups(cfg, m)
    check_navbar_repo(cfg, m)
    return m


def check_signatures(page:str, m:dict, min_sigs:int=1):
    "Every `show_doc` signature box of the page is within the column and does not overflow sideways."
    assert len(m['sigs']) >= min_sigs, f'{page}: {len(m["sigs"])} show_doc signature(s) at {m["width"]} px'
    main = m['main']
    bad = [s['text'] for s in m['sigs'] if s['sw'] > s['cw'] + 1 or s['box']['right'] > main['right'] + 1]
    assert not bad, f'{page} at {m["width"]} px: signatures overflow their box or the column: {bad}'


def check_api(base:str, cfg, pages:list):
    "The API page with the most plain functions and classes: its title, a `show_doc` heading and signature, wrapping"
    mod, nb, page, anchors = max(pages, key=lambda o: sum('.' not in n for n in o[3]))
    dom, m, err = measure(base, page)
    check_page(dom, err, cfg.title, [p for _, _, p, _ in pages])
    name, anchor = next((n, a) for n, a in anchors.items() if '.' not in n)
    assert re.search(rf'<h[1-6][^>]*\bid="{re.escape(anchor)}"', dom), f'{page}: no show_doc heading for {name}'
    assert re.search(rf'\b(def|class)\s+{re.escape(name)}\b', text_of(dom)), f'{page}: no signature of {name}'
    bar = re.search(r'<nav id="quarto-sidebar".*?</nav>', dom, re.S).group(0)
    assert 'active' in re.search(rf'<a href="{re.escape(page)}"[^>]*>', bar).group(0), f'{page} is not marked in the sidebar'
    check_signatures(page, m)


def a_class(pages:list)->tuple:
    "A documented class that has docments (a comment per parameter): (its page, name, anchor)."
    from fastcore.docments import DocmentTbl
    for mod, nb, page, anchors in pages:
        module = importlib.import_module(mod)
        for name, anchor in anchors.items():
            o = getattr(module, name, None) if '.' not in name else None
            if inspect.isclass(o) and o.__module__ == mod:
                try:
                    if DocmentTbl(o).has_docment: return page, name, anchor
                except Exception: pass
    raise AssertionError('no documented class with docments in the library')


def show_doc_block(dom:str, name:str)->str:
    "The HTML of one `show_doc` output: the Markdown output whose heading is `name`, up to the next output."
    parts = re.split(r'(?=<div class="cell-output[^"]*cell-output-markdown)', dom)
    heads = lambda b: [text_of(h).strip() for h in re.findall(r'<h[1-6][^>]*>(.*?)</h[1-6]>', b, re.S)]
    block = next((b for b in parts[1:] if name in heads(b)), None)
    assert block, f'no show_doc output with the heading {name}'
    return block


def check_class(base:str, pages:list):
    "A class reads `class Name(...)` (not `def Name(...)->None`), with its docments table; its signature wraps."
    page, name, anchor = a_class(pages)
    for width in (1280, 700):
        dom, m, _ = measure(base, page, width=width)
        check_signatures(page, m)
    block = show_doc_block(dom, name)
    text = text_of(block)
    assert re.search(rf'\bclass\s+{re.escape(name)}\b', text), f'{page}: {name} is not shown as a class: {text[:300]!r}'
    assert not re.search(rf'\bdef\s+{re.escape(name)}\(', text), f'{page}: {name} is shown as a function'
    assert re.search(r'<table.*?Details.*?</table>', block, re.S), f'{page}: {name} has no docments table'
    return page, name


def committed_outputs(cfg)->dict:
    "{page: {'dataframe': n, 'image': n}} from the notebooks' committed outputs of cells the docs show"
    from docs_nbdev import is_test_import_cell
    res = {}
    for nb in notebooks(cfg):
        cells = json.loads(nb.read_text(encoding='utf-8'))['cells']
        n = {'dataframe': 0, 'image': 0}
        for c in cells:
            src = ''.join(c.get('source', ''))
            if c['cell_type'] != 'code' or re.search(r'^#\|\s*(hide|export|exporti)\b|^#\|\s*(output|include):\s*false', src, re.M):
                continue
            if is_test_import_cell(src): continue
            for o in c.get('outputs', []):
                d = o.get('data', {})
                n['dataframe'] += 'class="dataframe"' in ''.join(d.get('text/html', ''))
                n['image'] += any(k.startswith('image/') for k in d)
        if any(n.values()): res[page_of(cfg, nb)] = n
    return res


def check_outputs_in_pages(cfg, doc_path:Path)->dict:
    "Every page holds at least as many DataFrames and pictures as its notebook's committed outputs."
    expected, short = committed_outputs(cfg), []
    for page, n in expected.items():
        h = (doc_path/page).read_text(encoding='utf-8')
        got = {'dataframe': h.count('class="dataframe"'), 'image': len(re.findall(r'<img src="data:image/|<svg\b', h))}
        short += [f'{page}: {got[k]} {k}(s), the notebook has {n[k]}' for k in n if got[k] < n[k]]
    assert not short, f'committed outputs missing from the pages: {short}'
    return expected


def check_output_shown(base:str, cfg, doc_path:Path):
    "In the browser: a page's DataFrame has room and scrolls instead of being cut off; a plot image is loaded."
    expected = check_outputs_in_pages(cfg, doc_path)
    frame_page = next((p for p in ['strategies.core.html', 'index.html'] if expected.get(p, {}).get('dataframe')),
                      next((p for p, n in expected.items() if n['dataframe']), None))
    image_page = next((p for p, n in expected.items() if n['image']), None)
    assert frame_page or image_page, 'no notebook has a committed DataFrame or picture output'
    if frame_page:
        _, m, _ = measure(base, frame_page)
        assert m['frames'], f'{frame_page}: no DataFrame shown'
        for f in m['frames']:
            assert f['table']['height'] > 0 and f['rows'] > 0, f'{frame_page}: an empty or hidden DataFrame: {f}'
            assert f['pad'] >= 6, f'{frame_page}: DataFrame cells are cramped ({f["pad"]} px of padding)'
            assert f['out']['right'] <= m['main']['right'] + 1, f'{frame_page}: a DataFrame leaves the column: {f}'
            cut = f['out_sw'] > f['out_cw'] + 1
            assert not cut or f['overflow'] in ('auto', 'scroll'), f'{frame_page}: a wide DataFrame is cut off: {f}'
    if image_page:
        _, m, _ = measure(base, image_page)
        assert any(i['natural'] > 0 and i['box']['width'] > 0 for i in m['images']), f'{image_page}: no plot image loaded'
    return frame_page, image_page


def check_fastai_links(cfg, doc_path:Path):
    "Each of `FASTAI_NAMES` in backticks in a notebook's Markdown is a link to docs.fast.ai on its page."
    seen, bad = {}, []
    for nb in notebooks(cfg):
        md = '\n'.join(''.join(c['source']) for c in json.loads(nb.read_text(encoding='utf-8'))['cells']
                       if c['cell_type'] == 'markdown')
        page = doc_path/page_of(cfg, nb)
        for name in FASTAI_NAMES:
            if not re.search(rf'`{name}`', md): continue
            seen.setdefault(name, page.name)
            if not re.search(rf'<a href="https://docs\.fast\.ai/[^"]*"[^>]*><code>{name}</code></a>', page.read_text(encoding='utf-8')):
                bad.append(f'{page.name}: `{name}`')
    assert seen, f'no notebook mentions {FASTAI_NAMES} in backticks'
    assert not bad, f'fastai names not linked to docs.fast.ai: {bad}'
    return seen


def check_fastai_link_in_browser(base:str, cfg, doc_path:Path):
    "One of those links, in the page as Chromium shows it."
    seen = check_fastai_links(cfg, doc_path)
    name, page = next(iter(seen.items()))
    dom, _ = browse(base + page, '--dump-dom')
    assert re.search(rf'<a href="https://docs\.fast\.ai/[^"]*"[^>]*><code>{name}</code></a>', dom), f'{page}: {name} not linked'
    return name, page


def screenshot(base:str, dest:Path):
    dest.parent.mkdir(parents=True, exist_ok=True)
    browse(base + 'index.html', f'--screenshot={dest.resolve()}', height=1600)
    assert dest.stat().st_size > 10_000, 'the screenshot is nearly empty'


def check_rules():
    "The build's rules, without a browser: sidebar groups of the notebooks being added, example cells, test imports."
    from docs_nbdev import sidebar_group, is_test_import_cell
    from check_outputs import shows_something
    groups = {'00_files.ipynb': 'Experiments', '06_data.folder.ipynb': 'Data', '12_fit.ipynb': 'Active learning loop',
              '31_callbacks.ipynb': 'Active learning loop', '52_labelstudio.ipynb': 'Integrations',
              '70_app.ipynb': 'Integrations', 'tutorial.human_labels.ipynb': 'Tutorials', '21_strategies.core.ipynb': 'Strategies',
              '20_scoring.ipynb': 'Scoring', '44_tracking.ipynb': 'Integrations', '60_cli.ipynb': 'Experiments',
              '15_models.vit.ipynb': 'Models', '38_loop_extra.ipynb': 'Active learning loop', 'faq.ipynb': 'More'}
    wrong = {n: (sidebar_group(n), g) for n, g in groups.items() if sidebar_group(n) != g}
    assert not wrong, f'sidebar groups (is, should be): {wrong}'
    shows = {'top_n(acq, 4)': 'expression', 'df': 'expression', 'x = 1\nx, x + 1': 'expression', 'print(x)': 'expression',
             'ax = plot_learning_curves(df)': 'draws', 'learn.show_acquired()\nlen(x)': 'draws', 'show_doc(f)': 'draws',
             'x = 1': None, 'test_eq(f(1), 2)': None, 'assert f(1) == 2': None, 'f(1);': None, 'f(1)  ;  # silent': None,
             'import numpy as np': None, 'def f():\n    plot(1)\n    return 1': None, 'warnings.simplefilter("ignore")': None,
             '%time f(1)': None}
    wrong = {c: (shows_something(c), w) for c, w in shows.items() if shows_something(c) != w}
    assert not wrong, f'example cells (is, should be): {wrong}'
    assert is_test_import_cell('from fastcore.test import *\nfrom torch import tensor')
    assert is_test_import_cell('import tempfile\nfrom fastai.test_utils import *')
    assert not is_test_import_cell('from fastai_al.all import *')
    assert not is_test_import_cell('from fastcore.test import *\ntest_eq(1, 1)')


def check_example_outputs(cfg):
    "With `example_outputs = \"strict\"` in pyproject.toml: every example cell (not `#| slow`) has its output committed."
    from check_outputs import report, notebooks as all_nbs
    mode = str(cfg.get('example_outputs', 'strict'))
    text, n = report(all_nbs(ROOT))
    assert mode != 'strict' or not n, f'{n} example cell(s) without output (`nbdev-test --save nbs/X.ipynb`):\n{text}'
    return mode, n


# ------------------------------------------------------------------------------------------- pytest
def test_rules(): check_rules()


def test_example_outputs():
    from nbdev.config import get_config
    check_example_outputs(get_config(ROOT))


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


def test_class_renders_as_class():
    _skip_without_browser()
    cfg, doc_path, pages = site()
    with serve(doc_path) as base: check_class(base, pages)


def test_outputs_shown():
    _skip_without_browser()
    cfg, doc_path, pages = site()
    with serve(doc_path) as base: check_output_shown(base, cfg, doc_path)


def test_fastai_links():
    _skip_without_browser()
    cfg, doc_path, pages = site()
    with serve(doc_path) as base: check_fastai_link_in_browser(base, cfg, doc_path)


if __name__ == '__main__':
    import argparse, time
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--screenshot', type=Path, help='also save a screenshot of the home page here')
    args = p.parse_args()
    start = time.time()
    check_rules(); print('rules ok: sidebar groups of new notebooks, example cells, test-only imports')
    cfg, doc_path, pages = site()
    mode, n = check_example_outputs(cfg)
    print(f'example outputs ({mode}): {n} example cell(s) without output' + (' (listed by tools/check_outputs.py)' if n else ''))
    with serve(doc_path) as base:
        m = check_home(base, cfg, pages)
        print(f'home page ok: {base}index.html; sidebar sections {[s["title"] for s in m["sections"]]}; navbar links to {cfg.git_url}')
        check_api(base, cfg, pages); print('API page ok: show_doc headings, signatures within the column')
        page, name = check_class(base, pages); print(f'{page}: {name} renders as a class with its docments table; signatures wrap at 1280 and 700 px')
        frame_page, image_page = check_output_shown(base, cfg, doc_path)
        print(f'outputs ok: every committed DataFrame and picture is on its page; DataFrames on {frame_page}, a plot on {image_page}')
        name, page = check_fastai_link_in_browser(base, cfg, doc_path); print(f'fastai links ok: `{name}` on {page} -> docs.fast.ai')
        if args.screenshot: screenshot(base, args.screenshot); print(f'screenshot: {args.screenshot}')
    print(f'docs site checks passed in {time.time() - start:.0f}s')
