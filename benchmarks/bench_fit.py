"""Cost of one round of Gal et al.'s schedule (50 epochs, batch 128, Adam, L2 c/N) through fastai vs a bare PyTorch loop.

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/bench_fit.py [--sizes "20 500 1000"] [--reps 2] [--out results/gal2017_paper/cost.json]

Same model (`gal_cnn`, Keras 1 init, same seed), same data (the labelled set collated once), same steps. Four ways:
`bare` (a PyTorch loop over pre-collated tensors, no validation), `bare+valid` (the same, evaluating the 100 validation
images after each epoch as fastai's `fit` does), `fastai` (fastai's default data path) and `fastai lean` (with
`TensorBatches`). Reported: the least CPU seconds over `reps` interleaved repetitions (CPU time is less sensitive than
wall time to other processes on a shared machine), and ratios to `bare+valid`. Then the MC-dropout scoring of 2,000
pool images at T = 1, 10, 100 and one evaluation of the 10,000 test images, fastai's path vs lean."""
import json, os, time
from functools import partial
from pathlib import Path
import torch
import torch.nn.functional as F
from fastcore.script import call_parse
from fastai.optimizer import Adam
from fastai_al.data.mnist import mnist_data
from fastai_al.models.cnn import gal_cnn
from fastai_al.learner import active_learner
from fastai_al.fit import TensorBatches, collate_all
from fastai_al.studies.gal2017 import keras1_glorot_, KerasL2

def _model(seed=0):
    torch.manual_seed(seed); return keras1_glorot_(gal_cnn())

def _cpu(f):
    c, w = time.process_time(), time.perf_counter(); out = f()
    return time.process_time() - c, time.perf_counter() - w, out

def bare(x, y, xv, yv, epochs, bs=128, c=3.5, valid=False):
    "Adam (Keras 1 defaults) on CE + (c/N)·ΣW² of the dense layer, shuffled batches of `bs`"
    m = _model(); opt = torch.optim.Adam(m.parameters(), 1e-3, betas=(0.9, 0.999), eps=1e-8)
    w, n = m[7].weight, len(x)
    for e in range(epochs):
        m.train()
        for b in torch.randperm(n).split(bs):
            loss = F.cross_entropy(m(x[b]), y[b]) + c / n * w.pow(2).sum()
            opt.zero_grad(); loss.backward(); opt.step()
        if valid:
            m.eval()
            with torch.no_grad(): float((m(xv).argmax(1) == yv).float().mean())

@call_parse
def main(sizes:str='20 500 1000', # Labelled-set sizes
         epochs:int=50, reps:int=2,
         out:str='results/gal2017_paper/cost.json', # Where to write the figures ('' for nowhere)
        ):
    torch.set_num_threads(1)
    data = mnist_data(n_valid=100, seed=0)
    opt = partial(Adam, mom=0.9, sqr_mom=0.999, eps=1e-8, wd=0.)
    res = dict(machine=dict(cpus=os.cpu_count(), load_before=os.getloadavg(), torch_threads=torch.get_num_threads()), rounds={})
    for n in map(int, sizes.split()):
        pool = data.new_pool(n, seed=0)
        mk = lambda lean: active_learner(data, pool, _model(), bs=128, opt_func=opt, cbs=[KerasL2(3.5)] + ([TensorBatches()] if lean else []))
        l0 = mk(False)
        x, y = collate_all(l0.dls.train); xv, yv = collate_all(l0.dls.valid)
        def fa(lean):
            learn = mk(lean)
            with learn.no_bar(), learn.no_logging(): learn.fit(epochs, 1e-3)
        ways = {'bare': lambda: bare(x, y, xv, yv, epochs), 'bare+valid': lambda: bare(x, y, xv, yv, epochs, valid=True),
                'fastai': lambda: fa(False), 'fastai lean': lambda: fa(True)}
        best = {k: (float('inf'), float('inf')) for k in ways}
        for r in range(reps):
            for k, f in ways.items():
                c, w, _ = _cpu(f)
                best[k] = (min(best[k][0], c), min(best[k][1], w))
        steps = epochs * len(l0.dls.train)
        row = {k: dict(cpu_s=round(c, 2), wall_s=round(w, 2), cpu_ratio=round(c / best['bare+valid'][0], 3)) for k, (c, w) in best.items()}
        res['rounds'][n] = dict(steps=steps, **row)
        print(f"{n} labels, {steps} steps: " + '; '.join(f"{k} {v['cpu_s']:.1f}s cpu ({v['cpu_ratio']:.2f}×)" for k, v in row.items()), flush=True)
    # MC-dropout scoring of 2,000 pool images, and one test evaluation
    learn = active_learner(data, data.new_pool(20, seed=0), _model(), bs=128, opt_func=opt)
    cand = learn.pool.pool[:2000]
    res['scoring_2000'] = {}
    for T in (1, 10, 100):
        c = min(_cpu(lambda: learn.score_pool(cand, ('mc_probs_mean', 'mc_entropy_mean'), mc_samples=T, bs=500))[0] for _ in range(reps))
        res['scoring_2000'][T] = round(c, 2)
        print(f"BALD scores of 2,000 pool images, T = {T}: {c:.1f}s cpu", flush=True)
    test = lambda: learn.validate(dl=learn.dls.subset_dl(learn.pool.test, with_labels=True, bs=256))
    with learn.no_bar(), learn.no_logging():
        tf = min(_cpu(test)[0] for _ in range(reps))
        learn.add_cb(TensorBatches()); test()  # collates once
        tl = min(_cpu(test)[0] for _ in range(reps))
    res['test_10000'] = dict(fastai=round(tf, 2), lean=round(tl, 2))
    print(f"test evaluation, 10,000 images: fastai {tf:.1f}s cpu, lean {tl:.1f}s cpu", flush=True)
    res['machine']['load_after'] = os.getloadavg()
    if out: Path(out).parent.mkdir(parents=True, exist_ok=True); Path(out).write_text(json.dumps(res, indent=1))
    print(json.dumps(res['machine']))
