"""Gal, Islam & Ghahramani 2017 (MNIST, Table 1) with fastai_al: strategies × seeds as resumable runs, then the table.

    python benchmarks/run_gal2017.py                 # run (or resume) everything, then write the table and the plot
    python benchmarks/run_gal2017.py --table-only    # only rebuild them from the rounds finished so far

Each run is an `Experiment` under `OUT/runs/<strategy>_s<seed>` (state.json + results.csv after every round): kill
the script at any time and start it again to resume. See nbs/46_gal2017.ipynb for the protocol and the settings."""
import time
from pathlib import Path
from fastcore.script import call_parse
from fastai_al.gal2017 import gal2017_run, load_runs, gal2017_table, table_markdown, plot_gal2017

@call_parse
def main(out:str='results/gal2017', # Output folder
         strategies:str='random bald max_entropy bayesian_least_confidence margin', # Strategy names
         seeds:int=3, # Seeds 0 … seeds-1
         rounds:int=100, # Training rounds (each followed by an acquisition of `n_per_round`)
         first_rounds:int=40, # Stage 1: every run to this many rounds; stage 2: runs above `target_error` on to `rounds`; stage 3: all
         target_error:float=0.05, # See `first_rounds`
         n_per_round:int=10, # Images acquired per round
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
    out, t0 = Path(out), time.perf_counter()
    if not table_only:
        gal2017_run(out, strategies.split(), seeds, rounds, first_rounds, target_error, n_per_round, epochs, min_samples,
                    lr, bs, mc_samples, pool_subset, test_every, workers)
        print(f"all runs done in {time.perf_counter() - t0:.0f}s", flush=True)
    df = load_runs(out)
    if len(df) == 0: return print('no finished rounds yet')
    df.to_csv(out/'results.csv', index=False)
    tab = gal2017_table(df)
    tab.to_csv(out/'table1.csv', index=False)
    (out/'table1.md').write_text(table_markdown(tab) + '\n')
    print(table_markdown(tab))
    plot_gal2017(df).figure.savefig(out/'learning_curves.png', dpi=120, bbox_inches='tight')
    print(f"wrote {out/'results.csv'}, {out/'table1.csv'}, {out/'table1.md'}, {out/'learning_curves.png'}")
