"""The README's Gal et al. 2017 tables, from the committed results (paste them into nbs/index.ipynb's Gal section).

    python benchmarks/gal2017_readme_tables.py

Acquired images to 10 % and 5 % test error: the paper's Table 1, the authors' stored curves
(results/gal2017_corrected/authors_curves.csv), ours under the corrected paper protocol (results/gal2017_corrected),
before the corrections and the cheap protocol tested every round (results/gal2017_paper), the cheap protocol tested
every 5th round (results/gal2017); then the paired AULC differences with Random, and the rounds each corrected run has.

    python benchmarks/gal2017_readme_tables.py --index && python tools/make_readme.py

rewrites the Gal et al. section of nbs/index.ipynb (the cell that starts "## Reproducing Gal et al. 2017") with them,
its sentence on the corrected runs read from their paired interval, then README.md."""
import json, sys
from pathlib import Path
import pandas as pd
from fastai_al.studies.gal2017 import GAL2017_TABLE1, gal2017_plan, gal2017_protocol
from fastai_al.studies.gal2017_results import gal2017_table, paired_aulc, aulc_markdown, paired_reading, _planned, _cell, _md, _name, _rank, _short
from fastai_al.studies.gal2017_results import sensitivity_table, sensitivity_reading, sensitivity_sentence

SECTION = """## Reproducing Gal et al. 2017

Gal, Islam & Ghahramani (ICML 2017), Table 1: MNIST, 20 initial labels (2 per class), 10 acquired per round from 2,000
random pool images scored with T = 100 MC-dropout samples, a new network trained after every acquisition (50 epochs,
batch 128, Adam, L2 of 3.5/N on the dense layer, the last epoch kept), test error on the 10,000 test images; acquired
images needed to reach 10 % and 5 % test error. Here ([the protocol](83_studies.gal2017.ipynb), [the results](85_studies.gal2017_results.ipynb),
`benchmarks/run_gal2017.py`, all through the resumable sweep engine):

- **the paper's protocol, corrected** (`gal2017_specs()`, `results/gal2017_corrected`): as the released Keras code
  does, every round starts from a fresh random draw of the weights — seeded by seed and round, so BALD and Random of
  one seed share it — and the pixels are only scaled to [0, 1]. BALD and Random on 5 paired seeds, then Var Ratios,
  Max Entropy and Mean STD on 3, then one-seed sensitivity runs with the released BALD script's settings (3×3
  convolutions, 5×5 pooling, 256 dense units, 5 epochs; the table uses the text's 4×4, 2×2, 128, 50). One BALD run is
  about 1.2 CPU core-hours; training several runs in lockstep (`vmap` over stacked weights) cost 1.6× more on the
  2-core CPU they run on, so they run one per process, in the background, staged;
- **the same before the corrections** (`results/gal2017_paper`): every round restarted from one stored draw of the
  weights and the inputs were normalised with MNIST's mean and std; BALD and Random, 3 seeds, 30 rounds, kept as that
  reading;
- **the authors' stored curves**: the released repository's `MC_Dropout_Keras/Results/Queries=10/*.npy`, two curves
  each for BALD, Max Entropy and Var Ratios (no Random or Mean STD), read at 20 … 1,000 labelled images;
- **a cheap protocol**: warm start, one epoch over the labelled set tiled to ≥ 640 samples, Adam lr 1e-3, T = 10 —
  about 31× fewer training images than the paper's schedule — tested after every round (BALD and Random, 3 seeds, 30
  rounds) and earlier every 5th round (5 strategies, 3 seeds, 100 rounds, interpolated).

Mean ± sd over the seeds that reached the error (reached/run); "not reached by N": not within the N acquired images
run so far. {progress} `python benchmarks/gal2017_readme_tables.py` prints these tables from the committed runs.

**Acquired images to 10 % test error:**

{t10}

**Acquired images to 5 % test error:**

{t5}

Test-accuracy AULC minus Random's, paired by seed (the seeds whose two runs both have at least 30 rounds), over the
acquisitions all of them reached (95 % t-interval over seeds):

| protocol | strategy | seeds | acquired images | AULC − random (95 % interval) | ahead on |
|---|---|---|---|---|---|
{aulc_rows}

The corrected protocol{so_far}: test error per strategy (mean ± sd over seeds, each curve over the rounds all its seeds
have), and each strategy minus Random per round, paired by seed, with its 95 % band:

![Test error against acquired images, corrected paper protocol](images/gal2017_corrected_curves.png)

![Each strategy minus Random, test accuracy per round, paired by seed, corrected paper protocol](images/gal2017_corrected_paired.png)

The cheap protocol, every 5th round over 990 acquisitions:

![Test error against acquired images, cheap protocol every 5th round](images/gal2017_learning_curves.png)

**The released BALD script's settings** (where it differs from the paper's text), seed 0, one run each, next to seed
0 under the text's settings; acquired images to each error (its difference from the text's run of the same strategy):

{sensitivity}

{sensitivity_reading}

What this shows, and what it does not:
{corrected}
- **Before the corrections, BALD and Random were not distinguishable** at n = 3 within 290 acquisitions (paired AULC
  −0.015, interval −0.106 to +0.075): an underpowered result, not a negative one.
- **The authors' stored curves do not give their Table 1's BALD row**: their two BALD curves reach 10 % error at 275
  and 298 acquired images (Table 1: 145) and 5 % at 479 and 534 (335); their Var Ratios and Max Entropy curves reach
  10 % error 9–45 images later than Table 1 and 5 % within 28 images of it. Which runs produced Table 1 cannot be told
  from the repository.
- **Under the cheap protocol BALD beats Random on every seed**, tested every round (+0.028, interval +0.016 to
  +0.040) and every 5th round over 990 acquisitions, where Var Ratios, Max Entropy and margin do too (every interval
  above zero); the paper's order Var Ratios < BALD < Max Entropy is within the seed spread there."""

