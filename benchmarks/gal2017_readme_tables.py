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
import numpy as np, pandas as pd
from fastai_al.studies.gal2017 import GAL2017_TABLE1, GAL2017_RELEASED, gal2017_plan, gal2017_protocol
from fastai_al.studies.gal2017_results import gal2017_table, paired_aulc, aulc_markdown, crossings, paired_curve, _name, _md, _cell, _rank, _PAPER_NAMES

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

def corrected_sentence(cor:pd.DataFrame)->str:
    "What the corrected runs' paired intervals with Random say, and no more: one bullet per strategy"
    pa = paired_aulc(cor, min_rounds=30) if 'random' in set(cor.strategy) and cor.strategy.nunique() > 1 else pd.DataFrame()
    if not len(pa): return "- **Under the corrected protocol there is no reading yet**: no seed pair has 30 rounds."
    out = []
    for _, r in pa.iterrows():
        name, m = _name(r.strategy), r.acquired.split('–')[1]
        if r.seeds < 3:
            out.append(f"- **Under the corrected protocol, {name}**: {r.seeds} seed pair{'s' if r.seeds != 1 else ''} over {m} acquisitions cannot say either way.")
            continue
        verdict = ("ahead of Random (the interval is above zero)" if r.ci_lo > 0 else "behind Random (the interval is below zero)"
                   if r.ci_hi < 0 else f"not distinguishable from Random at n = {r.seeds} within {m} acquisitions")
        out.append(f"- **Under the corrected protocol, {name}** ({r.seeds} paired seeds, 0–{m} acquired images{_so_far(int(m))}): AULC minus "
                   f"Random's {r.mean_diff:+.3f} (95 % interval {r.ci_lo:+.3f} to {r.ci_hi:+.3f}, ahead on {r.positive} of {r.seeds} seeds): {verdict}.")
    return '\n'.join(out + [difference_sentence(cor)])

_PLANNED = max((s.rounds - 1) * s.n_per_round for s in gal2017_plan())  # acquisitions a finished run has made

def _so_far(acquired:int)->str: return '' if acquired >= _PLANNED else ' so far'

def progress_sentence(every:pd.DataFrame, status:str)->str:
    "Where the corrected runs stand: in progress (with each run's rounds), or the table's runs finished and the sensitivity runs' depth"
    plan, done = gal2017_plan(), every.groupby('run')['round'].max().add(1)
    sens = [s for s in plan if gal2017_protocol(s).startswith('released')]
    table = [s for s in plan if s not in sens]
    finished = lambda specs: all(done.get(s.name, 0) >= s.rounds for s in specs)
    took = (f"the runs took {every.seconds.sum() / 3600:.1f} hours of one-thread processes (wall time on the shared CPU; their CPU "
            "time is at most this).")
    if not finished(table):
        return ("**The corrected runs are in progress**, staged so that what answers most comes first (BALD and Random to 30, then "
                "60 rounds; every other run to 30, where all runs so far have passed 10 % error; BALD and Random to 101; Var Ratios, "
                f"Max Entropy and Mean STD to 60, then 101; the sensitivity runs last): {status}. Their column is a reading at that "
                f"depth, not a final result; {took}")
    rounds = table[0].rounds
    head = (f"**The corrected runs of the table are finished**: BALD and Random on 5 paired seeds, Var Ratios, Max Entropy and "
            f"Mean STD on 3, {rounds} rounds each ({_PLANNED:,} acquired images).")
    if finished(sens): return f"{head} So are the {len(sens)} sensitivity runs. The{took[3:]}"
    depth = ', '.join(str(done.get(s.name, 0)) for s in sens)
    return (f"{head} The {len(sens)} sensitivity runs have not reached {rounds} rounds yet ({depth} rounds): their rows are a reading at "
            f"that depth. The{took[3:]}")

