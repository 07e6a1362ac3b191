"""What every registered strategy costs at a realistic size: selection time and peak extra memory (scores given).

    nice python benchmarks/bench_strategies.py                 # 100,000 × 512, C=10, T=20: 21-40 min on 2 busy cores (load 6-11)
    python benchmarks/bench_strategies.py --quick              # 5,000 × 64: a couple of minutes
    python benchmarks/bench_strategies.py --only coreset,badge # some strategies only

Every registered strategy picks `n` = 1,000 items from a pool of N = 100,000 items with d = 512-dimensional
embeddings, C = 10 classes, T = 20 MC-dropout samples and L = 1,000 labelled items (validation set: 1,000). The
expensive batch methods (`EXPENSIVE` below) pick 100, BatchBALD 4 (see `N_OVERRIDE`), and the table says so. The inputs are synthetic but shaped like
a trained network's: embeddings cluster by class (ReLU of class centre + noise), probabilities favour the item's
class, MC samples scatter around them.

Each measurement runs in a fresh subprocess (inputs built, a small warm-up call, then the timed call), so peak extra
memory is the growth of that process's resident set during the call (sampled every millisecond), and one slow or
runaway strategy cannot disturb the others. Repeats are interleaved (every strategy and form once, then again), and
the table reports medians and ratios from this one run:

- `×random`: time (memory) over the `random` strategy's (memory ratios count every form as at least 1 MiB);
- `×ref`: over the strategy's bare or reference form, where one exists, each on its own line:
  - `bare`: the strategy's own score function and a plain `torch.topk` (no input check, no deterministic tie order);
  - `before`: fastai_al's implementation before issue 14 (copied below from commit dd41bcb);
  - `tuned` (coreset): greedy k-center hand-tuned for this machine (d×N copy of the embeddings, `addmv` into a buffer);
  - `anchor` (badge): a factorised k-means++ written for this comparison (d×N copy, float32 inverse-CDF draws);
  - `hdbscan1` (cluster_outlier, glosh_outlier): one HDBSCAN fit with the library's defaults on what ours clusters.
`same picks` compares the picked positions with the `before` form's.
"""
import os, sys, time, json, math, threading, statistics, subprocess, gc
import numpy as np
import torch
from fastcore.script import call_parse

SIZES = dict(full=dict(N=100_000, d=512, C=10, T=20, L=1_000, V=1_000, n=1_000, n_expensive=100),
             quick=dict(N=5_000, d=64, C=10, T=20, L=200, V=200, n=100, n_expensive=20),
             small=dict(N=3_000, d=64, C=10, T=20, L=200, V=200, n=100, n_expensive=100),
             ranked=dict(N=1_000_000, d=8, C=10, T=20, L=10, V=10, n=1_000, n_expensive=1_000))
# strategies whose selection grows with n × (a pool-sized fit or an N·K·T·C product): they pick `n_expensive`
EXPENSIVE = ('batchbald', 'typiclust', 'dal', 'cluster_outlier', 'margin+cluster_outlier')
# BatchBALD's picks cost O(N·K·T·C) each with K up to 1,024 label configurations: from the 4th pick on, about
# 50 s each at 100,000 × T=20 × C=10 on one core, so it picks 4 here (100 would take over an hour)
N_OVERRIDE = {'batchbald': 4}

def rss():
    "Resident memory of this process in bytes"
    with open('/proc/self/statm') as f: return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')

def measure(f, *args, **kwargs):
    "(result, wall seconds, CPU seconds, peak extra resident memory in bytes) of `f(*args, **kwargs)`"
    gc.collect()
    base, peak, done = rss(), [0], threading.Event()
    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], rss()); time.sleep(0.001)
    t = threading.Thread(target=watch); t.start()
    start, cpu = time.perf_counter(), time.process_time()
    try: res = f(*args, **kwargs)
    finally:
        secs, cpu = time.perf_counter() - start, time.process_time() - cpu
        done.set(); t.join()
    return res, secs, cpu, max(peak[0], rss()) - base

