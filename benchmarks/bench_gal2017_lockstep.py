"""Does training the runs of the Gal et al. 2017 protocol in lockstep pay on this machine's CPU?

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/bench_gal2017_lockstep.py [--k 5] [--sizes "20 520 1020"]

At round r every run of the paper's protocol has 20 + 10r labels, so K runs (seeds, strategies) can train as one
stacked model: `torch.vmap` over their stacked weights (`torch.func.stack_module_state`), each run on its own labelled
images, its own initial draw and its own randomness (shuffles and dropout masks from a generator per run, drawn outside
the vmap). This script
1. checks that each run's result does not depend on the runs it shares a step with: the weights after an epoch of a run
   trained in a stack of K equal (float tolerance) those of the same run trained alone (plain tensors, no vmap), and so do its
   BALD picks from MC dropout (T samples, masks from the run's generator);
2. measures, in one process on one torch thread, the CPU seconds of each part of a round — an epoch at N labels, MC
   scoring of 2,000 pool images with T = 100, the 10,000-image test — three ways: the library's own path (the
   `gal_cnn_keras` learner, K times), the same functional code one run at a time (K times), and lockstep (once for K);
3. prints the ratios, and the core-hours of one 101-round BALD run (50 epochs a round; 20 … 1,020 labels; epoch cost
   interpolated linearly in N between the measured sizes) each way, with the machine's load.
Nothing here is timed against a threshold: the figures decide whether the sweep uses lockstep."""
import os, time
import numpy as np
import torch
import torch.nn.functional as F
from torch.func import stack_module_state, vmap
from fastcore.script import call_parse
from fastai_al.studies.gal2017 import gal2017_specs, keras1_glorot_, init_seed
from fastai_al.models.cnn import gal_cnn
from fastai_al.data.mnist import load_mnist
from fastai_al.strategies.core import get_strategy

P_CONV, P_DENSE, C_L2, BS = 0.25, 0.5, 3.5, 128

def fwd(p, x, m1, m2):
    "`gal_cnn` (4×4, 2×2, 128) with explicit dropout masks `m1` (after pooling) and `m2` (dense); `p`: one run's weights"
    h = F.relu(F.conv2d(x, p['0.weight'], p['0.bias']))
    h = F.relu(F.conv2d(h, p['2.weight'], p['2.bias']))
    h = F.max_pool2d(h, 2).flatten(1) * m1
    h = F.relu(F.linear(h, p['7.weight'], p['7.bias'])) * m2
    return F.linear(h, p['10.weight'], p['10.bias'])

def body(p, x):
    "The part before the first dropout (computed once for all MC samples)"
    return F.max_pool2d(F.relu(F.conv2d(F.relu(F.conv2d(x, p['0.weight'], p['0.bias'])), p['2.weight'], p['2.bias'])), 2).flatten(1)

def head(p, f, m1, m2): return F.linear(F.relu(F.linear(f * m1, p['7.weight'], p['7.bias'])) * m2, p['10.weight'], p['10.bias'])

def mask(g, shape, p): return torch.empty(shape).bernoulli_(1 - p, generator=g) / (1 - p)

def kmap(f, p, *args):
    "`vmap(f)` over the K stacked runs; with one run, `f` itself (plain tensors, no vmap): the one-at-a-time reference"
    if len(args[0]) > 1: return vmap(f)(p, *args)
    return f({k: v[0] for k, v in p.items()}, *[a[0] for a in args])[None]

