"""Find the notebook example cells committed without their output (the docs pages show the committed outputs).

The rule. A code cell is an *example* when the docs page shows it, it runs, and it shows something:
- shown and run: not `#| export`/`exporti`/`exports`/`hide`/`default_exp`, not `#| eval: false`, not
  `#| output: false` or `#| include: false`, not a cell of imports only, and the code parses as Python;
- shows something: its last top-level statement is a bare expression (`top_n(acq, 4)`, `df`, `show_doc(f)`), not
  one that is silent by convention: a trailing `;`, a call of `test_*`/`assert*`, or of a function that returns
  None by nature (`QUIET_CALLS`: `print` is not one, it prints); or, anywhere at the top level, it calls a
  function named `plot*`/`show*` (`ax = plot_learning_curves(df)`, `learn.show_acquired()`), which draws.
An example needs at least one output that is not an error. To commit outputs: `nbdev-test --save nbs/X.ipynb`
(cells marked `#| slow` keep their old outputs: `nbdev-test --flags slow --save nbs/X.ipynb` runs them too; the
strict check leaves them out unless asked, since the test suite's `--save` run cannot make them).
To keep an example cell silent on purpose, end it with `;` or assign its value.

    python tools/check_outputs.py               # list them per notebook; exit 0
    python tools/check_outputs.py --strict      # exit 1 when there is one (CI: `example_outputs = "strict"`)
    python tools/check_outputs.py --strict --slow  # `#| slow` cells too (their outputs need a slow run)
    python tools/check_outputs.py nbs/41_analysis.ipynb
"""
import ast, io, re, sys, tokenize
from pathlib import Path

SKIP_DIRECTIVES = {'export', 'exports', 'exporti', 'hide', 'default_exp'}
QUIET_CALLS = {'set_seed', 'seed', 'manual_seed_all', 'close', 'mkdir', 'unlink', 'rmtree', 'append', 'extend',
               'update', 'simplefilter', 'filterwarnings', 'sleep', 'setattr', 'delattr', 'add_cb', 'remove_cb',
               'use_deterministic_algorithms', 'set_num_threads', 'register_dataset', 'register_strategy'}
DRAWS = re.compile(r'(plot|show)')  # names of functions that draw a picture or display a table


def _name(func)->str:
    "The called name: `f` for `f(...)`, `g` for `a.b.g(...)`"
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ''


_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)

def _calls(node)->list:
    "Names of the functions a top-level statement calls when it runs (not those in the functions it defines)"
    if isinstance(node, _DEFS): return [c for d in getattr(node, 'decorator_list', []) for c in _calls(d)]
    own = [_name(node.func)] if isinstance(node, ast.Call) else []
    return own + [c for n in ast.iter_child_nodes(node) for c in _calls(n)]


def _ends_with_semicolon(code:str)->bool:
    "Whether the cell's last token (comments aside) is `;`, IPython's way to silence a result"
    try: toks = [t for t in tokenize.generate_tokens(io.StringIO(code).readline)
                 if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER,
                                   tokenize.INDENT, tokenize.DEDENT)]
    except (tokenize.TokenError, IndentationError, SyntaxError): return False
    return bool(toks) and toks[-1].string == ';'


def _strip_directives(code:str)->tuple:
    "`#| key: value` lines at the top of a cell, as a dict, and the code without them"
    lines, opts = code.split('\n'), {}
    while lines and (lines[0].startswith('#|') or not lines[0].strip()):
        l = lines.pop(0)[2:].strip()
        if not l: continue
        k, _, v = l.partition(':') if ':' in l else l.partition(' ')
        opts[k.strip()] = v.strip()
    return opts, '\n'.join(lines)


def shows_something(code:str)->str|None:
    "Why a cell's code is expected to show an output ('expression', 'draws'), or None"
    try: tree = ast.parse(code)
    except SyntaxError: return None  # magics, shell escapes: nbdev does not check these either
    body = tree.body
    if not body or all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in body): return None
    if any(DRAWS.match(c) for n in body for c in _calls(n) if not c.startswith('test')): return 'draws'
    last = body[-1]
    if not isinstance(last, ast.Expr) or _ends_with_semicolon(code): return None
    v = last.value
    if isinstance(v, ast.Constant) and v.value in (None, Ellipsis): return None
    if isinstance(v, ast.Call):
        nm = _name(v.func)
        if nm.startswith(('test_', 'assert')) or nm in QUIET_CALLS: return None
    return 'expression'


# ------------------------------------------------------------------------------------------- test-only cells
# The one definition of a cell that only tests, used by the docs build (`tools/docs_nbdev.py`, `hide_test_cells`,
# which leaves those cells out of the pages) and by the site's check (`tests/test_docs_site.py`, which fails on one
# shown): the notebooks keep their tests right below each example; the pages show the examples.
SHOWS = {'print', 'display', 'pprint'}  # calls that put something on the page even without a committed output