def where_ahead(cor:pd.DataFrame, a:str, min_seeds:int=3)->str:
    "Where along the budget strategy `a` and Random differ: the rounds from which the per-round paired band stays above zero"
    pc = paired_curve(cor, a)
    pc = pc[pc.seeds >= min_seeds] if len(pc) else pc
    if len(pc) < 2: return ''
    below = pc.index[pc.lo <= 0]
    head = f"  - {_short(a)} (0–{pc.acquired.max():.0f}, {pc.seeds.min()} seeds): "
    if not len(below): return head + "its 95 % band is above zero at every round."
    start = pc.loc[below[-1] + 1:]
    span = lambda d: f"it ranges from {d['mean'].min():+.1f} to {d['mean'].max():+.1f} points, its band including zero at {int((d.lo <= 0).sum())} of {len(d)} rounds"
    if not len(start): return head + f"its 95 % band includes zero at the last round reached; over those rounds {span(pc)}."
    return (head + f"its 95 % band is above zero at every round from {start.acquired.min():.0f} to {start.acquired.max():.0f} acquired images "
            f"({start['mean'].min():.1f}–{start['mean'].max():.1f} points ahead); before that {span(pc.loc[:below[-1]])}.")

def difference_sentence(cor:pd.DataFrame, min_seeds:int=3)->str:
    "Where along the budget each strategy and Random differ, one sub-bullet per strategy with enough seeds"
    parts = [w for s in sorted(set(cor.strategy) - {'random'}, key=_rank) if (w := where_ahead(cor, s, min_seeds))]
    if not parts: return ''
    return '\n'.join([f"- **Where along the budget** (each strategy's test accuracy minus Random's per round, paired by seed, over the "
                      f"rounds with ≥ {min_seeds} seeds; the plot above; per-round bands, not corrected for reading many rounds):"] + parts)

_SETTINGS = "the paper's text (4×4, 2×2, 128, 50 epochs)"

def sensitivity_runs(cor:pd.DataFrame)->list:
    "The sensitivity runs and the text-settings runs of the same seed: (label, strategy, run name), in the plan's order"
    sens = [s for s in gal2017_plan() if gal2017_protocol(s).startswith('released')]
    base = [s for s in gal2017_plan() if gal2017_protocol(s) == 'paper' and s.seed == sens[0].seed and s.strategy in {t.strategy for t in sens}]
    key = lambda s: (_rank(s.strategy), gal2017_protocol(s) != 'paper', gal2017_protocol(s) == 'released: all four')
    return [(gal2017_protocol(s).replace('released: ', '') if gal2017_protocol(s) != 'paper' else _SETTINGS, s.strategy, s.name)
            for s in sorted(base + sens, key=key)]

def _run_crossings(cor:pd.DataFrame)->pd.DataFrame:
    "`crossings` per run, indexed by run name"
    return crossings(cor.assign(strategy=cor.run)).set_index('strategy') if len(cor) else pd.DataFrame()

def _bald_spread(cor:pd.DataFrame):
    "`gal2017_table`'s row for BALD under the text's settings, when at least 3 seeds give it a spread (else None)"
    t = gal2017_table(cor[(cor.protocol == 'paper') & (cor.strategy == 'bald')]) if ((cor.protocol == 'paper') & (cor.strategy == 'bald')).any() else None
    return t.iloc[0] if t is not None and t.iloc[0].seeds >= 3 else None

def sensitivity_table(cor:pd.DataFrame, errors=(0.10, 0.05))->str:
    "One row per sensitivity run: acquired images to each error and the difference from the text-settings run of its strategy"
    cr = _run_crossings(cor)
    rows, ref = [], {}
    for label, strat, run in sensitivity_runs(cor):
        if run not in cr.index: rows.append([_name(strat), label] + ['not started'] * len(errors) + ['0']); continue
        r = cr.loc[run]; cells = []
        for e in errors:
            v = r[f'{e:.0%}']
            if label == _SETTINGS: ref[(strat, e)] = v
            b = ref.get((strat, e), np.nan)
            cells.append(f"not reached by {r.max_acquired:.0f}" if not np.isfinite(v) else f"{v:.0f}"
                         + (f" ({v - b:+.0f})" if label != _SETTINGS and np.isfinite(b) else ''))
        rows.append([_name(strat), label] + cells + [f"{r.max_acquired:.0f}"])
    return _md(['strategy', 'settings'] + [f'{e:.0%} error' for e in errors] + ['acquired so far'], rows)

def sensitivity_reading(cor:pd.DataFrame)->str:
    "How large a one-seed difference must be to mean something: the spread of BALD's text-settings seeds"
    t = _bald_spread(cor)
    if t is None: return "One seed each: read them against the seed spread of the table above."
    band = lambda e: 2 * np.sqrt(2) * t[f'acq_{e}_±']  # two single runs differ by chance with sd √2·σ
    return (f"One seed each, so a difference is a reading, not a result: BALD's {t.seeds} seeds under the text's settings spread "
            f"by sd {t['acq_10%_±']:.0f} acquired images at 10 % error" + (f" and {t['acq_5%_±']:.0f} at 5 %" if t['reached_5%'] > 1 else '')
            + f", so two single runs differ by chance by up to about ±{band('10%'):.0f}" + (f" (10 %) and ±{band('5%'):.0f} (5 %)" if t['reached_5%'] > 1 else '')
            + " (2·√2·sd): a difference inside that says nothing about the setting.")


