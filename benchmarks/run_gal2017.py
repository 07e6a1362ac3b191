"""Gal, Islam & Ghahramani 2017 (MNIST, Table 1) with fastai_al: strategies × seeds as resumable runs, then the table.

    python benchmarks/run_gal2017.py                      # the paper's protocol: run (or resume) `gal2017_plan()`, then the table
    python benchmarks/run_gal2017.py --protocol cheap     # the cheap warm-start protocol of results/gal2017
    python benchmarks/run_gal2017.py --table-only         # only rebuild the table and the plot from the rounds finished so far

The paper protocol runs through the sweep engine: one folder per run under `OUT/runs/<RunSpec.name>` (state.json +
results.csv after every round), one worker process of one torch thread by default. Kill it at any time and start the
same command again to resume. See nbs/46_gal2017.ipynb for the protocol and its sources."""
import time
from pathlib import Path
from fastcore.script import call_parse
from fastai_al.files import atomic_write
from fastai_al.analysis import save_figure
from fastai_al.gal2017 import (gal2017_run, gal2017_sweep, gal2017_plan, gal2017_report, load_runs, gal2017_table,
                               table_markdown, plot_gal2017)

@call_parse
def main(protocol:str='paper', # 'paper' (`gal2017_plan()`) or 'cheap' (warm start, one tiled epoch per round, T = 10)
         out:str=None, # Output folder (default results/gal2017_paper or results/gal2017)
         first:int=None, # Paper protocol: only the first this many runs of the plan
         workers:int=1, # Runs in parallel (processes)
         threads:int=1, # torch threads per run (paper protocol)
         table_only:bool=False, # Only rebuild the table and the plot from what is on disk
         pause_after:int=None, # Paper protocol, staged: take every run to this many rounds first (rerun without it to finish)
        ):
    if protocol not in ('paper', 'cheap'): raise SystemExit(f"--protocol must be 'paper' or 'cheap', not {protocol!r}")
    out, t0 = Path(out or ('results/gal2017_paper' if protocol == 'paper' else 'results/gal2017')), time.perf_counter()
    if protocol == 'paper':
        specs = gal2017_plan()[:first]
        if not table_only:
            gal2017_sweep(specs, out, workers=workers, threads=threads, pause_after=pause_after)
            print(f"sweep done in {time.perf_counter() - t0:.0f}s", flush=True)
        print(gal2017_report(specs, out))
        return
    if not table_only:
        gal2017_run(out, workers=workers)
        print(f"all runs done in {time.perf_counter() - t0:.0f}s", flush=True)
    df = load_runs(out)
    if len(df) == 0: return print('no finished rounds yet')
    atomic_write(out/'results.csv', df.to_csv(index=False))
    tab = gal2017_table(df)
    atomic_write(out/'table1.csv', tab.to_csv(index=False))
    atomic_write(out/'table1.md', table_markdown(tab) + '\n')
    print(table_markdown(tab))
    save_figure(plot_gal2017(df), out/'learning_curves.png')
    print(f"wrote {out/'results.csv'}, {out/'table1.csv'}, {out/'table1.md'}, {out/'learning_curves.png'}")
