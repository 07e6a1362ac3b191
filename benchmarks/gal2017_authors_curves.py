"""Acquired images at which Gal et al.'s own stored test-accuracy curves reach 10 % and 5 % error.

    python benchmarks/gal2017_authors_curves.py REPO [--out results/gal2017_corrected/authors_curves.csv]

REPO: a checkout of https://github.com/Riashat/Deep-Bayesian-Active-Learning (read at commit e4e970c). Its
`MC_Dropout_Keras/Results/Queries=10/*.npy` hold 99 test accuracies each, at 20, 30, …, 1,000 labelled images
(`Results/Accuracy_Plot.py`: `Queries = np.arange(20, 1010, 10)`). Only the numbers computed here are written,
with the path of the file each comes from; nothing of that repository is copied."""
import subprocess
from pathlib import Path
import numpy as np
import pandas as pd
from fastcore.script import call_parse
from fastai_al.stats import labels_to_reach
from fastai_al.files import atomic_write

CURVES = {'bald': ('Dropout_Bald', 'BALD'), 'max_entropy': ('Dropout_Max_Entropy', 'Max Entropy'),
          'variation_ratio_mode': ('Dropout_VarRatio', 'Var Ratios')}  # the script counts the sampled labels' mode

@call_parse
def main(repo:str, # Checkout of Riashat/Deep-Bayesian-Active-Learning
         out:str='results/gal2017_corrected/authors_curves.csv'):
    repo, x, rows = Path(repo), np.arange(20, 1010, 10), []
    commit = subprocess.run(['git', '-C', str(repo), 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()
    for strategy, (stem, paper_name) in CURVES.items():
        ys = {}
        for suffix in ('', '_2'):
            rel = f'MC_Dropout_Keras/Results/Queries=10/{stem}{suffix}.npy'
            y = np.load(repo/rel); assert y.shape == (99,), (rel, y.shape)
            ys[rel] = y
        ys['mean of the two'] = np.mean(list(ys.values()), axis=0)
        for rel, y in ys.items():
            rows.append(dict(strategy=strategy, paper_name=paper_name, curve=rel, commit=commit,
                             acquired_10=round(labels_to_reach(x, y, 0.9, interpolate=True) - 20, 1),
                             acquired_5=round(labels_to_reach(x, y, 0.95, interpolate=True) - 20, 1),
                             final_accuracy=round(float(y[-1]), 4)))
    df = pd.DataFrame(rows)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, df.to_csv(index=False))
    print(df.to_string(index=False))
