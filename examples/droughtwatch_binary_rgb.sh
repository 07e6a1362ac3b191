#!/usr/bin/env bash
# The study's DroughtWatch setting as one command: 0 vs 1+ cows from the visible bands (B4, B3, B2), a ResNet-18
# with the dropout head fine-tuned from ImageNet weights, 200 initial labels, 200 per round, 10 rounds, 6 strategies
# × 3 seeds. 1,000 validation patches come from the training split; the official validation split is the test set.
# The first run downloads DroughtWatch (about 4 GB) and converts it once (see the DroughtWatch page); torchvision
# downloads the ImageNet weights. Realistically this needs a GPU: add `--engine ray` on a cluster.
# `--dry-run` lists the 18 runs without training.
set -euo pipefail
fastai_al_sweep \
  --dataset droughtwatch --data-kwargs rgb=true binary=true n_valid=1000 \
  --model resnet18 --model-kwargs weights=IMAGENET1K_V1 --train-mode finetune \
  --strategy random least_confidence margin entropy bald cluster_outlier --seed 0 1 2 \
  --n-init 200 --n-per-round 200 --rounds 10 --epochs 5 --lr 1e-3 --bs 32 --pool-subset 5000 \
  --out study_out/droughtwatch "$@"
