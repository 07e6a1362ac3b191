#!/usr/bin/env bash
# The corrected Gal et al. 2017 runs in the background, staged, resumable (nbs/83_studies.gal2017.ipynb):
#   bash benchmarks/gal2017_background.sh [OUT]        (from the repository root; OUT defaults to results/gal2017_corrected)
# Runs from a frozen copy of the code at the current commit (so code landing meanwhile cannot change a run half-way),
# 2 worker processes of 1 torch thread at nice 19, logging to /work/runs/gal2017/sweep.log. Every stage resumes what is on
# disk; run it again after any interruption. Stages, what answers most first: BALD and Random × 5 seeds (the first 10
# runs of the plan) to 30 rounds (all past 10 % error), then to 60 (the paired BALD − Random comparison over 590
# acquisitions); seed 0 of Var Ratios, Max Entropy and Mean STD (and seed 1 of Var Ratios: two workers) to 30; the 6
# sensitivity runs to 30; the other seeds of those three to 30; BALD and Random to 101; Var Ratios, Max Entropy and Mean STD
# × 3 seeds to 60 (all three compared with Random over 590 acquisitions), then to 101; then the sensitivity runs to 101.
set -euo pipefail
REPO=$(git rev-parse --show-toplevel); OUT=$(realpath -m "${1:-$REPO/results/gal2017_corrected}")
C=/work/runs/gal2017/code-$(git -C "$REPO" rev-parse --short HEAD); LOG=/work/runs/gal2017/sweep.log
mkdir -p /work/runs/gal2017
[ -d "$C" ] || { mkdir -p "$C.tmp" && git -C "$REPO" archive HEAD | tar -x -C "$C.tmp" && mv "$C.tmp" "$C"; }
PY=${PYTHON:-/work/main/.venv/bin/python}
run() { (cd "$C" && OMP_NUM_THREADS=1 PYTHONPATH="$C" nice -n 19 "$PY" benchmarks/run_gal2017.py --out "$OUT" --workers 2 --threads 1 "$@"); }
setsid nohup bash -c "$(declare -f run); C='$C' OUT='$OUT' PY='$PY'
  set -x
  run --first 10 --pause-after 30; run --first 10 --pause-after 60
  run --skip 10 --first 4 --pause-after 30; run --skip 19 --pause-after 30; run --skip 10 --first 9 --pause-after 30
  run --first 10; run --skip 10 --first 9 --pause-after 60; run --skip 10 --first 9; run --skip 19" >> "$LOG" 2>&1 < /dev/null &
echo "started: pid $! (process group $!), code $C, out $OUT, log $LOG"
