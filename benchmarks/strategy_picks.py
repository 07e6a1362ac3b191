"""Record the picks of every registered strategy on fixed inputs and seeds, or compare them with a recording.

    python benchmarks/strategy_picks.py --save picks.json                     # record (e.g. from the code before a change)
    python benchmarks/strategy_picks.py --compare picks.json                  # the same picks now?
    python benchmarks/strategy_picks.py --compare picks.json --default-device meta

`benchmarks/strategy_picks.json` holds the picks of the strategies before issue 25 (commit 9495327, torch 2.14.1,
CPU): `--compare benchmarks/strategy_picks.json` checks that a change to the strategies picks the same items.
(Random draws are torch's: another torch version may draw differently.)

A refactoring of the strategies (devices, dtypes, memory layout) must not change what they pick. The cases cover
every registered strategy at several pool sizes, batch sizes and generator seeds (and `generator=None`), plus the
paths a small synthetic pool does not reach: diversity strategies on a subsample (`MAX_FIT` lowered), Coreset and
TypiClust from a cold start, BatchBALD's sampled configurations, BADGE on duplicates (an exhausted D²), ATL and DAL's
random fallbacks, k-means on a subsample, float64 inputs. `--default-device meta` computes them with
`torch.set_default_device('meta')` while the inputs stay on the CPU: any tensor a strategy makes without `device=`
lands on `meta` and fails, so the run shows the strategies compute on their inputs' device (the CPU here) — and
that their picks do not change.
"""
import json, sys, warnings
from contextlib import nullcontext
import torch
from fastcore.script import call_parse

def g(s): return torch.Generator().manual_seed(s)

