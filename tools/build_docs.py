"""Build the documentation site from the notebooks into `_docs/`, treating every warning as an error.

It runs nbdev's own pre-processing steps, as `nbdev-docs` does before calling Quarto, with what `tools/docs_nbdev.py`
adds so that the pages read like docs.fast.ai: the grouped sidebar (`nbs/sidebar.yml`, generated here), the
`show_doc` renderer (classes as `class X(...)`, wrapped signatures, the docments table), the docs processors named
in `pyproject.toml` (`doc_procs`: test-only import cells left out, fastai names linked to docs.fast.ai). It renders
the processed notebooks with Quarto when the binary is on the PATH, else with smalldocs, a pure-Python renderer of
`_quarto.yml` projects (in the `dev` and `docs` extras; Quarto cannot be installed offline).

Errors: a cell that mixes imports with other code (nbdev runs such cells in every docs build), any warning of
nbdev or smalldocs (broken links included), an exported module without its page, a page without a `show_doc`
anchor for each top-level public symbol of its module in `_modidx.py`, and, when `example_outputs = "strict"` in
`pyproject.toml`'s `[tool.nbdev]` (or with `--outputs strict`), a notebook example cell committed without its
output (the rule: `tools/check_outputs.py`). With `example_outputs = "report"` those cells are listed, not errors.

    python tools/build_docs.py              # build; exit 1 on any of the above
    python tools/build_docs.py --lenient    # build, print the problems, exit 0
    python tools/build_docs.py --force      # process every notebook again (nbdev caches `_proc/` by mtime)
"""
import ast, gc, os, re, shutil, sys, tempfile, time, warnings
from pathlib import Path

from fastcore.script import call_parse, store_true

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT/'tools'

# Quarto outputs that smalldocs does not make (it builds HTML only): nbdev asks Quarto for a Markdown copy of each
# page (`commonmark`, `keep-md`, `format-links`). They are dropped from the staged copy of the config, so that
# whatever smalldocs still warns about is a real problem.
QUARTO_ONLY = {'_quarto.yml': [('format', 'commonmark'), ('format', 'html', 'keep-md')],
               'nbdev.yml': [('format-links',)]}


def _use_project_source():
    "Import `fastai_al` from this checkout, installed or not (nbdev executes the notebooks' import cells), and `tools/`"
    for p in (TOOLS, ROOT):
        if str(p) not in sys.path: sys.path.insert(0, str(p))
    os.environ['PYTHONPATH'] = os.pathsep.join(p for p in [str(ROOT), str(TOOLS), os.environ.get('PYTHONPATH', '')] if p)
    os.chdir(ROOT)


def write_sidebar(nbs_path:Path)->Path:
    "Write the grouped `sidebar.yml` (`docs_nbdev.sidebar`), unless it is already what it would be."
    import yaml
    from docs_nbdev import sidebar
    f = Path(nbs_path)/'sidebar.yml'
    text = yaml.safe_dump(sidebar(nbs_path), sort_keys=False, indent=2)
    if not f.exists() or f.read_text() != text: f.write_text(text)
    return f


def nbdev_steps(n_workers:int=0, force:bool=False)->tuple:
    "Run what `nbdev-docs` runs before Quarto (`_quarto.yml`, module index, sidebar, `_proc/`); return it and nbdev's warnings"
    from nbdev.config import get_config
    from nbdev.quarto import refresh_quarto_yml
    from nbdev.serve import proc_nbs
    import nbdev.doclinks
    from docs_nbdev import use_renderer
    cfg = get_config()
    refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    write_sidebar(cfg.nbs_path)  # `custom_sidebar = true`: nbdev's own flat list is not made
    use_renderer()  # for the `show_doc` cells nbdev runs in this process (workers: forked from it)
    # the show_doc outputs depend on the renderer and the sidebar on the notebook list, not only on each notebook's mtime
    if not force and (_stamp(cfg) != _read_stamp(cfg)): force = True
    # nbdev warns, among others, about cells that mix imports with code: it runs those in every docs build
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        cache = proc_nbs(cfg.nbs_path, n_workers=n_workers, force=force)
    (cache/'.build_docs_stamp').write_text(_stamp(cfg))
    return cache, [f'nbdev: {w.message}'.strip() for w in caught if w.filename.startswith(str(Path(nbdev.__file__).parent))]