def _so_far(acquired:int)->str: return '' if acquired >= _planned() else ' so far'

def progress_sentence(every:pd.DataFrame)->str:
    "Where the corrected runs stand: in progress (each run's rounds), or the table's runs finished and how far the sensitivity runs got"
    plan, done = gal2017_plan(), every.groupby('run')['round'].max().add(1)
    sens = [s for s in plan if gal2017_protocol(s).startswith('released')]
    table = [s for s in plan if s not in sens]
    finished = lambda specs: all(done.get(s.name, 0) >= s.rounds for s in specs)
    took = (f"runs took {every.seconds.sum() / 3600:.1f} hours of one-thread processes (wall time on the shared CPU; their CPU "
            "time is at most this).")
    if finished(table):
        head = (f"**The corrected runs of the table are finished**: BALD and Random on 5 paired seeds, Var Ratios, Max Entropy and "
                f"Mean STD on 3, {table[0].rounds} rounds each ({_planned():,} acquired images).")
        if finished(sens): return f"{head} So are the {len(sens)} sensitivity runs. The {took}"
        return (f"{head} The {len(sens)} sensitivity runs have not reached {table[0].rounds} rounds yet "
                f"({', '.join(str(done.get(s.name, 0)) for s in sens)} rounds): their rows are a reading at that depth. The {took}")
    cor = every[every.protocol == 'paper']
    r = cor.groupby(['strategy', 'seed'])['round'].max().add(1)
    status = '; '.join(f"{_short(s)} seed{'s' if len(g) > 1 else ''} {', '.join(str(k[1]) for k in g.index)}: "
                       f"{', '.join(str(v) for v in g.values)} rounds" for s, g in sorted(r.groupby(level=0), key=lambda sg: _rank(sg[0])))
    n_sens = sum(s.name in done.index for s in sens)
    queued = pd.DataFrame([dict(strategy=s.strategy, seed=s.seed) for s in table if s.name not in done.index], columns=['strategy', 'seed'])
    queued = [f"{_short(k)} seed{'s' if len(g) > 1 else ''} {', '.join(map(str, g.seed))}" for k, g in sorted(queued.groupby('strategy'), key=lambda kg: _rank(kg[0]))]
    status += (f"; the sensitivity runs: {n_sens} of {len(sens)} started"
               + (f" ({', '.join(str(v) for v in done[done.index.isin({s.name for s in sens})].values)} rounds)" if n_sens else '')
               + (f"; not started: {'; '.join(queued)}" if queued else ''))
    return ("**The corrected runs are in progress**, staged so that what answers most comes first (BALD and Random to 30, then "
            "60 rounds; every other run to 30, where all runs so far have passed 10 % error; BALD and Random to 101; Var Ratios, "
            f"Max Entropy and Mean STD to 60, then 101; the sensitivity runs last): {status}. Their column is a reading at that "
            f"depth, not a final result; the {took}")

