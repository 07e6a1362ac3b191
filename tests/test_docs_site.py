"""Open the built documentation site (`_docs/`, from `python tools/build_docs.py`) in headless Chromium, served from a
loopback HTTP server (127.0.0.1 only), and check that a fastai user can trust it at a glance:

- home page and an API page: the title, the sidebar with every page, smalldocs' script ran, no JavaScript error;
- the sidebar is grouped, tutorials first, then data, models, scoring, strategies, the loop, experiments,
  integrations and the internals, each notebook in its group and in its group's order (`tools/docs_nbdev.py`);
- the home page's first screen: what it is, the install commands in full (they wrap or break into lines, never
  cut off), and code; the tutorials listed under the sidebar's titles, in its order; each tutorial but the last
  ends with "Next", linking the one after it;
- the outputs read as a notebook shows them: no console progress bars, no warnings, no machine paths
  (`/work/`, `.venv`, `/root/`, `<ipython-input…>`), no raw Markdown table printed as text; no words about the
  machine that built the pages; no test-only cell on any page (the notebooks keep their tests right below each
  example; the build leaves them out: `docs_nbdev.hide_test_cells`, by `check_outputs.test_only_cells`, the one
  definition both use), no test harness or section of tests;
- figures: `show_acquired`'s titles do not overlap the images of the row above (measured on the figure);
- signatures: a callback's shows its own arguments, not fastai's 25 `after_x=None` event arguments; every
  `show_doc` signature wraps within the column, at 1280 and 700 px; a class reads `class Name(...)` with its
  docments table;
- the navbar links to the repository; committed DataFrames and pictures are on the pages, DataFrames scroll
  instead of being cut off; fastai names in backticks link to docs.fast.ai;
- with `example_outputs = "strict"` in pyproject.toml, every notebook example cell has its output committed;
- and, without a browser, the build's rules: which sidebar group a new notebook joins, which cells are examples
  that need an output, which cells are test-only imports, which cells only test and that the build leaves those out.

Each page check is shown failing on a deliberately broken site (`broken_site`, written into a temporary folder)
before it runs on the real one (`check_catches_broken_site`).

    python tests/test_docs_site.py                                  # the checks; exit 1 if one fails
    python tests/test_docs_site.py --screenshot docs/screenshot.png # and a screenshot of the home page

Chromium: `apt-get install chromium` (Debian). Without it the checks are skipped with one line saying so (exit 0),
unless `$FASTAI_AL_REQUIRE_BROWSER` is set (CI), where that is an error (`fastai_al.test_utils.chromium_or_skip`).
Runs under pytest too. Layout is measured by a script the test server adds to the page it serves (`?measure`),
read back with `--dump-dom`.
"""
import ast, html, importlib, inspect, json, os, re, shutil, subprocess, sys, tempfile, textwrap, threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
sys.path.insert(0, str(ROOT))
from fastai_al.test_utils import find_chromium, chromium_or_skip, BrowserMissing
WHAT = 'the docs site checks (tests/test_docs_site.py)'  # as the line that skips them names them
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
  m.height = window.innerHeight;
  m.pres = [...document.querySelectorAll('main pre')].filter(p => !p.closest('.cell-output')).map(p => {
    const r = p.getBoundingClientRect();
    return {text: p.textContent.slice(0, 200), cls: p.className + ' ' + ((p.querySelector('code') || p).className),
            top: r.top + window.scrollY, bottom: r.bottom + window.scrollY, sw: p.scrollWidth, cw: p.clientWidth};
  });
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
    "The Chromium (or Chrome) executable, or None (`fastai_al.test_utils.find_chromium`)."
    return find_chromium()


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
    "Sections in the order of `SIDEBAR_GROUPS` (tutorials first), each notebook's page in its group's section, in its order"
    from docs_nbdev import SIDEBAR_GROUPS, SIDEBAR_ORDER, sidebar_group
    titles = [s['title'] for s in m['sections']]
    order = [t for t, _ in SIDEBAR_GROUPS] + ['More']
    assert titles and titles[0] == 'Tutorials', f'the sidebar does not start with the tutorials: {titles}'
    assert all(t in order for t in titles) and titles == sorted(titles, key=order.index), f'sidebar sections {titles}'
    where = {p: s['title'] for s in m['sections'] for p in s['pages']}
    wrong = {page_of(cfg, nb): (where.get(page_of(cfg, nb)), sidebar_group(nb.name)) for nb in notebooks(cfg)
             if nb.name != cfg.readme_nb and where.get(page_of(cfg, nb)) != sidebar_group(nb.name)}
    assert not wrong, f'pages in the wrong sidebar section (is, should be): {wrong}'
    pages = {s['title']: s['pages'] for s in m['sections']}
    for title, first in SIDEBAR_ORDER.items():
        want = [re.sub(r'^\d+_', '', Path(p).stem) + '.html' for p in first]
        got = [p for p in pages.get(title, []) if p in want]
        assert got == [p for p in want if p in pages.get(title, [])] and pages.get(title, [])[:len(got)] == got, \
            f'sidebar section {title!r} lists {pages.get(title)}; it should start with {want}'


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


