"""The README's Gal et al. 2017 tables, from the committed results (paste them into nbs/index.ipynb's Gal section).

    python benchmarks/gal2017_readme_tables.py

Acquired images to 10 % and 5 % test error: the paper's Table 1, the authors' stored curves
(results/gal2017_corrected/authors_curves.csv), ours under the corrected paper protocol (results/gal2017_corrected),
before the corrections and the cheap protocol tested every round (results/gal2017_paper), the cheap protocol tested
every 5th round (results/gal2017); then the paired AULC differences with Random, and the rounds each corrected run has."""
import pandas as pd
from fastai_al.gal2017 import GAL2017_TABLE1, gal2017_table, paired_aulc, aulc_markdown
from fastai_al.gal2017 import _name, _md, _cell, _rank

def main(R='results/'):
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
        print(f"Acquired images to {e:.0%} test error:\n\n" + _md(['strategy', 'paper (Table 1)', "authors' stored curves"] + list(tabs), rows) + '\n')
    for k, v in frames.items():
        if len(v) and 'random' in set(v.strategy) and v.strategy.nunique() > 1: print(f"{k}:\n\n{aulc_markdown(paired_aulc(v))}\n")
    print(cor.groupby(['protocol', 'strategy', 'seed'])['round'].max().add(1).rename('rounds finished').to_string())

if __name__ == '__main__': main()