def index_section(R='results/')->str:
    "The README's Gal et al. section from the committed runs"
    t = tables(R).split('\n\n')
    rows = '\n'.join(f"| {k.rstrip(':').replace('ours, ', '')} " + line for k, v in zip(t[4:-1:2], t[5:-1:2]) for line in v.strip().splitlines()[2:])
    every = pd.read_csv(R + 'gal2017_corrected/results.csv'); cor = every[every.protocol == 'paper']
    so_far = _so_far(int(cor.groupby('run')['round'].max().min()) * gal2017_plan()[0].n_per_round)
    return SECTION.format(t10=t[1], t5=t[3], aulc_rows=rows, progress=progress_sentence(every), so_far=so_far,
                          corrected='\n'.join(filter(None, [paired_reading(cor), sensitivity_sentence(every)])),
                          sensitivity=sensitivity_table(every), sensitivity_reading=sensitivity_reading(every))

def write_index(path='nbs/index.ipynb'):
    "Replace the Gal et al. section's cell of the index notebook"
    nb = json.loads(Path(path).read_text())
    c = next((c for c in nb['cells'] if c['cell_type'] == 'markdown' and ''.join(c['source']).startswith('## Reproducing Gal et al. 2017')), None)
    if c is None: raise SystemExit(f"{path}: no markdown cell starts with '## Reproducing Gal et al. 2017'; paste the tables by hand")
    lines = index_section().split('\n')
    c['source'] = [l + '\n' for l in lines[:-1]] + [lines[-1]]
    Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')

def tables(R='results/')->str:
    "The tables as one Markdown text"
    out = []
    read = lambda f: pd.read_csv(R + f)
    cor, first, cheap5, auth = (read('gal2017_corrected/results.csv'), read('gal2017_paper/results.csv'),
                                read('gal2017/results.csv'), read('gal2017_corrected/authors_curves.csv'))
    frames = {'ours, corrected': cor[cor.protocol == 'paper'], 'ours, before the corrections': first[first.protocol == 'before'],
              'ours, cheap, every round': first[first.protocol == 'cheap'], 'ours, cheap, every 5th': cheap5}
    tabs = {k: gal2017_table(v).set_index('strategy') for k, v in frames.items() if len(v)}
    paper, a = GAL2017_TABLE1.set_index('strategy'), auth[auth.curve != 'mean of the two'].groupby('paper_name')
    for e in (0.10, 0.05):
        rows = []
        for s in sorted({s for t in tabs.values() for s in t.index} | set(paper.index), key=_rank):
            pn, p = paper.paper_name.get(s), paper[f'paper_{e * 100:g}'].get(s)
            au = ' and '.join(f'{v:.0f}' for v in a.get_group(pn)[f'acquired_{e * 100:.0f}']) if pn in a.groups else ''
            rows.append([_name(s), '' if pd.isna(p) else f'{p:.0f}', au + (' (mode count)' if au and pn == 'Var Ratios' else '')]
                        + [_cell(t.loc[s], e) if s in t.index else '' for t in tabs.values()])
        out.append(f"Acquired images to {e:.0%} test error:\n\n" + _md(['strategy', 'paper (Table 1)', "authors' stored curves"] + list(tabs), rows) + '\n')
    for k, v in frames.items():
        if len(v) and 'random' in set(v.strategy) and v.strategy.nunique() > 1: out.append(f"{k}:\n\n{aulc_markdown(paired_aulc(v, min_rounds=30))}\n")
    out.append(cor.groupby(['protocol', 'strategy', 'seed'])['round'].max().add(1).rename('rounds finished').to_string())
    return '\n'.join(out)

if __name__ == '__main__':
    if '--index' in sys.argv[1:]: write_index()
    else: print(tables())
