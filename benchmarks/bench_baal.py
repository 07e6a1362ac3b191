"""baal's active-learning step with fastai_al's Monte-Carlo scoring (`FastModelWrapper`) against baal 2.1's own
`ModelWrapper.predict_on_dataset`: the same model (baal-patched dropout), the same items, the same seed, in one run.
Prints the wall-clock and process-CPU time of one `ActiveLearningLoop.step()` (predict the pool T times + BALD + label)
each way, their ratios, whether both steps labelled the same items, and the machine's load before and after (on a
shared machine the CPU-time ratio is the steadier figure).

    python benchmarks/bench_baal.py                                  # ResNet-50 + dropout head, 200 items 3×64×64, T=20
    python benchmarks/bench_baal.py --arch resnet18 --n-items 100    # quicker
"""
from __future__ import annotations
import logging, os, time
import numpy as np
import torch
from torch import nn
from torch.utils.data import TensorDataset
from fastcore.script import call_parse
import structlog
from torchvision.models import resnet18, resnet34, resnet50
from fastai_al.models.resnet import al_resnet
from fastai_al.baal_bridge import FastModelWrapper
from baal.active import ActiveLearningDataset, ActiveLearningLoop
from baal.active.heuristics import BALD
from baal.bayesian.dropout import patch_module
from baal.modelwrapper import ModelWrapper, TrainingArgs

def load()->str: return ' '.join(f'{x:.2f}' for x in os.getloadavg())

@call_parse
def main(arch:str='resnet50', # resnet18, resnet34 or resnet50 (fastai_al's `al_resnet`: torchvision body + dropout head)
         n_items:int=200, # Pool items (random images)
         size:int=64, # Image side
         T:int=20, # Monte-Carlo dropout samples
         bs:int=16, # Batch size (baal's `TrainingArgs.batch_size`; baal runs bs×T images per forward)
         threads:int=1, # torch threads
         seed:int=0):
    torch.set_num_threads(threads)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))  # baal logs every step
    torch.manual_seed(seed)
    model = patch_module(al_resnet({'resnet18': resnet18, 'resnet34': resnet34, 'resnet50': resnet50}[arch], n_in=3, n_out=10))
    x = torch.rand(n_items + 10, 3, size, size, generator=torch.Generator().manual_seed(seed))
    ds = TensorDataset(x, torch.arange(n_items + 10) % 10)
    args = TrainingArgs(batch_size=bs, use_cuda=False, workers=0)
    print(f"{arch}, {n_items} pool items 3×{size}×{size}, T={T}, batch {bs}, {threads} torch threads; load before: {load()}")
    res = {}
    for name, wrapper in (('baal ModelWrapper.predict_on_dataset', ModelWrapper(model, args)),
                          ('fastai_al FastModelWrapper', FastModelWrapper(model, args))):
        al = ActiveLearningDataset(ds, labelled=np.r_[np.ones(10, int), np.zeros(n_items, int)])
        loop = ActiveLearningLoop(al, wrapper.predict_on_dataset, heuristic=BALD(), query_size=10, iterations=T, verbose=False)
        torch.manual_seed(seed + 1)  # the same dropout masks both ways
        w, c = time.perf_counter(), time.process_time()
        loop.step()
        w, c = time.perf_counter() - w, time.process_time() - c
        res[name] = (w, c, np.flatnonzero(al.labelled_map == 2))
        print(f"{name:40s} {w:8.2f} s wall, {c:8.2f} s CPU per step")
    (wb, cb, pb), (wf, cf, pf) = res.values()
    print(f"speed-up of baal's step with fastai_al's scoring: {wb / wf:.1f}x wall-clock, {cb / cf:.1f}x CPU time; "
          f"same items labelled: {np.array_equal(pb, pf)}")
    print(f"load after: {load()}")