class Lockstep:
    "K runs of the paper protocol's round as one stacked model; run k draws only from its own generator `gens[k]`"
    def __init__(self, seeds, rnd:int=0):
        models = [keras1_glorot_(gal_cnn(), torch.Generator().manual_seed(init_seed(s, rnd))) for s in seeds]
        params, _ = stack_module_state(models)
        self.p = {k: v.detach().clone().requires_grad_() for k, v in params.items()}
        self.gens = [torch.Generator().manual_seed(1000 + s) for s in seeds]
        self.opt = torch.optim.Adam(self.p.values(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)  # elementwise: per run, as alone
        self.K = len(seeds)

    def epoch(self, xs, ys):
        "One epoch of batch 128 on each run's own labelled set (`xs`: K×N×1×28×28, `ys`: K×N)"
        N = xs.shape[1]
        perms = torch.stack([torch.randperm(N, generator=g) for g in self.gens])
        for i in range(0, N, BS):
            idx = perms[:, i:i + BS]; b = idx.shape[1]
            x, y = torch.stack([xs[k, idx[k]] for k in range(self.K)]), torch.stack([ys[k, idx[k]] for k in range(self.K)])
            m1 = torch.stack([mask(g, (b, 3872), P_CONV) for g in self.gens]); m2 = torch.stack([mask(g, (b, 128), P_DENSE) for g in self.gens])
            out = kmap(fwd, self.p, x, m1, m2)
            loss = F.cross_entropy(out.flatten(0, 1), y.flatten(), reduction='none').view(self.K, b).mean(1)
            loss = (loss + C_L2 / N * self.p['7.weight'].pow(2).sum((1, 2))).sum()  # runs' losses add: their gradients stay apart
            self.opt.zero_grad(); loss.backward(); self.opt.step()

    @torch.no_grad()
    def bald(self, xs, T:int, n:int=10, chunk:int=500):
        "Each run's BALD top `n` of its own pool images `xs` (K×M×…) from T MC-dropout samples; the body once per image"
        M, picks = xs.shape[1], []
        p = {k: v.detach() for k, v in self.p.items()}
        probs = torch.zeros(self.K, T, M, 10)
        for i in range(0, M, chunk):
            f = kmap(body, p, xs[:, i:i + chunk]); b = f.shape[1]
            for t in range(T):
                m1 = torch.stack([mask(g, (b, 3872), P_CONV) for g in self.gens]); m2 = torch.stack([mask(g, (b, 128), P_DENSE) for g in self.gens])
                probs[:, t, i:i + b] = kmap(head, p, f, m1, m2).softmax(-1)
        pm = probs.mean(1)
        score = -(pm * pm.clamp_min(1e-12).log()).sum(-1) + (probs * probs.clamp_min(1e-12).log()).sum(-1).mean(1)
        return score.topk(n, dim=1).indices

    @torch.no_grad()
    def test(self, x, chunk:int=1000):
        "Every run's predictions on the same test images (dropout off)"
        p = {k: v.detach() for k, v in self.p.items()}
        ones1, ones2 = torch.ones(self.K, 1, 3872), torch.ones(self.K, 1, 128)
        return torch.cat([kmap(fwd, p, x[i:i + chunk].expand(self.K, -1, -1, -1, -1), ones1, ones2).argmax(-1) for i in range(0, len(x), chunk)], 1)

def cpu(f, reps=1):
    "CPU seconds (this process) and wall seconds of `f()`, per call"
    f0, w0 = time.process_time(), time.perf_counter()
    for _ in range(reps): f()
    return (time.process_time() - f0) / reps, (time.perf_counter() - w0) / reps

@call_parse
def main(k:int=5, # Runs in the lockstep stack
         sizes:str='20 520 1020', # Labelled-set sizes to time an epoch at
         mc:int=100, # T, the MC samples of the timing (the equality check uses 5)
        ):
    torch.set_num_threads(1)
    mn = load_mnist()
    X = torch.from_numpy(mn['x_train'].copy()).float().div(255)[:, None]; Y = torch.from_numpy(mn['y_train'].astype(np.int64))
    Xt = torch.from_numpy(mn['x_test'].copy()).float().div(255)[:, None]
    rng = np.random.default_rng(0)
    seeds, sizes = list(range(k)), [int(s) for s in sizes.split()]
    load0 = os.getloadavg()
    # 1. a run's result does not depend on the runs it shares a step with
    n = 200
    lab = [torch.from_numpy(rng.choice(len(X), n, replace=False)) for _ in seeds]
    pool = [torch.from_numpy(rng.choice(len(X), 300, replace=False)) for _ in seeds]
    xs, ys, xp = torch.stack([X[i] for i in lab]), torch.stack([Y[i] for i in lab]), torch.stack([X[i] for i in pool])
    stack = Lockstep(seeds); stack.epoch(xs, ys); picks = stack.bald(xp, T=5)
    diffs, same = [], []
    for j, s in enumerate(seeds):
        alone = Lockstep([s]); alone.epoch(xs[j:j + 1], ys[j:j + 1]); pa = alone.bald(xp[j:j + 1], T=5)
        diffs.append(max((stack.p[key][j] - alone.p[key][0]).abs().max().item() for key in stack.p))
        same.append(bool((picks[j] == pa[0]).all()))
    print(f"equality: {k} runs trained in one stack vs each alone, one epoch on {n} labels: largest weight difference "
          f"{max(diffs):.2e}; BALD picks (T = 5, 300 pool images) the same: {sum(same)}/{k}", flush=True)
    assert max(diffs) < 1e-5 and all(same), (diffs, same)
    # 2. timings: the library's path, the functional code one run at a time, lockstep
    res = {}
    for N in sizes:
        idx = [torch.from_numpy(rng.choice(len(X), N, replace=False)) for _ in seeds]
        xs, ys = torch.stack([X[i] for i in idx]), torch.stack([Y[i] for i in idx])
        st = Lockstep(seeds); alone = [Lockstep([s]) for s in seeds]
        learns = []
        for s in seeds:
            learn = gal2017_specs(('bald',), (s,), n_init=20)[0].make_learner()
            learn.label(np.setdiff1d(learn.pool.pool, learn.pool.labelled)[:N - 20])
            learns.append(learn)
        def lib():
            for l in learns:
                with l.no_bar(), l.no_logging(): l.fit(1, 1e-3)
        res[N] = dict(library=cpu(lib), one_at_a_time=cpu(lambda: [a.epoch(xs[j:j + 1], ys[j:j + 1]) for j, a in enumerate(alone)]),
                      lockstep=cpu(lambda: st.epoch(xs, ys)))
        print(f"epoch at N = {N}: " + ', '.join(f"{w} {c:.2f} CPU s ({wall:.1f} s wall)" for w, (c, wall) in res[N].items())
              + f" for {k} runs; lockstep / one at a time {res[N]['lockstep'][0] / res[N]['one_at_a_time'][0]:.2f}, "
              f"lockstep / library {res[N]['lockstep'][0] / res[N]['library'][0]:.2f}", flush=True)
    pidx = [torch.from_numpy(rng.choice(len(X), 2000, replace=False)) for _ in seeds]
    xp = torch.stack([X[i] for i in pidx])
    bald = get_strategy('bald')
    T = mc
    sc = dict(library=cpu(lambda: [l.score_pool(pidx[j].numpy(), bald.needs, mc_samples=T) for j, l in enumerate(learns)]),
              one_at_a_time=cpu(lambda: [a.bald(xp[j:j + 1], T) for j, a in enumerate(alone)]), lockstep=cpu(lambda: st.bald(xp, T)))
    def lib_test():
        for l in learns:
            with l.no_bar(), l.no_logging(): l.validate(dl=l.dls.subset_dl(l.pool.test, with_labels=True, bs=256))
    te = dict(library=cpu(lib_test),
              one_at_a_time=cpu(lambda: [a.test(Xt) for a in alone]), lockstep=cpu(lambda: st.test(Xt)))
    for what, d in (('MC scoring, 2,000 images, T = %d' % T, sc), ('test, 10,000 images', te)):
        print(f"{what}: " + ', '.join(f"{w} {c:.2f} CPU s" for w, (c, _) in d.items())
              + f" for {k} runs; lockstep / one at a time {d['lockstep'][0] / d['one_at_a_time'][0]:.2f}", flush=True)
    # 3. one 101-round BALD run: 50 epochs a round at N = 20 … 1,020, scoring and test every round
    Ns = np.arange(20, 1030, 10)
    print(f"one 101-round BALD run of the paper protocol, CPU core-hours per run (load {load0[0]:.1f} before, {os.getloadavg()[0]:.1f} after, "
          f"{os.cpu_count()} CPUs, 1 torch thread):")
    hours = {}
    for w in ('library', 'one_at_a_time', 'lockstep'):
        ep = np.interp(Ns, sizes, [res[N][w][0] for N in sizes])
        hours[w] = (50 * ep.sum() + len(Ns) * (sc[w][0] + te[w][0])) / k / 3600
        print(f"  {w}: {hours[w]:.2f}")
    print(f"ratio lockstep / one at a time: {hours['lockstep'] / hours['one_at_a_time']:.2f}; lockstep / library: {hours['lockstep'] / hours['library']:.2f}")