def _is_test(node)->bool:
    "A statement that only tests: `assert`, a call of `test_*`, or a block whose statements all are (the last one a test)"
    if isinstance(node, ast.Assert): return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call): return _name(node.value.func).startswith('test_')
    if isinstance(node, (ast.With, ast.For, ast.If, ast.Try)) and node.body: return _is_test(node.body[-1])
    return False


def is_test_only(code:str, shows_output:bool)->bool:
    "Whether a cell only tests: it ends with a test, at least half its statements are tests (the rest set them up),"
    "it defines no function or class, and it shows nothing: no output, no bare expression, plot, show or print"
    try: body = ast.parse(code).body
    except SyntaxError: return False
    if shows_output or not body or any(isinstance(n, _DEFS) for n in body): return False
    if shows_something(code) or any(c in SHOWS for n in body for c in _calls(n)): return False
    return _is_test(body[-1]) and sum(_is_test(n) for n in body) * 2 >= len(body)


_SCOPES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)

def _names(code:str)->tuple:
    "(names a cell sets for the cells after it, names it reads that it does not set itself)"
    try: tree = ast.parse(code)
    except SyntaxError: return set(), set()
    bound, read, local = set(), set(), set()
    def visit(node, inner=False):
        if isinstance(node, ast.Name): (read if isinstance(node.ctx, ast.Load) else local if inner else bound).add(node.id)
        elif isinstance(node, ast.arg): local.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)): bound.update((a.asname or a.name).split('.')[0] for a in node.names)
        elif isinstance(node, _DEFS[:3]): bound.add(node.name); inner = True
        for n in ast.iter_child_nodes(node): visit(n, inner or isinstance(node, _SCOPES))
    visit(tree)
    return bound, read - bound - local


def test_only_cells(cells:list)->list:
    "For each cell `(code, shows_output)` of a page, in order: whether it only tests (`is_test_only`) and sets no"
    "name that a cell the page keeps after it reads (`learn = ...; test_eq(...)` above an example using `learn`)"
    res, needed = [False] * len(cells), set()
    for i in reversed(range(len(cells))):
        code, out = cells[i]
        bound, free = _names(code)
        if is_test_only(code, out) and not bound & needed: res[i] = True
        else: needed = (needed - bound) | free
    return res


def _has_output(cell:dict)->bool:
    return any(o.get('output_type') != 'error' for o in cell.get('outputs', []))


def missing_outputs(nb_path:Path, slow_flags=('slow',))->list:
    "[(cell number from 1, cell id, why, slow, last line)] for the example cells of a notebook without an output"
    import json
    nb = json.loads(Path(nb_path).read_text(encoding='utf-8'))
    res = []
    for i, cell in enumerate(nb.get('cells', [])):
        if cell.get('cell_type') != 'code': continue
        src = ''.join(cell.get('source', ''))
        opts, code = _strip_directives(src)
        if opts.keys() & SKIP_DIRECTIVES: continue
        if any(opts.get(k, '').lower() == 'false' for k in ('eval', 'output', 'include')): continue
        why = shows_something(code)
        if why is None or _has_output(cell): continue
        last = next((l.strip() for l in reversed(code.split('\n')) if l.strip()), '')
        res.append((i + 1, cell.get('id', ''), why, bool(opts.keys() & set(slow_flags)), last))
    return res


def report(nbs:list, slow:bool=False, slow_flags=('slow',))->tuple:
    "A printable list of the example cells without output, and how many there are: of `slow` cells or of the others"
    lines, total = [], 0
    for nb in nbs:
        miss = [m for m in missing_outputs(nb, slow_flags) if m[3] == slow]
        if not miss: continue
        total += len(miss)
        lines.append(f'{Path(nb).name}: {len(miss)} {"slow " if slow else ""}example cell(s) without output')
        lines += [f'  cell {i}{f" (id {cid})" if cid else ""}: {last[:80]}' for i, cid, why, _, last in miss]
    return '\n'.join(lines), total


def notebooks(root:Path)->list:
    from nbdev.config import get_config
    return sorted(p for p in get_config(root).nbs_path.glob('*.ipynb') if not p.name.startswith(('_', '.')))


if __name__ == '__main__':
    import argparse
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('nbs', nargs='*', type=Path, help='notebooks (default: all of nbs/)')
    p.add_argument('--strict', action='store_true', help='exit 1 when an example cell (not `#| slow`) has no output')
    p.add_argument('--slow', action='store_true', help='with --strict: `#| slow` cells too')
    args = p.parse_args()
    root = Path(__file__).resolve().parents[1]
    nbs = args.nbs or notebooks(root)
    text, n = report(nbs)
    stext, ns = report(nbs, slow=True)
    if text: print(text)
    if stext: print(stext)
    print(f'{n} example cell(s) without output in {len(nbs)} notebook(s), and {ns} slow one(s) (`#| slow`: '
          f'`nbdev-test --flags slow --save nbs/X.ipynb` commits them)')
    sys.exit(1 if args.strict and (n or (args.slow and ns)) else 0)