def screenshot_(base:str, dest:Path):
    dest.parent.mkdir(parents=True, exist_ok=True)
    browse(base + 'index.html', f'--screenshot={dest.resolve()}', height=1600)
    assert dest.stat().st_size > 10_000, 'the screenshot is nearly empty'


def check_rules():
    "The build's rules, without a browser: sidebar groups of the notebooks being added, example cells, test imports."
    from docs_nbdev import sidebar_group, is_test_import_cell
    from check_outputs import shows_something
    groups = {'00_files.ipynb': 'Internals', '49_chaos.ipynb': 'Internals', '90_test_utils.ipynb': 'Internals',
              '83_studies.gal2017.ipynb': 'Studies', '07_data.folder.ipynb': 'Data', '13_fit.ipynb': 'Active learning loop',
              '31_callbacks.ipynb': 'Active learning loop', '52_labelstudio.ipynb': 'Integrations',
              '70_app.ipynb': 'Integrations', 'tutorial.human_labels.ipynb': 'Tutorials', '21_strategies.core.ipynb': 'Strategies',
              '20_scoring.ipynb': 'Scoring', '44_tracking.ipynb': 'Integrations', '60_cli.ipynb': 'Experiments',
              '15_models.vit.ipynb': 'Models', '40_runs.experiment.ipynb': 'Experiments', '61_distributed.ipynb': 'Experiments',
              '72_app.session.ipynb': 'Integrations', '07_data.features.ipynb': 'Data', '53_baal.ipynb': 'Integrations', '82_studies.chaos.ipynb': 'Studies', '81_studies.experiments.ipynb': 'Studies', '38_loop_extra.ipynb': 'Active learning loop', 'faq.ipynb': 'More'}
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
    check_test_only_rule()


# (code, has a committed output) -> whether the cell only tests; the build hides exactly these (`hide_test_cells`)
TEST_ONLY = {('test_eq(f(1), 2)', False): True, ('assert f(1) == 2', False): True,
             ('x = f(1)\ntest_eq(x, 2)', False): True,                        # set-up lines are part of the test
             ('with tempfile.TemporaryDirectory() as d:\n    test_eq(f(d), 1)', False): True,
             ('test_fail(lambda: f(0), contains="positive")', False): True,
             ('test_eq(f(1), 2)', True): False,                               # it shows an output (a progress table)
             ('test_eq(x, 1)\nx', False): False,                              # a bare expression: an example
             ('learn.show_acquired(acq)\ntest_eq(len(acq), 10)', False): False,  # it draws
             ('ax = plot_learning_curves(df)\ntest_eq(len(ax.lines), 2)', False): False,
             ('print(n)\ntest_eq(n, 3)', False): False,                       # it prints
             ('a = f(1)\nb = g(a)\nc = h(b)\ntest_eq(c, 2)', False): False,   # mostly code, one check
             ('def f(x): return x\ntest_eq(f(1), 1)', False): False,          # it defines a function
             ('x = 1', False): False, ('%time f(1)', False): False, ('', False): False}


