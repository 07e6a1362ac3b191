#!/usr/bin/env bash
# Commit what the background Gal et al. 2017 runs have finished (see results/gal2017_corrected/README.md):
#   bash benchmarks/gal2017_snapshot.sh [--readme] [--land]   (in the checkout whose results/gal2017_corrected the runs write to)
# Rebuilds the table and the plots from the rounds on disk (`run_gal2017.py --table-only`), commits the runs' state and
# results on the current branch; --readme also rewrites the README's Gal et al. section from them
# (`gal2017_readme_tables.py --index`, then `tools/make_readme.py`); --land then merges main into the branch and
# fast-forwards /work/main.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
OUT=results/gal2017_corrected; PY=${PYTHON:-/work/main/.venv/bin/python}
PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice -n 10 "$PY" benchmarks/run_gal2017.py --table-only > /dev/null
shopt -s nullglob
git add -f $OUT/runs/*/spec.yaml $OUT/runs/*/state.json $OUT/runs/*/results.csv
git add $OUT/*.csv $OUT/*.md $OUT/*.png
if [[ " $* " == *" --readme "* ]]; then
  cp $OUT/learning_curves.png nbs/images/gal2017_corrected_curves.png; cp $OUT/paired_difference.png nbs/images/gal2017_corrected_paired.png
  PYTHONPATH=$PWD "$PY" benchmarks/gal2017_readme_tables.py --index && PYTHONPATH=$PWD "$PY" tools/make_readme.py > /dev/null
  git add nbs/index.ipynb README.md nbs/images/gal2017_corrected_*.png; git add index_files 2>/dev/null || true
fi
SUMMARY=$(PYTHONPATH=$PWD "$PY" -c "
import pandas as pd; d = pd.read_csv('$OUT/results.csv'); r = d.groupby(['protocol', 'strategy', 'seed'])['round'].max() + 1
print('; '.join(f'{p} {s}: {len(g)} runs, {g.min()}–{g.max()} rounds' for (p, s), g in r.groupby(level=[0, 1])))")
git commit -q -m "Gal 2017 corrected protocol: runs snapshot $(date -u +'%Y-%m-%d %H:%M') UTC" -m "$SUMMARY" && git log -1 --format='%h %s' || echo "nothing new to commit"
if [[ " $* " == *" --land "* ]]; then
  BR=$(git rev-parse --abbrev-ref HEAD)
  git merge -q --no-edit main && git -C /work/main merge -q --ff-only "$BR" && echo "landed on main: $(git -C /work/main log -1 --format=%h)"
fi
