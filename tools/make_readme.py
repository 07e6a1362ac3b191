"""Write README.md from `nbs/index.ipynb`, as `nbdev-readme` does, without Quarto.

nbdev's own processors turn the notebook into what Quarto would render (front matter, hidden and export cells
removed, `show_doc` run); pandoc (Debian `apt-get install pandoc`) reads it with a small Lua filter that lays it out
as nbdev's README (`tools/lua/nbdev_readme.lua`), nbdev's `readme_filter` points links to other notebooks at the
hosted docs, and pandoc writes GitHub Markdown. Plots in the notebook's outputs go to `index_files/`.

    python tools/make_readme.py            # write README.md (and index_files/ when the notebook has plots)
    python tools/make_readme.py --check    # exit 1 when README.md is not what the notebook gives
"""
import base64, difflib, filecmp, json, os, posixpath, re, shutil, subprocess, sys, tempfile
from pathlib import Path

from fastcore.script import call_parse, store_true

ROOT = Path(__file__).resolve().parents[1]
LUA = Path(__file__).parent/'lua'/'nbdev_readme.lua'
MEDIA = 'index_files/figure-commonmark'  # where nbdev's README keeps the plots of index.ipynb


# What Quarto shows of an output with several representations when it writes GitHub Markdown
MIMES = ['text/markdown', 'image/png', 'image/jpeg', 'image/svg+xml', 'text/html', 'text/plain']
IMAGE_EXT = {'image/png': 'png', 'image/jpeg': 'jpg', 'image/svg+xml': 'svg'}


def process(nb:Path, dest:Path)->Path:
    "Run nbdev's doc processors on `nb`, as `nbdev-readme` does before Quarto"
    from nbdev.processors import FilterDefaults
    import nbdev.serve_drv
    nbdev.serve_drv.main((nb, dest, FilterDefaults))
    return dest


def save_plots(nb_path:Path, out_dir:Path):
    "Keep one representation of each output; save plots under `MEDIA` as Quarto names them, linked in Markdown."
    nb = json.loads(nb_path.read_text(encoding='utf-8'))
    for i, cell in enumerate(nb['cells'], 1):
        n_img = 0
        for out in cell.get('outputs', []):
            # nbdev-clean blanks execution counts; pandoc's ipynb reader rejects a null one in an output
            if out.get('output_type') == 'execute_result' and out.get('execution_count') is None: out['execution_count'] = i
            data = out.get('data')
            if not data: continue
            mime = next((m for m in MIMES if m in data), None)
            if mime in IMAGE_EXT:
                n_img += 1
                name = f'{MEDIA}/cell-{i}-output-{n_img}.{IMAGE_EXT[mime]}'
                value = ''.join(data[mime]) if isinstance(data[mime], list) else data[mime]
                (out_dir/name).parent.mkdir(parents=True, exist_ok=True)
                if mime == 'image/svg+xml': (out_dir/name).write_text(value, encoding='utf-8')
                else: (out_dir/name).write_bytes(base64.b64decode(value))
                mime, data = 'text/markdown', {'text/markdown': f'![]({name})'}
            out['data'] = {mime: data[mime]} if mime else {}
    nb_path.write_text(json.dumps(nb), encoding='utf-8')


def _pandoc(*args, cwd:Path, input:str=None)->str:
    if not shutil.which('pandoc'): sys.exit('pandoc is needed: apt-get install -y pandoc')
    return subprocess.run(['pandoc', *args], cwd=cwd, input=input, capture_output=True, text=True, check=True).stdout


def _images_from_root(node, nbs_dir:str):
    "Local images are written relative to the notebook; README.md sits in the project root."
    if isinstance(node, list):
        for o in node: _images_from_root(o, nbs_dir)
    elif isinstance(node, dict):
        if node.get('t') == 'Image':
            target = node['c'][2]
            url = target[0]
            if not re.match(r'^([a-z][a-z0-9+.-]*:|/|#)', url, re.I) and not url.startswith(MEDIA):
                target[0] = posixpath.normpath(posixpath.join(nbs_dir, url))
        for o in node.values(): _images_from_root(o, nbs_dir)


def readme(out_dir:Path)->Path:
    "Write README.md (and its images under `index_files/`) for this project into `out_dir`."
    from nbdev.config import get_config
    from nbdev.readme_filter import rewrite_links
    cfg = get_config()
    nb = cfg.nbs_path/cfg.readme_nb
    processed = process(nb, out_dir/'_index.ipynb')
    save_plots(processed, out_dir)
    doc = json.loads(_pandoc('-f', 'ipynb', '-t', 'json', '--lua-filter', str(LUA), processed.name, cwd=out_dir))
    processed.unlink()
    if cfg.get('doc_host'): rewrite_links(doc['blocks'], cfg.doc_url, Path(cfg.readme_nb).parent.as_posix())
    _images_from_root(doc['blocks'], nb.parent.relative_to(cfg.config_path).as_posix())
    md = _pandoc('-f', 'json', '-t', 'gfm', '--wrap=preserve', cwd=out_dir, input=json.dumps(doc))
    (out_dir/'README.md').write_text(md, encoding='utf-8')
    return out_dir/'README.md'


def _files(d:Path)->set: return {p.relative_to(d).as_posix() for p in d.rglob('*') if p.is_file()} if d.exists() else set()


def stale(new:Path)->list:
    "What differs between the README.md (and images) in `new` and the project's."
    problems = []
    old = ROOT/'README.md'
    a = old.read_text(encoding='utf-8').splitlines(True) if old.exists() else []
    b = (new/'README.md').read_text(encoding='utf-8').splitlines(True)
    if a != b: problems.append(''.join(difflib.unified_diff(a, b, 'README.md (committed)', 'README.md (from nbs/index.ipynb)')))
    for f in sorted(_files(ROOT/MEDIA) ^ _files(new/MEDIA)): problems.append(f'{MEDIA}/{f}: only on one side')
    for f in sorted(_files(ROOT/MEDIA) & _files(new/MEDIA)):
        if not filecmp.cmp(ROOT/MEDIA/f, new/MEDIA/f, shallow=False): problems.append(f'{MEDIA}/{f} differs')
    return problems


@call_parse
def main(check:store_true=False, # Only compare: exit 1 when README.md is stale
        ):
    "Write README.md from the notebook that nbdev's `readme_nb` names, or check that it is current."
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))  # the notebook's import cells run, installed or not
    with tempfile.TemporaryDirectory(prefix='fastai_al_readme_') as tmp:
        tmp = Path(tmp)
        readme(tmp)
        problems = stale(tmp)
        if check:
            if problems:
                print('\n'.join(problems))
                sys.exit('README.md is stale: run `python tools/make_readme.py` and commit README.md')
            return print('README.md is current')
        shutil.copy(tmp/'README.md', ROOT/'README.md')
        if (ROOT/MEDIA).exists(): shutil.rmtree(ROOT/MEDIA)
        if (tmp/MEDIA).exists(): shutil.copytree(tmp/MEDIA, ROOT/MEDIA)
        print('README.md written' if problems else 'README.md was already current')