def _stamp(cfg)->str:
    "What the processed notebooks depend on besides themselves: this build's code and nbdev's settings"
    import hashlib
    h = hashlib.sha256()
    for f in (TOOLS/'docs_nbdev.py', TOOLS/'check_outputs.py', TOOLS/'build_docs.py', cfg.config_file): h.update(Path(f).read_bytes())
    return h.hexdigest()

def _read_stamp(cfg)->str:
    f = cfg.config_path/'_proc'/'.build_docs_stamp'
    return f.read_text() if f.exists() else ''


def _drop(d:dict, keys:tuple):
    "Remove the nested key `keys` from `d`, if it is there."
    *parents, last = keys
    for k in parents:
        d = d.get(k) if isinstance(d, dict) else None
        if not isinstance(d, dict): return
    d.pop(last, None)


_QUIET = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

def _runs_code(node)->bool:
    "Whether a top-level statement does something when run (defining functions or classes, importing does not)"
    if isinstance(node, ast.Try): return any(_runs_code(n) for n in node.body)
    return not isinstance(node, _QUIET)

def mixed_import_cells(nbs_path:Path)->list:
    "Cells nbdev runs while building docs (they hold an import) that also run other code, which would run too"
    from nbdev.process import NBProcessor
    from nbdev.processors import _do_eval
    problems = []
    for nb in sorted(Path(nbs_path).glob('*.ipynb')):
        for i, cell in enumerate(NBProcessor(nb).nb.cells):
            if cell.cell_type != 'code' or cell.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'}: continue
            try: trees = cell.parsed_()
            except SyntaxError: continue
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')  # nbdev's own warning, for a subset of these cells
                if not trees or not _do_eval(cell): continue
            if any(isinstance(n, (ast.Import, ast.ImportFrom)) for t in trees for n in ast.walk(t)) and \
               any(_runs_code(t) for t in trees):
                first = cell.source.strip().split('\n')[0]
                problems.append(f'{nb.name}, cell {i + 1}: imports mixed with code that nbdev would run in every docs '
                                f'build; move the imports to a cell of their own: {first[:70]}')
    return problems


def front_matter(nb:dict)->tuple:
    "The YAML front matter nbdev writes in a processed notebook's first raw cell, and that cell."
    import yaml
    cell = next((c for c in nb['cells'] if c['cell_type'] == 'raw'), None)
    if cell is None: return {}, None
    m = re.match(r'^---\s*\n(.*?\n)---\s*', ''.join(cell['source']), re.S)
    return ((yaml.safe_load(m.group(1)) or {}), cell) if m else ({}, None)


def stage(cache:Path, dest:Path)->dict:
    "Copy `_proc/` to `dest` for smalldocs; return each page's output name, taken out of its front matter."
    import json, yaml
    shutil.copytree(cache, dest, ignore=shutil.ignore_patterns('_docs', '_site', '.*'))
    for name, keys in QUARTO_ONLY.items():
        f = dest/name
        if not f.exists(): continue
        cfg = yaml.safe_load(f.read_text()) or {}
        for k in keys: _drop(cfg, k)
        f.write_text(yaml.safe_dump(cfg, sort_keys=False))
    outputs = {}
    for nb_path in sorted(dest.rglob('*.ipynb')):
        nb = json.loads(nb_path.read_text(encoding='utf-8'))
        fm, cell = front_matter(nb)
        if 'output-file' not in fm: continue
        src = nb_path.relative_to(dest).as_posix()
        outputs[src] = (Path(src).parent/fm.pop('output-file')).as_posix()
        cell['source'] = '---\n' + yaml.safe_dump(fm, sort_keys=False) + '---\n'
        nb_path.write_text(json.dumps(nb, indent=1), encoding='utf-8')
    clash = {o for o in outputs.values() if list(outputs.values()).count(o) > 1}
    if clash: raise SystemExit(f'Several notebooks are built to the same page: {sorted(clash)}')
    return outputs