def check_test_only_rule():
    "`check_outputs.is_test_only` on `TEST_ONLY`; `test_only_cells` keeps a test cell whose name a later shown cell"
    "reads; the docs processor leaves out exactly those cells of a notebook"
    from check_outputs import is_test_only, test_only_cells
    wrong = {c: (is_test_only(*c), w) for c, w in TEST_ONLY.items() if is_test_only(*c) != w}
    assert not wrong, f'test-only cells (is, should be): {wrong}'
    page = [('df = pd.read_csv(f)\ntest_eq(len(df), 8)', False),   # needed: the example below reads `df`
            ('test_eq(df.shape, (8, 3))', False),                  # hidden
            ('df.head(2)', True),                                 # an example
            ('for k in range(3): test_eq(f(k), k)', False),         # hidden: the next cell sets `k` itself
            ('k = 2\nf(k)', True),
            ('g = lambda s: s\ntest_eq(g(1), 1)', False),          # hidden: nothing after it reads `g`
            ('test_eq(f(1), 1)\nprint("ok")', True)]              # shown: it prints
    want = [False, True, False, True, False, True, False]
    assert test_only_cells(page) == want, f'test_only_cells: {test_only_cells(page)}, should be {want}'
    # the docs processor on a notebook of these cells (nbdev's processor machinery, as the docs build runs it)
    from fastcore.nbio import dict2nb, mk_cell
    from nbdev.process import NBProcessor
    from docs_nbdev import hide_test_cells, close_intros
    def code(src, out):
        c = mk_cell(src, 'code')
        c['outputs'] = [{'output_type': 'stream', 'name': 'stdout', 'text': 'x\n'}] if out else []
        return c
    cells = [mk_cell('# Title', 'markdown'), code('#| export\ndef f(x): return x', False)]
    cells += [code(c, o) for c, o in page]
    cells += [code('#| output: false\ntest_eq(f(1), 1)', True),      # its output is not on the page
              code('#| echo: false\ntest_eq(f(2), 2)', False)]        # code not shown: left to its directive
    # a sentence that introduced a test ends with a full stop; one that introduces a list keeps its colon
    intro = [mk_cell('A bad name is an error:', 'markdown'), code('test_fail(lambda: f("x"), contains="x")', False),
             mk_cell('Two ways:', 'markdown'), mk_cell('- one\n- two', 'markdown'), mk_cell('It returns:', 'markdown'),
             code('f(3)', True), mk_cell('Killed, it lets go:', 'markdown'), code('test_eq(f(4), 4)', False),
             code('f(5)', True), mk_cell('The end:', 'markdown')]
    cells += intro
    nb = dict2nb({'cells': cells, 'metadata': {'kernelspec': {'language': 'python', 'name': 'python3'},
                                               'language_info': {'name': 'python'}}, 'nbformat': 4, 'nbformat_minor': 5})
    proc = NBProcessor(nb=nb, procs=[hide_test_cells, close_intros], rm_directives='quarto')
    proc.process()
    left = [c.source for c in proc.nb.cells if c.cell_type == 'code'][:-2]   # but the last section's `f(3)`, `f(5)`
    md = [c.source for c in proc.nb.cells if c.cell_type == 'markdown'][1:]
    want_md = ['A bad name is an error.', 'Two ways:', '- one\n- two', 'It returns:', 'Killed, it lets go.', 'The end.']
    assert md == want_md, f'the docs processor made the Markdown cells {md}, should make {want_md}'
    want_left = ['def f(x): return x'] + [c for (c, o), w in zip(page, want) if not w] + ['#| echo: false\ntest_eq(f(2), 2)']
    got = [re.sub(r'^#\| export.*\n', '', l).strip() for l in left]
    assert got == want_left, f'the docs processor left {got}, should leave {want_left}'


def check_example_outputs(cfg):
    "With `example_outputs = \"strict\"` in pyproject.toml: every example cell (not `#| slow`) has its output committed."
    from check_outputs import report, notebooks as all_nbs
    mode = str(cfg.get('example_outputs', 'strict'))
    text, n = report(all_nbs(ROOT))
    assert mode != 'strict' or not n, f'{n} example cell(s) without output (`nbdev-test --save nbs/X.ipynb`):\n{text}'
    return mode, n


# ------------------------------------------------------------------------------------------- what a page shows
VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'}

def elements(markup:str, match)->list:
    "The inner HTML of each element whose start tag `match(tag, attrs)` accepts (attrs: the raw attribute text)"
    res, stack = [], []
    for t in re.finditer(r'<(/?)([a-zA-Z][\w-]*)([^>]*?)(/?)>', markup):
        closing, tag, attrs, selfclose = t.group(1), t.group(2).lower(), t.group(3), t.group(4)
        if tag in VOID or selfclose: continue
        if not closing: stack.append((tag, t.end(), match(tag, attrs))); continue
        while stack:
            otag, start, keep = stack.pop()
            if keep: res.append((start, markup[start:t.start()]))
            if otag == tag: break
    return [r for _, r in sorted(res)]


def has_class(attrs:str, cls:str)->bool:
    m = re.search(r'\bclass="([^"]*)"', attrs)
    return bool(m) and cls in m.group(1).split()


def main_of(page_html:str)->str:
    "The page's main content (without the sidebar, navbar and table of contents)"
    m = elements(page_html, lambda t, a: t == 'main')
    return m[0] if m else page_html