# ---------------------------------------------------------------------------------------------------------------
# Inputs
def make_scores(N, d, C, T, L, V, seed=0, needs=(), **_):
    "Synthetic scores for `needs`, deterministic in `seed`; only what is needed is built (mc_probs only on request)"
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(C, d, generator=g) * 1.5
    y = torch.randint(C, (N,), generator=g)
    def emb_like(y): return (centres[y] + torch.randn(len(y), d, generator=g)).relu_()
    def logits_like(y):
        logits = torch.randn(len(y), C, generator=g) * 2
        logits[torch.arange(len(y)), y] += 3
        return logits
    needs = set(needs)
    logits = logits_like(y)
    sc = {'idxs': torch.arange(N), 'probs': logits.softmax(1)}
    if needs & {'embeddings', 'features', 'activations'}: sc['embeddings'] = sc['features'] = emb_like(y)
    mc_keys = {'mc_probs', 'mc_probs_mean', 'mc_entropy_mean', 'mc_probs_var', 'mc_argmax_counts'}
    if mc_keys & needs:
        # MC samples scatter around the logits; streamed in chunks like the scoring pass (mc_probs kept on request)
        acc = {k: [] for k in mc_keys}
        for i in range(0, N, 10_000):
            p = (logits[i:i+10_000, None, :] + torch.randn(len(logits[i:i+10_000]), T, C, generator=g) * 1.5).softmax(-1)
            acc['mc_probs_mean'].append(p.mean(1)); acc['mc_entropy_mean'].append(torch.special.entr(p).sum(2).mean(1))
            acc['mc_probs_var'].append(p.var(1, unbiased=False))
            acc['mc_argmax_counts'].append(torch.nn.functional.one_hot(p.argmax(2), C).sum(1))
            if 'mc_probs' in needs: acc['mc_probs'].append(p)
        sc.update({k: torch.cat(v) for k, v in acc.items() if v})
    if 'activations' in needs:
        sc['activations'] = (sc['embeddings'], torch.randn(N, 128, generator=g).relu_(), logits)
    if 'labelled_embeddings' in needs: sc['labelled_embeddings'] = emb_like(torch.randint(C, (L,), generator=g))
    if needs & {'valid_embeddings', 'valid_probs', 'valid_targets'}:
        vy = torch.randint(C, (V,), generator=g)
        sc.update(valid_embeddings=emb_like(vy), valid_probs=logits_like(vy).softmax(1), valid_targets=vy)
    return sc

# ---------------------------------------------------------------------------------------------------------------
# `before`: fastai_al's implementations before issue 14 (commit dd41bcb), verbatim but for names
def top_n_before(acq, n):
    thr = torch.topk(acq, n, sorted=False).values.min()
    above = (acq > thr).nonzero().squeeze(1)
    tied = (acq == thr).nonzero().squeeze(1)[:n - len(above)]
    pos = torch.cat([above, tied])
    return pos[torch.sort(acq[pos], descending=True, stable=True).indices]

def guard_before(name, needs, scores):
    for k in needs:
        for t in (scores[k] if isinstance(scores[k], (tuple, list)) else [scores[k]]):
            if torch.is_floating_point(t) and torch.isnan(t).any():
                raise ValueError(f"{name}: scores[{k!r}] contains NaN at pool positions "
                                 f"{torch.isnan(t).reshape(len(t), -1).any(1).nonzero().squeeze(1)[:10].tolist()}")

def kmeans_pp_before(sqdist_to, first, n, n_items, generator):
    chosen = torch.zeros(n_items, dtype=torch.bool)
    picked, d2 = [first], sqdist_to(first).double().clamp_min(0)
    chosen[first] = True
    for _ in range(n - 1):
        w = d2.masked_fill(chosen, 0)
        cum = w.cumsum(0)
        if cum[-1] > 0:
            u = torch.rand(1, generator=generator, dtype=cum.dtype) * cum[-1]
            j = min(int(torch.searchsorted(cum, u, right=True)), n_items - 1)
        else: j = int((~chosen).nonzero()[0])
        picked.append(j); chosen[j] = True
        d2 = torch.minimum(d2, sqdist_to(j).double().clamp_min(0))
    return torch.tensor(picked, dtype=torch.long)

