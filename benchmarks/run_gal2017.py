"""Gal, Islam & Ghahramani 2017 (MNIST, Table 1) with fastai_al: strategies × seeds as resumable runs, then the table.

    python benchmarks/run_gal2017.py                 # run (or resume) everything, then write the table and plot
    python benchmarks/run_gal2017.py --table_only    # only rebuild table + plot from the finished rounds on disk

Each run is an `Experiment` under `OUT/runs/<strategy>_s<seed>` (state.json + results.csv after every round): kill
the script at any time and start it again to resume. Settings are written to `OUT/settings.json`."""
import json, math, time
import numpy as np
from fastcore.parallel import parallel
from functools import partial
from pathlib import Path
import pandas as pd
from fastcore.script import call_parse
from fastai.optimizer import Adam
from fastai_al.all import *
from fastai_al.cli import _run_one

def gal2017_learner(seed, n_valid=100, n_init=20, bs=32):
    "MNIST: all 60,000 training images minus `n_valid` as candidates, the 10,000 test images, `n_init` balanced labels"
    data = mnist_data(n_valid=n_valid, seed=seed)
    return active_learner(data, data.new_pool(n_init, seed=seed), gal_cnn(), bs=bs, opt_func=Adam)

def fit_min_samples(learn, epochs, lr, min_samples=640):
    "One fastai epoch over the labelled set repeated `max(epochs, ceil(min_samples/n))` times (shuffled): one validation per round"
    lab = learn.pool.labelled
    k = max(epochs, math.ceil(min_samples / len(lab)))
    learn.dls.loaders[0] = learn.dls.subset_dl(np.tile(lab, k), with_labels=True, train=True)
    learn.fit(1, lr)  # `active_fit` rebuilds the plain training loader at the next round

def reached(df, error=0.05)->bool:
    "Whether a run's rows hold a test error ≤ `error`"
    return bool(len(df)) and bool(((1 - df['test_accuracy']) <= error).any())

def run_jobs(jobs, out, make_learner, workers, **kwargs):
    "Run (or resume) `(strategy, seed)` jobs as `Experiment`s under `out/runs`, `workers` processes of 1 thread"
    if not jobs: return
    parallel(partial(_run_one, out=out, make_learner=make_learner, threads=1, **kwargs), jobs,
             n_workers=workers if workers > 1 else 0, progress=False)

def load_runs(out)->pd.DataFrame:
    "All finished rounds of every run under `out/runs`"
    fs = sorted(Path(out).glob('runs/*/results.csv'))
    return pd.concat([pd.read_csv(f) for f in fs], ignore_index=True) if fs else pd.DataFrame()

@call_parse
def main(out:str='results/gal2017', # Output folder
         strategies:str='random bald max_entropy bayesian_least_confidence margin', # Strategy names
         seeds:int=3, # Seeds 0 … seeds-1
         rounds:int=100, # Training rounds (each followed by an acquisition of `n_per_round`)
         n_per_round:int=10, # Images acquired per round
         first_rounds:int=40, # Stage 1: every run to this many rounds; stage 2: runs above `target_error` go on to `rounds`; stage 3: all to `rounds`
         target_error:float=0.05, # Stage 2 extends the runs whose test error has not reached this
         epochs:int=1, # Passes over the labelled set per round (warm start)...
         min_samples:int=640, # ...but at least this many training samples per round
         lr:float=1e-3, # Adam learning rate (constant)
         bs:int=32, # Training batch size
         mc_samples:int=10, # T, MC-dropout samples for the Bayesian strategies
         pool_subset:int=2000, # Random pool items scored per acquisition
         test_every:int=5, # Evaluate on the 10,000 test images every this many rounds (and at the last)
         workers:int=2, # Runs in parallel (processes, 1 torch thread each)
         table_only:bool=False, # Only rebuild the table and the plot from what is on disk
        ):
    out = Path(out); out.mkdir(parents=True, exist_ok=True)
    settings = dict(first_rounds=first_rounds, target_error=target_error, fit='one epoch over the labelled set tiled max(epochs, ceil(min_samples/n)) times', strategies=strategies.split(), seeds=seeds, rounds=rounds, n_per_round=n_per_round, n_init=20,
                    n_valid=100, n_test=10000, epochs=epochs, min_samples=min_samples, lr=lr, bs=bs, opt='Adam (fastai, wd=0.01)',
                    reinit=False, mc_samples=mc_samples, pool_subset=pool_subset, test_every=test_every, workers=workers)
    if not table_only:
        (out/'settings.json').write_text(json.dumps(settings, indent=1))
        t0 = time.perf_counter()
        strats, make = settings['strategies'], partial(gal2017_learner, bs=bs)
        kw = dict(n_per_round=n_per_round, epochs=epochs, lr=lr, reinit=False, fit=partial(fit_min_samples, min_samples=min_samples),
                  pool_subset=pool_subset, mc_samples=mc_samples, test_every=test_every, score_bs=500)
        jobs = [(s, seed) for seed in range(seeds) for s in strats]
        run_jobs(jobs, out, make, workers, rounds=min(first_rounds, rounds), **kw)
        print(f"stage 1 ({first_rounds} rounds) done in {time.perf_counter() - t0:.0f}s", flush=True)
        res = lambda s, seed: pd.read_csv(out/'runs'/f'{s}_s{seed}'/'results.csv')
        run_jobs([j for j in jobs if not reached(res(*j), target_error)], out, make, workers, rounds=rounds, **kw)
        print(f"stage 2 (runs above {target_error:.0%} error to {rounds} rounds) done in {time.perf_counter() - t0:.0f}s", flush=True)
        run_jobs(jobs, out, make, workers, rounds=rounds, **kw)
        print(f"all runs done in {time.perf_counter() - t0:.0f}s", flush=True)
    df = load_runs(out)
    if len(df) == 0: return print('no finished rounds yet')
    df.to_csv(out/'results.csv', index=False)
    from fastai_al.stats import gal2017_table, plot_gal2017
    tab = gal2017_table(df, n_init=20)
    tab.to_csv(out/'table1.csv', index=False)
    print(tab.to_string(index=False))
    ax = plot_gal2017(df)
    ax.figure.savefig(out/'learning_curves.png', dpi=120, bbox_inches='tight')
    print(f"wrote {out/'results.csv'}, {out/'table1.csv'}, {out/'learning_curves.png'}")