def synthetic_scores(N=60, C=4, T=5, d=8, seed=0, dtype=torch.float32):
    "Every need a strategy declares, for a pool of three blobs (the same construction as nbs/26_strategies.batch)"
    gen = g(seed)
    emb = torch.cat([torch.randn(N // 3, d, generator=gen) + 6 * k for k in range(3)])[torch.randperm(N, generator=gen)]
    mc = torch.randn(N, T, C, generator=gen).mul(2).softmax(-1)
    vp = torch.randn(30, C, generator=gen).softmax(-1)
    sc = {'idxs': torch.arange(100, 100 + N), 'probs': mc[:, 0], 'mc_probs': mc, 'mc_probs_mean': mc.mean(1),
          'mc_entropy_mean': torch.special.entr(mc).sum(2).mean(1), 'mc_probs_var': mc.var(1, unbiased=False),
          'mc_argmax_counts': torch.nn.functional.one_hot(mc.argmax(2), C).sum(1), 'embeddings': emb, 'features': emb,
          'activations': tuple(torch.randn(N, k, generator=gen).relu() for k in (16, 8, C)),
          'labelled_embeddings': torch.randn(10, d, generator=gen), 'valid_embeddings': torch.randn(30, d, generator=gen),
          'valid_probs': vp, 'valid_targets': torch.randint(C, (30,), generator=gen)}
    if dtype != torch.float32:
        sc = {k: (v.to(dtype) if isinstance(v, torch.Tensor) and v.is_floating_point() else
                  tuple(t.to(dtype) for t in v) if isinstance(v, tuple) else v) for k, v in sc.items()}
    return sc

def cases():
    "(label, function of no argument returning positions)"
    import fastai_al.all
    from fastai_al.strategies.core import STRATEGIES
    from fastai_al.strategies import diversity
    from fastai_al.strategies.batch import kmeans, k_center_greedy, badge_select, batchbald_select
    out = []
    for seed, N in [(0, 60), (1, 90)]:
        sc = synthetic_scores(N=N, seed=seed)
        for name, s in STRATEGIES.items():
            for n in (1, 7, 25):
                for gs in (3, 11):
                    out.append((f'{name} N={N} n={n} gen={gs}', lambda s=s, sc=sc, n=n, gs=gs: s(sc, n, g(gs))))
            out.append((f'{name} N={N} n=5 gen=None', lambda s=s, sc=sc: s(sc, 5)))
    sc64 = synthetic_scores(N=60, seed=2, dtype=torch.float64)
    for name, s in STRATEGIES.items(): out.append((f'{name} float64 n=6', lambda s=s: s(sc64, 6, g(5))))
    # diversity strategies on a subsample of a pool larger than MAX_FIT
    big = synthetic_scores(N=150, seed=3)
    def small_fit(name, n, gs):
        def f():
            old, diversity.MAX_FIT = diversity.MAX_FIT, 40
            try: return STRATEGIES[name](big, n, g(gs))
            finally: diversity.MAX_FIT = old
        return f
    for name in ('glosh_outlier', 'cluster_outlier', 'margin+cluster_outlier'):
        for n, gs in [(5, 0), (12, 1), (60, 2)]: out.append((f'{name} MAX_FIT=40 n={n} gen={gs}', small_fit(name, n, gs)))
    cold = {**synthetic_scores(N=60, seed=4), 'labelled_embeddings': torch.zeros(0, 8)}
    for name in ('coreset', 'typiclust', 'dal', 'badge'):
        for gs in (0, 1): out.append((f'{name} cold start gen={gs}', lambda name=name, gs=gs: STRATEGIES[name](cold, 8, g(gs))))
    no_lab = {k: v for k, v in cold.items() if k != 'labelled_embeddings'}
    out.append(('coreset labelled None', lambda: k_center_greedy(no_lab['embeddings'], None, 8, g(2))))
    right = {**synthetic_scores(N=60, seed=5)}
    right['valid_targets'] = right['valid_probs'].argmax(1)
    out.append(('atl all right', lambda: STRATEGIES['atl'](right, 9, g(4))))
    wrong = {**right, 'valid_targets': (right['valid_probs'].argmax(1) + 1) % 4}
    out.append(('atl all wrong', lambda: STRATEGIES['atl'](wrong, 9, g(4))))
    dup = torch.randn(5, 6, generator=g(6)).repeat(8, 1)
    dup_p = torch.randn(5, 3, generator=g(7)).softmax(1).repeat(8, 1)
    out.append(('badge duplicates', lambda: badge_select(dup_p, dup, 12, g(8))))
    mc = torch.randn(40, 6, 3, generator=g(9)).mul(2).softmax(-1)
    for gs in (0, 1): out.append((f'batchbald sampled gen={gs}', lambda gs=gs: batchbald_select(mc, 6, g(gs), max_configs=3, n_samples=50)))
    x = torch.randn(200, 5, generator=g(10))
    for gs in (0, 1): out.append((f'kmeans fit_size=30 gen={gs}', lambda gs=gs: kmeans(x, 4, g(gs), fit_size=30)))
    return out

def picks(default_device=None)->dict:
    "Label -> picked positions (a list), each case computed with `default_device` as torch's default device"
    res = {}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for label, f in cases():
            with (torch.device(default_device) if default_device else nullcontext()):
                try:
                    p = f()
                    dev = p.device.type
                    res[label] = p.tolist() if dev == 'cpu' else f'output on {dev}'
                except Exception as e: res[label] = f'{type(e).__name__}: {str(e).splitlines()[0][:120]}'
    return res

@call_parse
def main(save:str=None, # Write the picks to this JSON file
         compare:str=None, # Compare the picks with this JSON file; exit 1 on any difference
         default_device:str=None, # Compute under `torch.set_default_device(default_device)` (inputs stay on the CPU)
        ):
    res = picks(default_device)
    if save:
        with open(save, 'w') as f: json.dump(res, f, indent=0)
        print(f"{len(res)} cases written to {save}")
    if compare:
        with open(compare) as f: ref = json.load(f)
        diff = [k for k in ref if res.get(k) != ref[k]] + [k for k in res if k not in ref]
        for k in diff: print(f"DIFFERENT  {k}: {ref.get(k)}  ->  {res.get(k)}")
        print(f"{len(ref) - len(set(diff) & set(ref))} of {len(ref)} cases give the same picks"
              + (f" (default device {default_device})" if default_device else ''))
        if diff: sys.exit(1)