def badge_before(probs, embeddings, n, generator):
    h = embeddings if embeddings.is_floating_point() else embeddings.float()
    q = probs.to(h.dtype).clone()
    q[torch.arange(len(q)), q.argmax(1)] -= 1
    g_norm2 = (q * q).sum(1) * torch.linalg.vector_norm(h, dim=1).square()
    sqdist_to = lambda j: g_norm2 + g_norm2[j] - 2 * (q @ q[j]) * (h @ h[j])
    return kmeans_pp_before(sqdist_to, int(top_n_before(g_norm2, 1)[0]), n, len(h), generator)

def k_center_before(embeddings, labelled_embeddings, n, generator):
    from fastai_al.strategies.batch import min_sqdist
    x = embeddings if embeddings.is_floating_point() else embeddings.float()
    xn = torch.linalg.vector_norm(x, dim=1).square()
    lab = labelled_embeddings.to(x.dtype) if labelled_embeddings is not None else x[:0]
    if len(lab): d2, picked = min_sqdist(x, lab), []
    else:
        first = int(torch.randint(len(x), (1,), generator=generator))
        d2, picked = (xn + xn[first] - 2 * (x @ x[first])).clamp_min(0), [first]
    d2[picked] = -1
    while len(picked) < n:
        j = int(d2.argmax())
        picked.append(j)
        d2 = torch.minimum(d2, (xn + xn[j] - 2 * (x @ x[j])).clamp_min(0))
        d2[j] = -1
    return torch.tensor(picked, dtype=torch.long)