def output_texts(page_html:str)->list:
    "The text of every text output (stdout, stderr, a printed result) of the page's cells"
    outs = elements(main_of(page_html), lambda t, a: t == 'div' and has_class(a, 'cell-output'))
    return [text_of(p) for o in outs for p in re.findall(r'<pre[^>]*>(.*?)</pre>', o, re.S)]


def cells_of(page_html:str)->list:
    "Each code cell of the page: (its source code, whether it shows an output)"
    res = []
    for cell in elements(main_of(page_html), lambda t, a: t == 'div' and has_class(a, 'cell') and re.search(r'\bid="cell-', a)):
        code = re.search(r'<pre class="sourceCode[^"]*cell-code[^"]*"><code[^>]*>(.*?)</code></pre>', cell, re.S)
        res.append((text_of(code.group(1)) if code else '', 'cell-output' in cell))
    return res


HARNESS = re.compile(r'\bsync_playwright\b|\bAppProcess\(|^def test_\w+\(', re.M)  # a browser test harness


def shown_test_material(page:str, page_html:str)->list:
    "Test material shown: a test-only cell (`check_outputs.test_only_cells`, the rule the build hides them by), a test"
    "harness, or a section of tests only"
    from check_outputs import test_only_cells
    problems, cells = [], cells_of(page_html)
    tests = test_only_cells(cells)
    for (code, out), test in zip(cells, tests):
        first = code.strip().split('\n')[0][:70]
        if test: problems.append(f'{page}: a test-only cell is shown: {first}')
        elif HARNESS.search(code): problems.append(f'{page}: a test harness is shown: {first}')
    # a heading followed by tests only (up to the next paragraph, list, table or heading): a section of tests
    body = main_of(page_html)
    for h in re.finditer(r'<h([2-6])[^>]*>(.*?)</h\1>', body, re.S):
        rest = body[h.end():]
        end = re.search(r'<(p|ul|ol|table|h[1-6]|section)\b|<div class="sd-table', rest)
        k, n = len(cells_of(body[:h.end()])), len(cells_of(rest[:end.start() if end else len(rest)]))
        if n and all(tests[k:k + n]):
            problems.append(f'{page}: under the heading {text_of(h.group(2)).strip()!r}, only tests')
    return problems


# What a page's outputs must not show
PROGRESS = re.compile(r'█|\|[█\-]{10,}\||^\s*Epoch \d+/\d+ :', re.M)  # fastprogress's console bars
WARNING = re.compile(r'\b\w*Warning: ')  # `UserWarning: …`, as `warnings` prints it
MACHINE_PATH = re.compile(r'/work/|\.venv\b|/root/|/home/\w|site-packages|<ipython-input')
RAW_TABLE = re.compile(r'^\s*\|(\s*:?-{3,}:?\s*\|){2,}\s*$', re.M)  # a Markdown table printed as text: `|---|---|`
# Words about the machine that ran the notebooks, not about the library
BUILD_TALK = re.compile(r"other agents|agents' jobs|\bthis task\b|the build machine|on this machine|cannot download browsers here", re.I)


def intro_problems(page:str, page_html:str)->list:
    "Sentences that end with `:` and introduce nothing: a heading, another paragraph or the end of the section follows"
    body = main_of(page_html)
    after = lambda t: 'a paragraph' if t.startswith('<p') else 'a heading' if t.startswith('<h') else 'the end of its section'
    return [f'{page}: a sentence introduces nothing (a colon, then {after(m.group(2))}): {text_of(m.group(1))[-80:]!r}'
            for m in re.finditer(r'<p>((?:(?!</p>).)*?):</p>\s*(</section|<section|<h[1-6]|<p\b|</main|$)', body, re.S)]


def output_problems(page:str, page_html:str)->list:
    "Console progress bars, warnings, machine paths and raw Markdown tables in the page's outputs"
    problems = []
    for text in output_texts(page_html):
        for what, rx in [('console progress bars', PROGRESS), ('a warning', WARNING), ('a machine path', MACHINE_PATH),
                         ('a Markdown table printed as text', RAW_TABLE)]:
            m = rx.search(text)
            if m: problems.append(f'{page}: {what} in an output: {text[max(0, m.start() - 40):m.end() + 60]!r}')
    return problems


def build_talk_problems(page:str, page_html:str)->list:
    "Sentences of the page that talk about the machine that built it"
    text = text_of(re.sub(r'<(pre|script|style)\b.*?</\1>', '', main_of(page_html), flags=re.S))
    return [f'{page}: talks about the build machine: {text[max(0, m.start() - 60):m.end() + 40]!r}' for m in BUILD_TALK.finditer(text)]


