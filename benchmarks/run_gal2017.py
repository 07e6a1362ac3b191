"""Gal, Islam & Ghahramani 2017 (MNIST, Table 1) with fastai_al: strategies × seeds as resumable runs, then the table.

    python benchmarks/run_gal2017.py                          # the paper's protocol: run (or resume) `gal2017_plan()`, then the table
    python benchmarks/run_gal2017.py --first 10 --pause-after 30   # staged: BALD and Random × 5 seeds to 30 rounds first
    python benchmarks/run_gal2017.py --table-only             # only rebuild the table and the plots from the rounds finished so far
    python benchmarks/run_gal2017.py --plan before            # the first runs (results/gal2017_paper: before the corrections)

Everything runs through the sweep engine: one folder per run under `OUT/runs/<RunSpec.name>` (state.json + results.csv
after every round), `--workers` processes of `--threads` torch threads. Kill it at any time and start the same command
again to resume. See nbs/83_studies.gal2017.ipynb for the protocol and its sources, nbs/85_studies.gal2017_results.ipynb for the reading, and benchmarks/gal2017_background.sh for the
staged background run."""
import time
from pathlib import Path
from fastcore.script import call_parse
from fastai_al.studies.gal2017 import gal2017_sweep, gal2017_plan, gal2017_before_plan
from fastai_al.studies.gal2017_results import gal2017_report

PLANS = dict(paper=(gal2017_plan, 'results/gal2017_corrected'), before=(gal2017_before_plan, 'results/gal2017_paper'))

@call_parse
def main(plan:str='paper', # 'paper' (`gal2017_plan()`) or 'before' (`gal2017_before_plan()`, the first runs)
         out:str=None, # Sweep folder (default results/gal2017_corrected, or results/gal2017_paper for 'before')
         first:int=None, # Only the first this many runs of the plan
         skip:int=0, # ...after skipping this many
         workers:int=1, # Runs in parallel (processes)
         threads:int=1, # torch threads per run
         table_only:bool=False, # Only rebuild the table and the plots from what is on disk
         pause_after:int=None, # Staged: take every run to this many rounds first (rerun with a larger value, or without, to go on)
        ):
    if plan not in PLANS: raise SystemExit(f"--plan must be one of {', '.join(PLANS)}, not {plan!r}")
    make, default = PLANS[plan]
    out, t0, specs = Path(out or default), time.perf_counter(), make()
    todo = specs[skip:skip + first if first is not None else None]
    if not table_only:
        gal2017_sweep(todo, out, workers=workers, threads=threads, pause_after=pause_after)
        print(f"sweep done in {time.perf_counter() - t0:.0f}s", flush=True)
    print(gal2017_report(specs, out, min_rounds=30))  # pair only seeds past the first stage
