"""Selection-time and memory benchmark for the sampling strategies (scores given; no model involved).

    python benchmarks/bench_strategies.py            # about 2-3 minutes on 2 CPU cores
    python benchmarks/bench_strategies.py --quick    # smaller sizes, a few seconds

Prints: selection time of every ranked uncertainty/Bayesian strategy on an N×C probability pool; BADGE and
Coreset on N×d embeddings (seconds and peak extra memory); the same two against straightforward
implementations (explicit N×(C·d) gradient embeddings, full distance matrix) on a size both can run, as ratios.
"""
import os, time, threading, statistics
import torch
from fastcore.script import call_parse
from fastai_al.strategies.core import get_strategy
import fastai_al.strategies.bayesian, fastai_al.strategies.diversity, fastai_al.strategies.mixed, fastai_al.strategies.advanced
from fastai_al.strategies.batch import badge_select, k_center_greedy, kmeans_pp, batchbald_select, typiclust_select

def rss():
    "Resident memory of this process in bytes"
    with open('/proc/self/statm') as f: return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')

def measure(f, *args, **kwargs):
    "(result, wall seconds, peak extra resident memory in bytes) of `f(*args)`; CPU seconds go to `measure.cpu`"
    base, peak, done = rss(), [0], threading.Event()
    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], rss()); time.sleep(0.001)
    t = threading.Thread(target=watch); t.start()
    start, cpu = time.perf_counter(), time.process_time()
    try: res = f(*args, **kwargs)
    finally:
        secs, measure.cpu = time.perf_counter() - start, time.process_time() - cpu
        done.set(); t.join()
    return res, secs, max(peak[0], rss()) - base

def naive_badge(probs, emb, n, generator):
    "BADGE as commonly written: explicit N×(C·d) gradient embeddings, distances from the matrix"
    q = probs.clone(); q[torch.arange(len(q)), q.argmax(1)] -= 1
    G = (q[:, :, None] * emb[:, None, :]).reshape(len(q), -1)
    return kmeans_pp(lambda j: ((G - G[j])**2).sum(1), int((G**2).sum(1).argmax()), n, len(G), generator)

def naive_coreset(emb, lab, n):
    "Greedy k-center from the full pool×pool and pool×labelled distance matrices"
    D, d2, picked = torch.cdist(emb, emb).pow(2), torch.cdist(emb, lab).pow(2).min(1).values, []
    for _ in range(n):
        j = int(d2.argmax()); picked.append(j); d2 = torch.minimum(d2, D[j]); d2[j] = -1
    return torch.tensor(picked)

mb = lambda b: f"{b / 2**20:8.1f} MiB"

@call_parse
def main(quick:bool=False, # Small sizes (smoke test)
         threads:int=2, # torch threads
         seed:int=0):
    torch.set_num_threads(threads)
    g = lambda: torch.Generator().manual_seed(seed)
    N_u, C = (100_000 if quick else 1_000_000), 10
    N_e, d, n_e = (10_000, 128, 100) if quick else (100_000, 512, 1_000)
    N_s, n_s = (2_000, 50) if quick else (4_000, 100)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads\n")

    print(f"== Ranked strategies: pick 1,000 of {N_u:,}×{C} (scores given; median of 3) ==")
    mc = torch.randn(N_u, C, generator=g()).mul(3).softmax(1)
    scores = {'idxs': torch.arange(N_u), 'probs': mc, 'mc_probs_mean': mc,
              'mc_entropy_mean': torch.special.entr(mc).sum(1) * torch.rand(N_u, generator=g())}
    for name in ['least_confidence', 'margin', 'ratio', 'entropy', 'bayesian_least_confidence', 'bayesian_margin',
                 'bayesian_ratio', 'bayesian_entropy', 'max_entropy', 'bald', 'power_bald']:
        s = get_strategy(name)
        times = [measure(s, scores, 1000, g())[1] for _ in range(3)]
        print(f"{name:28s} {statistics.median(times):7.3f} s")
    del mc, scores

    print(f"\n== BADGE and Coreset: pick {n_e:,} of {N_e:,}×{d} embeddings, C={C} ==")
    emb = torch.randn(N_e, d, generator=g()).relu()
    probs = torch.randn(N_e, C, generator=g()).mul(2).softmax(1)
    lab = torch.randn(1000, d, generator=g()).relu()
    print(f"inputs: embeddings {mb(emb.numel() * 4)}; an explicit N×(C·d) matrix would be {mb(N_e * C * d * 4)}, "
          f"a full N×N distance matrix {mb(N_e * N_e * 4)}")
    _, t_b, m_b = measure(badge_select, probs, emb, n_e, g())
    print(f"badge (factorised)                  {t_b:7.2f} s wall, {measure.cpu:7.2f} s CPU, peak extra {mb(m_b)}")
    _, t_c, m_c = measure(k_center_greedy, emb, lab, n_e, g())
    print(f"coreset (k-center, 1,000 labelled)  {t_c:7.2f} s wall, {measure.cpu:7.2f} s CPU, peak extra {mb(m_c)}")
    del emb, probs, lab

    print(f"\n== Against straightforward implementations: pick {n_s} of {N_s:,}×{d}, C={C} ==")
    emb = torch.randn(N_s, d, generator=g()).relu()
    probs = torch.randn(N_s, C, generator=g()).mul(2).softmax(1)
    lab = torch.randn(200, d, generator=g()).relu()
    for name, ours, naive in [
        ('badge', lambda: badge_select(probs, emb, n_s, g()), lambda: naive_badge(probs, emb, n_s, g())),
        ('coreset', lambda: k_center_greedy(emb, lab, n_s, g()), lambda: naive_coreset(emb, lab, n_s))]:
        p1, t1, m1 = measure(ours); p0, t0, m0 = measure(naive)
        print(f"{name:8s} ours {t1:6.2f} s {mb(m1)} | straightforward {t0:6.2f} s {mb(m0)} | "
              f"time ×{t0 / t1:5.1f}, memory ×{m0 / max(m1, 2**20):5.1f} (ours counted as ≥ 1 MiB) | same picks: {len(set(p1.tolist()) & set(p0.tolist()))}/{n_s}")
    del emb, probs, lab

    print("\n== Others ==")
    mcs = torch.randn(2_000, 10, C, generator=g()).mul(2).softmax(-1)
    _, t, m = measure(batchbald_select, mcs, 10, g())
    print(f"batchbald: pick 10 of 2,000 (T=10, C={C}, ≤1,024 configurations)  {t:6.2f} s  peak extra {mb(m)}")
    emb = torch.randn(10_000, d, generator=g()).relu()
    _, t, m = measure(typiclust_select, emb, emb[:100] + 0.1, 100, g())
    print(f"typiclust: pick 100 of 10,000×{d} (100 labelled, 200 clusters)  {t:6.2f} s  peak extra {mb(m)}")