EVENT_ARG = re.compile(r'\b(?:before|after)_\w+\s*(?::\s*NoneType\s*)?=\s*None')

def signature_problems(page:str, page_html:str)->list:
    "show_doc signatures that list fastai's event arguments (`after_batch=None`, …) instead of the callback's own"
    problems = []
    for out in elements(main_of(page_html), lambda t, a: t == 'div' and has_class(a, 'cell-output-markdown')):
        for sig in re.findall(r'<pre[^>]*>(.*?)</pre>', out, re.S):
            sig = text_of(sig)
            if len(EVENT_ARG.findall(sig)) >= 3: problems.append(f'{page}: the signature lists fastai\'s event arguments: {sig[:90]!r}')
    return problems


def sidebar_links(page_html:str, section:str)->list:
    "(href, title) of the pages in the sidebar's `section`"
    for sec in elements(page_html, lambda t, a: t == 'li' and has_class(a, 'sidebar-item-section')):
        title = re.search(r'class="menu-text">(.*?)</span>', sec, re.S)
        if title and text_of(title.group(1)).strip() == section:
            return [(h, text_of(t).strip()) for h, t in re.findall(r'<a href="([^"#]+\.html)"[^>]*>(.*?)</a>', sec, re.S)]
    return []


def tutorial_path_problems(pages:dict)->list:
    "The index lists the tutorials under the sidebar's titles and in its order; each but the last ends with 'Next', linking the one after it"
    index = pages.get('index.html', '')
    tuts = sidebar_links(index, 'Tutorials')
    if not tuts: return ['index.html: no Tutorials section in the sidebar']
    listed, body = [], main_of(index)
    sec = elements(body, lambda t, a: t == 'section' and re.search(r'\bid="tutorials"', a))
    for h, t in re.findall(r'<a href="(tutorial\.[^"#]+\.html)"[^>]*>(.*?)</a>', sec[0] if sec else body, re.S):
        if h not in [x for x, _ in listed]: listed.append((h, text_of(t).strip()))
    problems = [] if listed == tuts else [f'index.html lists the tutorials as {listed}; the sidebar as {tuts}']
    for (page, _), (nxt, _) in zip(tuts, tuts[1:]):
        body = main_of(pages.get(page, ''))
        blocks = re.findall(r'<(?:p|li|h[1-6])\b[^>]*>(.*?)</(?:p|li|h[1-6])>', body, re.S)
        tail = ' '.join(blocks[-4:])   # the last heading and lines of the page
        if not re.search(r'\bNext\b', text_of(tail)) or f'href="{nxt}' not in tail:
            problems.append(f'{page} does not end with "Next" linking {nxt}, the next tutorial')
    return problems


def page_problems(pages:dict)->list:
    "Every problem the page checks find in `pages` ({page: html})"
    from docs_nbdev import sidebar_group
    problems = []
    for page, h in pages.items():
        problems += output_problems(page, h) + build_talk_problems(page, h) + signature_problems(page, h)
        problems += shown_test_material(page, h) + intro_problems(page, h)
    return problems + tutorial_path_problems(pages)


def read_pages(doc_path:Path)->dict:
    return {f.relative_to(doc_path).as_posix(): f.read_text(encoding='utf-8') for f in sorted(Path(doc_path).glob('*.html'))}


def check_pages(doc_path:Path)->int:
    "The page checks on every page of the site; returns how many pages"
    pages = read_pages(doc_path)
    problems = page_problems(pages)
    assert not problems, f'{len(problems)} problem(s) on the pages:\n  ' + '\n  '.join(problems)
    return len(pages)


# ------------------------------------------------------------------------------------------- the first screen
INSTALL = re.compile(r'\bpip install\b')

def first_screen_problems(m:dict)->list:
    "The home page's first screen: the install commands in full, code; no command or code block cut off on the right"
    problems, h = [], m['height']
    inst = [p for p in m['pres'] if INSTALL.search(p['text'])]
    if not any(p['bottom'] <= h for p in inst):
        problems.append(f'the first {h} px of the home page show no install command ({len(inst)} further down)')
    if not any('python' in p['cls'] and p['top'] < h for p in m['pres']):
        problems.append(f'the first {h} px of the home page show no Python code')
    cut = [p['text'][:80] for p in m['pres'] if p['sw'] > p['cw'] + 1 and (INSTALL.search(p['text']) or ' sh' in f" {p['cls']}")]
    if cut: problems.append(f'commands cut off at {m["width"]} px (they should wrap or break into lines): {cut}')
    return problems