def sensitivity_sentence(cor:pd.DataFrame)->str:
    "The released settings' one-seed BALD readings at 10 % error against the chance band of two single runs"
    t, cr = _bald_spread(cor), _run_crossings(cor)
    runs = [(label, run) for label, strat, run in sensitivity_runs(cor) if strat == 'bald' and run in cr.index]
    if t is None or len(runs) < 2: return ''
    band, (ref_label, ref_run) = 2 * np.sqrt(2) * t['acq_10%_±'], runs[0]
    ref = cr.loc[ref_run, '10%']
    groups = {'not reached': [], 'later': [], 'sooner': [], 'within': []}
    for label, run in runs[1:]:
        v, m = cr.loc[run, '10%'], cr.loc[run, 'max_acquired']
        if not np.isfinite(v): groups['not reached'].append(label); reach_by = m
        else: groups['later' if v - ref > band else 'sooner' if ref - v > band else 'within'].append(f"{label} ({v - ref:+.0f})")
    words = {'not reached': f"did not reach 10 % error within {reach_by:.0f} acquisitions" if groups['not reached'] else '', 'later': f"reached it later by more than the ±{band:.0f} two single runs differ by chance",
             'sooner': f"reached it sooner by more than ±{band:.0f}", 'within': f"reached it within ±{band:.0f} of that"}
    return (f"- **The released BALD script's settings** (seed 0, one run each; the text's settings reach 10 % error at {ref:.0f} on "
            f"that seed): " + '; '.join(f"{' and '.join(v)} {words[k]}" for k, v in groups.items() if v)
            + ". One seed each: readings of where to look, not results.")

def index_section(R='results/')->str:
    "The README's Gal et al. section from the committed runs"
    t = tables(R).split('\n\n')
    rows = '\n'.join(f"| {k.rstrip(':').replace('ours, ', '')} " + line for k, v in zip(t[4:-1:2], t[5:-1:2]) for line in v.strip().splitlines()[2:])
    every = pd.read_csv(R + 'gal2017_corrected/results.csv'); cor = every[every.protocol == 'paper']
    r = cor.groupby(['strategy', 'seed'])['round'].max().add(1)
    status = '; '.join(f"{_short(s)} seed{'s' if len(g) > 1 else ''} {', '.join(str(k[1]) for k in g.index)}: "
                       f"{', '.join(str(v) for v in g.values)} rounds" for s, g in sorted(r.groupby(level=0), key=lambda sg: _rank(sg[0])))
    plan, started = gal2017_plan(), set(every.run)
    sens = [s for s in plan if gal2017_protocol(s).startswith('released')]
    n_sens = sum(s.name in started for s in sens)
    queued = pd.DataFrame([dict(strategy=s.strategy, seed=s.seed) for s in plan if s.name not in started and s not in sens], columns=['strategy', 'seed'])
    queued = [f"{_short(k)} seed{'s' if len(g) > 1 else ''} {', '.join(map(str, g.seed))}" for k, g in sorted(queued.groupby('strategy'), key=lambda kg: _rank(kg[0]))]
    status += (f"; the sensitivity runs: {n_sens} of {len(sens)} started"
               + (f" ({', '.join(str(v) for v in every[every.run.isin({s.name for s in sens})].groupby('run')['round'].max().add(1).values)} rounds)" if n_sens else '')
               + (f"; not started: {'; '.join(queued)}" if queued else ''))
    so_far = _so_far(int(cor.groupby('run')['round'].max().min()) * gal2017_plan()[0].n_per_round)
    return SECTION.format(t10=t[1], t5=t[3], aulc_rows=rows, progress=progress_sentence(every, status), so_far=so_far, corrected=corrected_sentence(cor) + ('\n' + sensitivity_sentence(every) if sensitivity_sentence(every) else ''),
                          sensitivity=sensitivity_table(every), sensitivity_reading=sensitivity_reading(every))

def _short(s:str)->str: return _PAPER_NAMES.get(s, s)

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