def render_smalldocs(staged:Path, out:Path, outputs:dict):
    "Render the staged project into `out` with smalldocs, each page under its nbdev output name."
    from pathlib import PurePosixPath
    from smalldocs.config import load
    from smalldocs.site import Site

    class NbdevSite(Site):
        "A site whose pages are written where nbdev's `output-file` says; links to a notebook follow it."
        def read(self, src):
            page = super().read(src)
            if str(src) in outputs: page.out = PurePosixPath(outputs[str(src)])
            return page

    project = load(staged)
    site = NbdevSite(project, quiet=True)
    site.out = out
    n = site.build()
    return site, n


def module_pages(cfg)->list:
    "For each exported module: (module, its notebook, its page, its top-level symbols' anchors)."
    import importlib
    from nbdev.config import nbpath2html
    res = []
    modidx = importlib.import_module(f'{cfg.lib_name}._modidx').d['syms']
    for py in sorted(cfg.lib_path.rglob('*.py')):
        m = re.search(r'AUTOGENERATED! DO NOT EDIT! File to edit: (\S+\.ipynb)', py.read_text(encoding='utf-8'))
        if not m: continue
        nb = (py.parent/m.group(1)).resolve()
        mod = '.'.join(py.relative_to(cfg.lib_path.parent).with_suffix('').parts)
        syms = modidx.get(mod, {})
        names = {k[len(mod)+1:]: v[0].partition('#')[2] for k, v in syms.items()}
        # methods of a class in the same module are documented on demand; patched methods (`Learner.x`) always
        top = {n: a for n, a in names.items() if ('.' not in n or n.partition('.')[0] not in names)
               and not n.rpartition('.')[2].startswith('_')}  # nbdev documents no private names
        res.append((mod, nb, nbpath2html(nb.relative_to(cfg.nbs_path)).as_posix(), top))
    return res


def fix_local_anchors(doc_path:Path)->list:
    "Point links to an undocumented method (`spec.html#runspec.to_dict`) at its class; problems: links still broken."
    pages = {f.relative_to(doc_path).as_posix(): f for f in doc_path.rglob('*.html')}
    ids = {p: set(re.findall(r'\bid="([^"]+)"', f.read_text(encoding='utf-8'))) for p, f in pages.items()}
    problems = []
    for p, f in pages.items():
        html = f.read_text(encoding='utf-8')
        def fix(m):
            target, anchor = m.group(2), m.group(3)
            page = (Path(p).parent/target).as_posix()
            if page not in ids or anchor in ids[page]: return m.group(0)
            parent = anchor
            while '.' in parent and parent not in ids[page]: parent = parent.rpartition('.')[0]
            if parent in ids[page]: return f'{m.group(1)}{target}#{parent}"'
            problems.append(f'{p}: link to {target}#{anchor}, which has no such anchor'); return m.group(0)
        new = re.sub(r'(<a href=")([\w./-]+\.html)#([^"]+)"', fix, html)
        if new != html: f.write_text(new, encoding='utf-8')
    return problems


def check_navbar(cfg)->list:
    "Problems: the navbar of `_quarto.yml` lacks a link to the repository (`[project.urls] Repository`)."
    import yaml
    q = yaml.safe_load((cfg.nbs_path/'_quarto.yml').read_text()) or {}
    nav = (q.get('website') or {}).get('navbar') or {}
    hrefs = [str(i.get('href', '')).rstrip('/') for side in ('left', 'right', 'tools') for i in nav.get(side) or [] if isinstance(i, dict)]
    return [] if cfg.git_url in hrefs else [f'nbs/_quarto.yml: the navbar has no link to the repository {cfg.git_url}']