def check_first_screen(base:str, page:str='index.html')->dict:
    "The first-screen checks at 1280×900 (commands at 700 px wide too)"
    problems = []
    for width in (1280, 700):
        _, m, _ = measure(base, page, width=width)
        problems += first_screen_problems(m) if width == 1280 else [p for p in first_screen_problems(m) if 'cut off' in p]
    assert not problems, f'{page}: ' + '; '.join(problems)
    return m


# ------------------------------------------------------------------------------------------- figures
def overlapping_titles(fig)->list:
    "Axes titles of `fig` that overlap another axes' area (a title of the second row over the images of the first)"
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    axes = [a for a in fig.axes if a.get_visible()]
    res = []
    for a in axes:
        t = a.title.get_window_extent(r) if a.get_title() else None
        if t is None: continue
        for b in axes:
            if b is not a and t.overlaps(b.get_window_extent(r)): res.append((a.get_title(), b.get_title()))
    return res


def show_acquired_figures():
    "`show_acquired`'s figures as the docs draw them: the home page's grid and the human-labels tutorial's"
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from fastai_al.all import mnist_data, active_learner, gal_cnn
    data = mnist_data(n_train=120, n_valid=20, n_test=0, seed=0)
    learn = active_learner(data, data.new_pool(20, seed=0), gal_cnn(), bs=16)
    acq = learn.query(10, 'margin')
    figs = []
    for kw in [dict(ncols=6), dict(max_n=10, ncols=5), dict()]:
        before = set(plt.get_fignums())
        learn.show_acquired(acq, **kw)
        figs += [(kw, plt.figure(n)) for n in sorted(set(plt.get_fignums()) - before)]
    return figs


def check_figure_titles()->int:
    "No title of `show_acquired`'s grids overlaps another image"
    import matplotlib.pyplot as plt
    bad = []
    for kw, fig in show_acquired_figures():
        o = overlapping_titles(fig)
        if o: bad.append(f'show_acquired(acq, {kw}): {len(o)} title(s) overlap other images, e.g. {o[0]}')
        plt.close(fig)
    assert not bad, '; '.join(bad)
    return 3


# ------------------------------------------------------------------------------------------- a broken site
def _page(title:str, body:str, sidebar:str='')->str:
    return (f'<html><head><title>{title}</title></head><body><nav id="quarto-sidebar">{sidebar}</nav>'
            f'<main class="content">{body}</main></body></html>')

def _cell(k:int, code:str, output:str=None, lang:str='python')->str:
    out = '' if output is None else f'<div class="cell-output cell-output-stdout"><pre><code>{html.escape(output)}</code></pre></div>'
    return (f'<div id="cell-{k}" class="cell"><div class="sourceCode"><pre class="sourceCode {lang} cell-code">'
            f'<code class="sourceCode {lang}">{html.escape(code)}</code></pre></div>{out}</div>')

def _sig(sig:str)->str:
    return (f'<div class="cell"><div class="cell-output cell-output-display cell-output-markdown"><h3>X</h3>'
            f'<pre class="sourceCode python"><code class="sourceCode python">{html.escape(sig)}</code></pre></div></div>')