def hdbscan_clusters_before(x, min_cluster_size=100, min_samples=None):
    import hdbscan
    x = x.detach().cpu().double().numpy()
    if len(x) < 3: return np.zeros(len(x), dtype=int), np.zeros(len(x))
    mcs = max(2, min(min_cluster_size, max(5, len(x) // 10)))
    while True:
        c = hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=min_samples).fit(x)
        if c.labels_.max() >= 0 or mcs == 2: break
        mcs = max(2, mcs // 2)
    labels = c.labels_ if c.labels_.max() >= 0 else np.zeros(len(x), dtype=int)
    return labels, np.nan_to_num(c.outlier_scores_, nan=0.0)

def cluster_outlier_before(embeddings, n, outlier_frac=0.2, min_cluster_size=100):
    from fastai_al.strategies.diversity import _cluster_shares
    labels, glosh = hdbscan_clusters_before(embeddings, min_cluster_size)
    x = embeddings.detach().cpu().double().numpy()
    ids = np.unique(labels[labels >= 0])
    shares = _cluster_shares(np.array([(labels == c).sum() for c in ids]), n)
    picked = []
    for c, share in zip(ids, shares):
        members = np.nonzero(labels == c)[0]
        dist = ((x[members] - x[members].mean(0))**2).sum(1)
        central = members[np.lexsort((members, dist, glosh[members]))]
        n_out = int(round(share * outlier_frac))
        outlying = members[np.lexsort((members, -glosh[members]))][:n_out].tolist()
        picked += outlying + [i for i in central[:share] if i not in outlying][:share - n_out]
    if len(picked) < n:
        noise = np.nonzero(labels < 0)[0]
        picked += noise[np.lexsort((noise, -glosh[noise]))][:n - len(picked)].tolist()
    return torch.tensor(picked[:n], dtype=torch.long)

def _typicality_before(x, k_nn, chunk_elems=2**22):
    k = min(k_nn, len(x) - 1)
    if k < 1: return torch.ones(len(x), dtype=x.dtype)
    rows, out = max(1, chunk_elems // len(x)), []
    for i in range(0, len(x), rows):
        d = torch.cdist(x[i:i+rows], x)
        out.append(1 / d.topk(k + 1, dim=1, largest=False).values[:, 1:].mean(1).clamp_min(1e-12))
    return torch.cat(out)

def typiclust_before(embeddings, labelled_embeddings, n, generator, max_clusters=500, k_nn=20, min_size=5):
    from sklearn.cluster import KMeans, MiniBatchKMeans
    x = embeddings.detach().double()
    lab = labelled_embeddings.detach().double() if labelled_embeddings is not None else x[:0]
    allx = torch.cat([lab, x]).numpy()
    k = max(1, min(len(lab) + n, max_clusters, len(allx)))
    seed = int(torch.randint(2**31 - 1, (1,), generator=generator))
    km = (KMeans(k, n_init=3, random_state=seed) if k <= 50 else
          MiniBatchKMeans(k, n_init=3, random_state=seed, batch_size=max(1024, 3 * k)))
    assign = torch.as_tensor(km.fit_predict(allx))
    lab_assign, pool_assign = assign[:len(lab)], assign[len(lab):]
    covered = torch.bincount(lab_assign, minlength=k)
    size = torch.bincount(assign, minlength=k)
    left = torch.bincount(pool_assign, minlength=k)
    typ, picked = {}, []
    for _ in range(n):
        ok = left > 0
        if (ok & (size >= min_size)).any(): ok &= size >= min_size
        key = torch.where(ok, covered.double() * (len(allx) + 1) - size, math.inf)
        c = int(key.argmin())
        members = (pool_assign == c).nonzero().squeeze(1)
        if c not in typ: typ[c] = _typicality_before(torch.as_tensor(allx[(assign == c).numpy()]), k_nn)[(lab_assign == c).sum():]
        t = typ[c].clone()
        t[torch.isin(members, torch.tensor(picked, dtype=torch.long))] = -math.inf
        j = int(members[top_n_before(t, 1)[0]])
        picked.append(j); covered[c] += 1; left[c] -= 1
    return torch.tensor(picked, dtype=torch.long)

# ---------------------------------------------------------------------------------------------------------------
# Reference forms written for this comparison
def k_center_tuned(embeddings, labelled_embeddings, n, generator):
    "Greedy k-center as tuned by hand for this machine: d×N copy (column-oriented matrix-vector products), buffers reused"
    from fastai_al.strategies.batch import min_sqdist
    x = embeddings
    xT = x.T.contiguous()
    xn = torch.linalg.vector_norm(x, dim=1).square()
    d2 = min_sqdist(x, labelled_embeddings)
    buf, picked = torch.empty_like(d2), []
    for _ in range(n):
        j = int(d2.argmax()); picked.append(j)
        torch.mv(xT.T, x[j], out=buf)                       # x @ x[j], read column-wise
        torch.minimum(d2, buf.mul_(-2).add_(xn).add_(xn[j]).clamp_min_(0), out=d2)
        d2[j] = -1
    return torch.tensor(picked)

def badge_anchor(probs, embeddings, n, generator):
    "Factorised k-means++ written for this comparison: d×N copy of h, float32 distances, inverse-CDF draws"
    h, q = embeddings, probs.clone()
    q[torch.arange(len(q)), q.argmax(1)] -= 1
    hT = h.T.contiguous()
    gn = (q * q).sum(1) * torch.linalg.vector_norm(h, dim=1).square()
    j = int(gn.argmax()); picked = [j]
    d2 = (gn + gn[j] - 2 * (q @ q[j]) * (h[j] @ hT)).clamp_min(0)
    for _ in range(n - 1):
        d2[picked[-1]] = 0
        cum = d2.cumsum(0)
        j = min(int(torch.searchsorted(cum, torch.rand(1, generator=generator) * cum[-1], right=True)), len(h) - 1)
        picked.append(j)
        d2 = torch.minimum(d2, (gn + gn[j] - 2 * (q @ q[j]) * (h[j] @ hT)).clamp_min(0))
    return torch.tensor(picked)

# ---------------------------------------------------------------------------------------------------------------
def load():
    import fastai_al.strategies.bayesian, fastai_al.strategies.diversity, fastai_al.strategies.mixed
    import fastai_al.strategies.advanced, fastai_al.strategies.batch
    from fastai_al.strategies.core import STRATEGIES
    return STRATEGIES

def forms(name, S, cfg):
    "The forms measured for strategy `name`: 'ours' first"
    s, fs = S[name], ['ours']
    if name == 'cluster_outlier' and cfg['N'] <= 10_000: fs.append('before')   # seven HDBSCAN fits: small pools only
    if s.score is not None and name != 'glosh_outlier': fs += ['bare', 'before']
    fs += {'coreset': ['before', 'tuned'], 'badge': ['before', 'anchor'], 'typiclust': ['before'],
           'cluster_outlier': ['hdbscan1'], 'glosh_outlier': ['hdbscan1'], 'random': ['bare']}.get(name, [])
    return fs

def n_for(name, cfg):
    if name in N_OVERRIDE and cfg['N'] > 10_000: return N_OVERRIDE[name]
    return cfg['n_expensive'] if name in EXPENSIVE else cfg['n']

def runner(name, form, cfg, S):
    "A function of (scores, n, generator) computing `form` of strategy `name`"
    s = S[name]
    if form == 'ours': return lambda sc, n, g: s(sc, n, g)
    if form == 'bare':
        if name == 'random': return lambda sc, n, g: torch.randperm(len(sc['idxs']), generator=g)[:n]
        return lambda sc, n, g: torch.topk(s.score(*[sc[k] for k in s.needs]), n).indices
    if form == 'before':
        def before(sc, n, g):
            guard_before(name, s.needs, sc)
            if s.score is not None: return top_n_before(s.score(*[sc[k] for k in s.needs]), n)
            if name == 'coreset': return k_center_before(sc['embeddings'], sc['labelled_embeddings'], n, g)
            if name == 'badge': return badge_before(sc['probs'], sc['embeddings'], n, g)
            if name == 'typiclust': return typiclust_before(sc['embeddings'], sc['labelled_embeddings'], n, g)
            if name == 'cluster_outlier': return cluster_outlier_before(sc['embeddings'], n)
            raise KeyError(name)
        return before
    if form == 'tuned': return lambda sc, n, g: k_center_tuned(sc['embeddings'], sc['labelled_embeddings'], n, g)
    if form == 'anchor': return lambda sc, n, g: badge_anchor(sc['probs'], sc['embeddings'], n, g)
    if form == 'hdbscan1':
        def one_fit(sc, n, g):
            import hdbscan
            from fastai_al.strategies import diversity
            x = sc['embeddings']
            m = getattr(diversity, 'MAX_FIT', len(x))   # ours clusters at most this many items
            if len(x) > m: x = x[torch.randperm(len(x), generator=g)[:m]]
            hdbscan.HDBSCAN(min_cluster_size=100).fit(x.double().numpy())
            return torch.arange(n)
        return one_fit
    raise KeyError(form)

def child(name, size, threads, seed, repeats, limit):
    "Measure every form of strategy `name`, repeats interleaved, in this process; print one JSON line per measurement"
    torch.set_num_threads(threads)
    cfg, S = SIZES[size], load()
    needs, n = S[name].needs, n_for(name, cfg)
    fs = {f: runner(name, f, cfg, S) for f in forms(name, S, cfg)}
    # warm-up on a small pool (code paths, thread pools, lazy imports), then the measured calls
    small = make_scores(**{**cfg, 'N': 600, 'L': 50, 'V': 50}, seed=seed + 1, needs=needs)
    for f in fs.values(): f(small, min(20, n), torch.Generator().manual_seed(seed))
    del small
    sc = make_scores(**cfg, seed=seed, needs=needs)
    slow = set()
    for r in range(repeats):
        for form, f in fs.items():
            if form in slow: continue
            pos, secs, cpu, mem = measure(f, sc, n, torch.Generator().manual_seed(seed))
            if secs > limit: slow.add(form)   # over the limit once: not repeated
            print(json.dumps(dict(name=name, form=form, repeat=r, n=n, secs=secs, cpu=cpu, mem=mem,
                                  picks=torch.as_tensor(pos).tolist() if r == 0 else None)), flush=True)

# ---------------------------------------------------------------------------------------------------------------
def summarise(res, names, cfg, S):
    "One row per (strategy, form): medians over the repeats and the ratios; `None` fields where a form failed"
    med = lambda j, k: statistics.median(r[k] for r in res[j]) if res.get(j) and all(k in r for r in res[j]) else None
    first = lambda j: next((r['picks'] for r in res.get(j, []) if r.get('picks') is not None), None)
    c0, t0 = med(('random', 'ours'), 'cpu'), med(('random', 'ours'), 'secs')
    m0 = max(med(('random', 'ours'), 'mem') or 0, 2**20)
    emb = cfg['N'] * cfg['d'] * 4
    rows = []
    for nm in names:
        ours = {k: med((nm, 'ours'), k) for k in ('cpu', 'secs', 'mem')}
        for f in forms(nm, S, cfg):
            r = dict(strategy=nm, family=S[nm].family, n=n_for(nm, cfg), form=f, repeats=len(res.get((nm, f), [])),
                     **{k: med((nm, f), k) for k in ('cpu', 'secs', 'mem')})
            r['error'] = next((x['error'] for x in res.get((nm, f), []) if 'error' in x), '') if r['cpu'] is None else ''
            if r['cpu'] is not None:
                r.update(cpu_x_random=r['cpu'] / max(c0, 1e-6), secs_x_random=r['secs'] / max(t0, 1e-6),
                         mem_mib=r['mem'] / 2**20, mem_x_random=max(r['mem'], 2**20) / m0, mem_x_embeddings=r['mem'] / emb)
                if f != 'ours' and ours['cpu'] is not None:   # ours over this form: below 1, ours is cheaper
                    r.update(ours_cpu_x=ours['cpu'] / r['cpu'], ours_secs_x=ours['secs'] / r['secs'],
                             ours_mem_x=max(ours['mem'], 2**20) / max(r['mem'], 2**20))
                if f == 'before' and first((nm, 'ours')) is not None and first((nm, f)) is not None:
                    r['same_picks'] = first((nm, 'ours')) == first((nm, f))
            rows.append(r)
    return rows

def print_table(rows):
    fmt = lambda v, p: '' if v is None else f"{v:{p}}"
    print(f"{'strategy':30s} {'n':>5s} {'form':8s} {'CPU s':>8s} {'×random':>8s} {'ours ×':>7s} {'wall s':>8s} {'ours ×':>7s} "
          f"{'MiB':>7s} {'×emb':>5s} {'ours ×':>7s}  same picks")
    for r in rows:
        head = f"{r['strategy'] if r['form'] == 'ours' else '':30s} {r['n'] if r['form'] == 'ours' else '':>5} {r['form']:8s}"
        if r['cpu'] is None: print(f"{head} {r['error']}"); continue
        same = {True: 'yes', False: 'NO'}.get(r.get('same_picks'), '')
        print(f"{head} {r['cpu']:8.3f} {r['cpu_x_random']:8.0f} {fmt(r.get('ours_cpu_x'), '7.2f'):>7s} {r['secs']:8.3f} "
              f"{fmt(r.get('ours_secs_x'), '7.2f'):>7s} {r['mem_mib']:7.1f} {r['mem_x_embeddings']:5.2f} {fmt(r.get('ours_mem_x'), '7.2f'):>7s}  {same}")

@call_parse
def main(quick:bool=False, # Small sizes (5,000 × 64), a couple of minutes
         size:str='', # 'full', 'quick' or 'small' (3,000 × 64); overrides --quick
         only:str='', # Comma-separated strategy names (default: every registered strategy)
         repeats:int=3, # Interleaved repeats of every measurement
         limit:float=600, # A form slower than this (seconds) is measured once, not repeated
         threads:int=1, # torch threads per measurement (1: on 2 cores shared with other jobs, 2 threads ran 2.5-10× slower)
         timeout:int=1800, # Seconds before one strategy's measurements are abandoned
         seed:int=0,
         child_spec:str='', # Internal: measure the forms of this strategy in this process
         out:str='', # Also write the per-run measurements (JSON lines) here
         csv:str='', # Also write the summary table here (CSV)
        ):
    size = size or ('quick' if quick else 'full')
    if child_spec: return child(child_spec, size, threads, seed, repeats, limit)
    S = load()
    names = only.split(',') if only else list(S)
    cfg = SIZES[size]
    mib = lambda b: b / 2**20
    print(f"torch {torch.__version__}, {threads} threads, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    print(f"pool N={cfg['N']:,}, d={cfg['d']}, C={cfg['C']}, T={cfg['T']}, {cfg['L']:,} labelled; picking {cfg['n']:,} "
          f"({cfg['n_expensive']:,} for {', '.join(EXPENSIVE)}"
          + ''.join(f"; {k}: {n_for(k, cfg)}" for k in N_OVERRIDE if n_for(k, cfg) != cfg['n_expensive'])
          + f"); embeddings {mib(cfg['N'] * cfg['d'] * 4):.0f} MiB\n", flush=True)
    res = {(nm, f): [] for nm in ['random'] + names for f in forms(nm, S, cfg)}
    sink = open(out, 'a') if out else None
    # one process per strategy (allocations returned to the system at once, so resident memory tracks the tensors)
    env = {**os.environ, 'MALLOC_MMAP_THRESHOLD_': str(2**17), 'MALLOC_TRIM_THRESHOLD_': str(2**17)}
    for nm in dict.fromkeys(['random'] + names):
        cmd = [sys.executable, __file__, '--child-spec', nm, '--size', size, '--threads', str(threads), '--seed', str(seed),
               '--repeats', str(repeats), '--limit', str(limit)]
        try: p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env); stdout, err = p.stdout, p.returncode and p.stderr
        except subprocess.TimeoutExpired as e: stdout, err = (e.stdout or b'').decode() if isinstance(e.stdout, bytes) else (e.stdout or ''), f'stopped after {timeout} s'
        for line in stdout.splitlines():
            if not line.startswith('{'): continue
            row = json.loads(line); res[(nm, row['form'])].append(row)
            if sink: sink.write(json.dumps({k: v for k, v in row.items() if k != 'picks'}) + '\n'); sink.flush()
            print(f"  {nm:30s} {row['form']:8s} {row['secs']:8.3f} s {mib(row['mem']):8.1f} MiB", file=sys.stderr, flush=True)
        if err:
            msg = err if isinstance(err, str) and err.startswith('stopped') else (err.strip().splitlines() or ['?'])[-1][:200]
            for f in forms(nm, S, cfg):
                if not res[(nm, f)]: res[(nm, f)].append(dict(error=msg))
            print(f"  {nm}: {msg}", file=sys.stderr, flush=True)
    rows = summarise(res, names, cfg, S)
    print_table(rows)
    if csv:
        import pandas as pd
        pd.DataFrame(rows).to_csv(csv, index=False)
    print(f"\nmedians of {repeats} interleaved repeats; 'ours ×' = ours / that form (below 1: ours is cheaper); CPU s: "
          f"the process's CPU time (wall time also counts waiting for a core on a shared machine); MiB: peak extra "
          f"resident memory, ×emb of the embeddings; load average {os.getloadavg()[0]:.1f} at the end")