def check_module_pages(cfg, doc_path:Path)->list:
    "Problems: an exported module without a page, or a page without a `show_doc` anchor for one of its symbols."
    problems = []
    for mod, nb, page, anchors in module_pages(cfg):
        f = doc_path/page
        if not f.exists():
            problems.append(f'{mod}: no page {page} (from {nb.name})'); continue
        html = f.read_text(encoding='utf-8')
        problems += [f'{mod}: {page} has no show_doc for {name} (#{a})' for name, a in anchors.items()
                     if f'id="{a}"' not in html]
    return problems


@call_parse
def main(lenient:store_true=False, # Report warnings but exit 0
         quarto:str='auto', # Use Quarto: 'auto' (when installed), 'yes' or 'no'
         n_workers:int=0, # Workers for nbdev's notebook processing (0: in this process, so its warnings are seen)
         force:store_true=False, # Process every notebook again, not only those changed since the last build
         outputs:str=None, # Example cells without output: 'strict' (an error) or 'report'; default: `example_outputs` in pyproject.toml
        ):
    "Build `_docs/` from the notebooks; any warning, broken link or missing module page is an error."
    start = time.time()
    _use_project_source()
    from nbdev.config import get_config
    cfg = get_config()
    use_quarto = quarto == 'yes' or (quarto == 'auto' and shutil.which('quarto'))
    mixed = mixed_import_cells(cfg.nbs_path)
    if mixed and not lenient: sys.exit('\n'.join(mixed))
    outputs_mode = outputs or str(cfg.get('example_outputs', 'strict'))
    if outputs_mode not in ('strict', 'report'): sys.exit(f'example_outputs: {outputs_mode!r} is neither strict nor report')
    from check_outputs import report, notebooks
    no_output, n_no_output = report(notebooks(ROOT))
    slow_no_output, n_slow_no_output = report(notebooks(ROOT), slow=True)
    try: cache, problems = nbdev_steps(n_workers, force)
    except Exception as e: sys.exit(f'nbdev could not process the notebooks: {e}')
    problems += mixed
    if use_quarto:
        from nbdev.quarto import render_quarto, _fix_quarto_nav
        render_quarto(cache, cache/cfg.doc_path.name, n_workers=n_workers)  # as `nbdev-docs` does
        shutil.rmtree(cfg.doc_path, ignore_errors=True)
        shutil.move(cache/cfg.doc_path.name, cfg.config_path)
        _fix_quarto_nav(cfg.doc_path)
        n = len(list(cfg.doc_path.rglob('*.html')))
    else:
        with tempfile.TemporaryDirectory(prefix='fastai_al_docs_') as tmp:
            outputs_of = stage(cache, Path(tmp)/'site')
            site, n = render_smalldocs(Path(tmp)/'site', cfg.doc_path, outputs_of)
        problems += site.warnings
    problems += fix_local_anchors(cfg.doc_path) + check_module_pages(cfg, cfg.doc_path) + check_navbar(cfg)
    if n_no_output and outputs_mode == 'strict':
        problems.append(f'{n_no_output} notebook example cell(s) without output (commit them with '
                        f'`nbdev-test --save nbs/X.ipynb`; the rule: tools/check_outputs.py):\n{no_output}')
    elif n_no_output:
        print(f'note: {n_no_output} notebook example cell(s) without output, not yet an error '
              f'(example_outputs = "report" in pyproject.toml):\n{no_output}', file=sys.stderr)
    if n_slow_no_output:
        print(f'note: {n_slow_no_output} `#| slow` example cell(s) without output (never an error: '
              f'`nbdev-test --flags slow --save nbs/X.ipynb` commits them):\n{slow_no_output}', file=sys.stderr)
    for w in problems: print(f'warning: {w}', file=sys.stderr)
    print(f'{n} page(s) in {cfg.doc_path.relative_to(cfg.config_path)}/ with {"Quarto" if use_quarto else "smalldocs"} '
          f'in {time.time()-start:.1f}s; {len(problems)} warning(s)')
    # nbdev left one IPython shell per notebook; each runs a full `gc.collect()` at exit (0.5 s each): skip the old objects
    gc.freeze()
    if problems and not lenient: sys.exit(1)