def broken_site(dest:Path)->Path:
    "A small site with every problem the page checks look for, one per page (`BROKEN`: the page and what it shows)"
    tuts = [('tutorial.one.html', 'First steps'), ('tutorial.two.html', 'Second steps')]
    bar = ('<ul><li class="sidebar-item sidebar-item-section"><span class="menu-text">Tutorials</span><ul>'
           + ''.join(f'<li><a href="{h}">{t}</a></li>' for h, t in tuts) + '</ul></li></ul>')
    long_cmd = 'python3 -m venv .venv && . .venv/bin/activate && pip install ' + ' '.join(f'package{k}==1.0' for k in range(30))
    pages = {
        # the first screen: a long command that does not wrap, the install step and the code below a tall intro
        'index.html': '<h1>lib</h1><div style="height:2000px">what it is</div>'
                      f'<pre class="sourceCode sh" style="white-space:pre;overflow-x:auto"><code>{long_cmd}</code></pre>'
                      + _cell(1, 'learn = active_learner(data)')
                      + f'<ul><li><a href="tutorial.two.html">Second steps</a></li><li><a href="tutorial.one.html">The first</a></li></ul>',
        'tutorial.one.html': '<h1>First steps</h1>' + _cell(1, 'x = 1\ntest_eq(x, 1)\nassert x') + '<p>The end.</p>',
        'tutorial.two.html': '<h1>Second steps</h1><p>Measured while other agents\' jobs ran.</p>' + _cell(1, 'x = 2', ''),
        'progress.html': _cell(1, 'learn.fit(1)', 'epoch  train_loss\nEpoch 1/1 : |████████----------| 50.00% [1/2 00:01<00:01]'),
        'warning.html': _cell(1, 'f()', '/work/main/.venv/lib/python3.11/site-packages/torch/x.py:12: FutureWarning: deprecated'),
        'ipython.html': _cell(1, 'g()', '<ipython-input-11-c4bac9117e63>:18: note'),
        'table.html': _cell(1, 'print(md)', '| strategy | acc |\n|---|---|\n| bald | 0.9 |'),
        'signature.html': _sig('class StopOnNaN(after_create:NoneType=None, before_fit:NoneType=None, before_epoch:NoneType=None,'
                               ' after_batch:NoneType=None)'),
        'harness.html': '<section class="level2"><h2>In a browser</h2><p>Tests.</p>'
                        + _cell(1, 'def test_app(url):\n    with sync_playwright() as p: pass') + '</section>',
        'guard.html': '<section class="level3"><h3>Guard rails</h3>' + _cell(1, 'sc = 1\ntest_fail(lambda: f(0), contains="positive")') + '</section>',
        'intro.html': '<section class="level2"><h2>Errors</h2><p>A name that is not registered is an error:</p></section>',
        'pool.html': '<h1>Pool</h1>' + _cell(1, 'pool = ActivePool(10)', '') + '<p>Label two items.</p>'
                     + _cell(2, 'pool.label([3, 1])\ntest_eq(pool.labelled, [3, 1])') + _cell(3, 'len(pool)', '8'),
        # examples that carry a test, and a test cell that sets what an example reads: none is reported
        'examples.html': '<h1>Examples</h1><h2>Tested examples</h2>' + _cell(1, 'test_eq(x, 1)\nx', '1')
                         + _cell(2, 'learn.show_acquired(acq)\ntest_eq(len(acq), 10)')
                         + _cell(3, 'print(n)\ntest_eq(n, 3)') + _cell(4, 'learn.fit(1)\ntest_eq(len(learn.recorder.values), 1)', 'epoch 0')
                         + _cell(5, 'df = pd.read_csv(f)\ntest_eq(len(df), 8)') + _cell(6, 'df.head(2)', 'a b'),
    }
    dest.mkdir(parents=True, exist_ok=True)
    for page, body in pages.items(): (dest/page).write_text(_page(page, body, bar), encoding='utf-8')
    return dest

# the page of `broken_site` and a phrase of the problem each check must report there
BROKEN = [('progress.html', 'console progress bars'), ('warning.html', 'a warning'), ('warning.html', 'a machine path'),
          ('ipython.html', 'a machine path'), ('table.html', 'a Markdown table printed as text'),
          ('signature.html', "fastai's event arguments"), ('harness.html', 'a test harness'),
          ('guard.html', "under the heading 'Guard rails', only tests"), ('tutorial.one.html', 'a test-only cell'),
          ('pool.html', 'a test-only cell is shown: pool.label'), ('intro.html', 'a sentence introduces nothing'),
          ('tutorial.two.html', 'talks about the build machine'), ('index.html', 'lists the tutorials'),
          ('tutorial.one.html', 'does not end with "Next"')]
BROKEN_SCREEN = ['no install command', 'no Python code', 'cut off']
NOT_BROKEN = ['examples.html']  # pages of `broken_site` where the checks must find nothing


def check_catches_broken_site(with_browser:bool=True)->int:
    "Each page check fails on the broken site, where its problem is; the figure check on overlapping titles"
    with tempfile.TemporaryDirectory(prefix='broken_site_') as d:
        site_dir = broken_site(Path(d))
        found = page_problems(read_pages(site_dir))
        missed = [(p, w) for p, w in BROKEN if not any(f.startswith(p) and w in f for f in found)]
        assert not missed, f'the page checks missed these problems of the broken site: {missed}\nthey found: {found}'
        wrong = [f for f in found if f.startswith(tuple(NOT_BROKEN))]
        assert not wrong, f'the page checks report examples as problems: {wrong}'
        n = len(BROKEN)
        if with_browser:
            with serve(site_dir) as base:
                try: check_first_screen(base); raise RuntimeError('the first-screen check passed on the broken home page')
                except AssertionError as e: missed = [w for w in BROKEN_SCREEN if w not in str(e)]
            assert not missed, f'the first-screen check missed {missed} on the broken home page'
            n += len(BROKEN_SCREEN)
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(2, 3, figsize=(4, 3))
    for a in axs.flat: a.imshow([[0, 1], [1, 0]]); a.set_title('guess 7\nconfidence 0.51\nmargin -0.02')
    assert overlapping_titles(fig), 'the figure check missed titles overlapping the row above'
    fig2, axs = plt.subplots(2, 3, figsize=(6, 6), layout='constrained')
    for a in axs.flat: a.imshow([[0, 1], [1, 0]]); a.set_title('guess 7\nconfidence 0.51')
    assert not overlapping_titles(fig2), 'the figure check flags a figure whose titles have room'
    plt.close(fig); plt.close(fig2)
    return n + 1


