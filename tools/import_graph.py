"""The import graph of a package's modules, imports inside functions included, and its cycles.

    python tools/import_graph.py               # every module's imports, then the cycles (exit status 1 if any)
    python tools/import_graph.py --dot > g.dot # Graphviz
    python tools/import_graph.py --package fastai_al --root .

An edge A -> B means module A imports module B: `import B`, `from B import x`, `from . import B` (relative ones
resolved), or `importlib.import_module('B')` / `__import__('B')` with a literal name. Edges are marked by where the
import sits: at module level (`top`), or inside a function or method (`fn`, run when the function is called).
Imports by a computed name (`import_module(name)`: a registry loading what provides a name, like an entry point)
are not edges; they are listed apart, with where they are, so that a reader can judge them.
A cycle is a strongly connected group of modules (Tarjan's algorithm): each can reach every other by imports.
"""
from __future__ import annotations
import argparse, ast, sys
from collections import defaultdict
from pathlib import Path

def modules(root:Path, package:str)->dict:
    "{module name: file} of every `.py` file of `package` under `root` (a package's `__init__.py` is the package itself)"
    res = {}
    for f in sorted((root/package).rglob('*.py')):
        parts = list(f.relative_to(root).with_suffix('').parts)
        if parts[-1] == '__init__': parts = parts[:-1]
        res['.'.join(parts)] = f
    return res

def _target(name:str, mods:dict)->str|None:
    "The module of `mods` that importing `name` loads last: `name` itself, else its longest prefix in `mods`"
    parts = name.split('.')
    for k in range(len(parts), 0, -1):
        if '.'.join(parts[:k]) in mods: return '.'.join(parts[:k])
    return None

def _base(mod:str, is_pkg:bool, level:int, name:str|None)->str:
    "The absolute name of a relative import `from {'.' * level}{name} import ...` in module `mod`"
    pkg = mod.split('.') if is_pkg else mod.split('.')[:-1]
    if level > 1: pkg = pkg[:len(pkg) - (level - 1)]
    return '.'.join(pkg + ([name] if name else []))

class _Visitor(ast.NodeVisitor):
    def __init__(self, mod:str, is_pkg:bool, mods:dict, package:str):
        self.mod, self.is_pkg, self.mods, self.package = mod, is_pkg, mods, package
        self.depth, self.edges, self.computed = 0, [], []

    def _add(self, name:str, line:int, how:str):
        t = _target(name, self.mods)
        if t is not None and t != self.mod: self.edges.append((t, 'fn' if self.depth else 'top', line, how))

    def _scoped(self, node):
        self.depth += 1; self.generic_visit(node); self.depth -= 1
    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _scoped

    def visit_Import(self, node):
        for a in node.names: self._add(a.name, node.lineno, f"import {a.name}")

    def visit_ImportFrom(self, node):
        base = _base(self.mod, self.is_pkg, node.level, node.module) if node.level else node.module
        for a in node.names:  # `from pkg import submodule` imports the submodule
            full = f"{base}.{a.name}"
            self._add(full if full in self.mods else base, node.lineno, f"from {'.' * node.level}{node.module or ''} import {a.name}")

    def visit_Call(self, node):
        f = node.func
        fname = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        if fname in ('import_module', '__import__') and node.args:
            a = node.args[0]
            if isinstance(a, ast.Constant) and isinstance(a.value, str): self._add(a.value, node.lineno, f"{fname}({a.value!r})")
            else: self.computed.append((node.lineno, ast.unparse(node)))
        self.generic_visit(node)

def import_graph(root='.', package:str='fastai_al')->tuple:
    "`(edges, computed)`: {module: [(imported module, 'top' or 'fn', line, statement)]}, {module: [(line, call)]}"
    root = Path(root)
    mods = modules(root, package)
    edges, computed = {}, {}
    for m, f in mods.items():
        v = _Visitor(m, f.name == '__init__.py', mods, package)
        v.visit(ast.parse(f.read_text(encoding='utf-8'), str(f)))
        edges[m], computed[m] = v.edges, v.computed
    return edges, computed

def cycles(edges:dict)->list:
    "The strongly connected groups of more than one module (sorted lists), by Tarjan's algorithm"
    graph = {m: sorted({t for t, *_ in es}) for m, es in edges.items()}
    index, low, stack, on, res, n = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    def strong(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in graph.get(v, []):
            if w not in index: strong(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: res.append(sorted(comp))
    for v in sorted(graph):
        if v not in index: strong(v)
    return sorted(res, key=lambda c: (-len(c), c))

def _short(m:str, package:str)->str: return m[len(package) + 1:] if m.startswith(package + '.') else m

def report(edges:dict, computed:dict, package:str)->str:
    "The graph as text: a line per module (`fn:` marks imports inside functions), the computed imports, the cycles"
    lines = [f"{package}: {len(edges)} modules, {sum(len({t for t, *_ in es}) for es in edges.values())} module-to-module imports"]
    for m in sorted(edges):
        top = sorted({_short(t, package) for t, k, *_ in edges[m] if k == 'top'})
        fn = sorted({_short(t, package) for t, k, *_ in edges[m] if k == 'fn'} - set(top))
        lines.append(f"  {_short(m, package)} -> {', '.join(top) or '-'}" + (f"  | in functions: {', '.join(fn)}" if fn else ''))
    comp = {m: c for m, c in computed.items() if c}
    if comp:
        lines.append("imports by a computed name (not edges):")
        for m, cs in sorted(comp.items()):
            for line, call in cs: lines.append(f"  {_short(m, package)}:{line}: {call}")
    cs = cycles(edges)
    lines.append(f"cycles: {len(cs)}")
    for c in cs:
        inside = set(c)
        lines.append(f"  {len(c)} modules: {', '.join(_short(m, package) for m in c)}")
        for m in c:
            seen = {}
            for t, k, line, how in edges[m]:
                if t in inside and t not in seen: seen[t] = (k, line, how)  # the first import of each module
            for t, (k, line, how) in seen.items(): lines.append(f"    {_short(m, package)}:{line} -> {_short(t, package)} ({k}: {how})")
    return '\n'.join(lines)

def dot(edges:dict, package:str)->str:
    "Graphviz source: solid edges at module level, dashed inside functions, cycles in red"
    inside = {m for c in cycles(edges) for m in c}
    out = ['digraph imports {', '  rankdir=BT; node [shape=box, fontsize=10];']
    for m in sorted(edges):
        seen = {}
        for t, k, *_ in edges[m]: seen[t] = 'top' if k == 'top' or seen.get(t) == 'top' else 'fn'
        for t, k in sorted(seen.items()):
            style = [] if k == 'top' else ['style=dashed']
            if m in inside and t in inside: style.append('color=red')
            out.append(f'  "{_short(m, package)}" -> "{_short(t, package)}"' + (f" [{', '.join(style)}]" if style else '') + ';')
    return '\n'.join(out + ['}'])

def main(argv=None)->int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--root', default=str(Path(__file__).resolve().parent.parent), help="folder holding the package")
    p.add_argument('--package', default='fastai_al')
    p.add_argument('--dot', action='store_true', help="print Graphviz source instead")
    a = p.parse_args(argv)
    edges, computed = import_graph(a.root, a.package)
    print(dot(edges, a.package) if a.dot else report(edges, computed, a.package))
    return 1 if cycles(edges) else 0

if __name__ == '__main__': sys.exit(main())