# ------------------------------------------------------------------------------------------- pytest
def test_rules(): check_rules()


def test_example_outputs():
    from nbdev.config import get_config
    check_example_outputs(get_config(ROOT))


def test_figure_titles(): check_figure_titles()


def test_pages():
    cfg, doc_path, pages = site()
    check_pages(doc_path)


def _skip_without_browser():
    "Skip (pytest) without Chromium, with the one line that says what to install; an error where CI requires it"
    if chromium_or_skip(WHAT) is None:
        import pytest
        pytest.skip(f'no Chromium on the PATH: apt-get install chromium')


def test_checks_catch_broken_site():
    _skip_without_browser()
    check_catches_broken_site()


def test_home_page():
    _skip_without_browser()
    cfg, doc_path, pages = site()
    with serve(doc_path) as base: check_home(base, cfg, pages); check_first_screen(base)


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


def main(screenshot:Path=None)->int:
    "Every check, in order; each failure is listed, the exit status is 1 if any failed"
    import time
    start = time.time()
    try:
        if chromium_or_skip(WHAT) is None: return 0   # one line said what was skipped and what to install
    except BrowserMissing as e:
        print(f'FAILED {e}', file=sys.stderr); return 1
    failed = []
    def run(name, f, *args):
        try:
            msg = f(*args)
            if msg: print(f'{name} ok: {msg}')
        except AssertionError as e:
            failed.append(name); print(f'FAILED {name}: {e}', file=sys.stderr)
    run('the checks themselves', lambda: f'each fails on a broken site ({check_catches_broken_site()} problems)')
    run('rules', lambda: check_rules() or 'sidebar groups of new notebooks, example cells, test-only imports')
    cfg, doc_path, pages = site()
    def _outputs():
        mode, n = check_example_outputs(cfg)
        return f'example outputs ({mode}): {n} example cell(s) without output'
    run('example outputs', _outputs)
    run('pages', lambda: f'{check_pages(doc_path)} pages: no console bars, warnings, machine paths or raw Markdown tables '
                         'in outputs, no build-machine talk, no test material shown, callback signatures, a path through the tutorials')
    run('figures', lambda: f'{check_figure_titles()} show_acquired grids without overlapping titles')
    with serve(doc_path) as base:
        def _home():
            m = check_home(base, cfg, pages); check_first_screen(base)
            return (f'{base}index.html; sidebar sections {[s["title"] for s in m["sections"]]}; navbar links to {cfg.git_url}; '
                    f'install and code on the first screen, commands wrap at 1280 and 700 px')
        run('home page', _home)
        run('API page', lambda: check_api(base, cfg, pages) or 'show_doc headings, signatures within the column')
        def _class():
            page, name = check_class(base, pages)
            return f'{page}: {name} renders as a class with its docments table; signatures wrap at 1280 and 700 px'
        run('classes', _class)
        def _outs():
            frame_page, image_page = check_output_shown(base, cfg, doc_path)
            return f'every committed DataFrame and picture is on its page; DataFrames on {frame_page}, a plot on {image_page}'
        run('outputs', _outs)
        def _links():
            name, page = check_fastai_link_in_browser(base, cfg, doc_path)
            return f'`{name}` on {page} -> docs.fast.ai'
        run('fastai links', _links)
        if screenshot: screenshot_(base, screenshot); print(f'screenshot: {screenshot}')
    print(f'docs site checks: {"FAILED: " + ", ".join(failed) if failed else "passed"} in {time.time() - start:.0f}s')
    return 1 if failed else 0


if __name__ == '__main__':
    import argparse
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--screenshot', type=Path, help='also save a screenshot of the home page here')
    sys.exit(main(p.parse_args().screenshot))
