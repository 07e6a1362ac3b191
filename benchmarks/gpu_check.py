"""Check fastai_al on a GPU in one command: the tests that need CUDA, a short demo and the Gal et al. runner for 2
rounds, each timed on the GPU and on the CPU of the same machine, with the ratio (about 3–5 minutes on one GPU).

    python benchmarks/gpu_check.py                    # on a machine with CUDA: every step on the GPU, then on the CPU
    python benchmarks/gpu_check.py --no-cpu           # the GPU only (no CPU baseline, no ratio)
    python benchmarks/gpu_check.py --device cpu       # every step on the CPU only (checks the script without a GPU)
    python benchmarks/gpu_check.py --steps tests      # some steps only: tests, demo, gal

The steps:
- `tests`: every notebook with cells marked `#| cuda` (`nbdev-test --flags cuda`), with `FASTAI_AL_TEST_DEVICE`
  set to the device (the marked cells skip in a plain `nbdev-test`);
- `demo`: the demo's runs, smaller — random and margin, one seed, a 2,000-image MNIST pool, 3 rounds of 2 epochs —
  through `run_sweep` in this process;
- `gal`: Gal et al.'s protocol (`gal2017_specs`), BALD, seed 0, 2 rounds, through `gal2017_sweep` in this process.

The device of a step is fastai's default device (`defaults.use_cuda`); a step on the GPU must allocate GPU memory and a
step on the CPU must not, or the step fails. With `--device cuda` on a machine without CUDA the script stops at once
with exit status 2; any failed step makes it exit with status 1 after the others ran.
"""
import os, sys, time, shutil, tempfile, subprocess, traceback, json, platform, resource
from contextlib import contextmanager
from pathlib import Path
from fastcore.script import call_parse

ROOT = Path(__file__).resolve().parent.parent
STEPS = ('tests', 'demo', 'gal')

def cuda_notebooks()->list:
    "Notebooks holding a cell marked `#| cuda`"
    out = []
    for nb in sorted((ROOT/'nbs').glob('*.ipynb')):
        cells = json.loads(nb.read_text())['cells']
        if any(c['cell_type'] == 'code' and any(l.strip() == '#| cuda' for l in c['source']) for c in cells): out.append(nb)
    return out

def cpu_seconds()->float:
    "CPU time of this process and of its finished children (the notebook tests), user + system"
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

def describe(device)->str:
    "One line on the device, torch and the machine"
    import torch
    s = f"torch {torch.__version__}"
    if device.type == 'cuda':
        p = torch.cuda.get_device_properties(device)
        s += f", CUDA {torch.version.cuda}, {p.name} ({p.total_memory / 2**30:.0f} GiB)"
    return (f"device {device} — {s}; {os.cpu_count()} CPU cores, {torch.get_num_threads()} torch threads; "
            f"load average {' '.join(f'{l:.1f}' for l in os.getloadavg())}; {platform.node()}")

@contextmanager
def on_device(device):
    "fastai's default device set to `device` (its loaders, learners and `to_device` follow it); GPU use checked"
    import torch
    from fastai.torch_core import defaults
    old = defaults.use_cuda
    defaults.use_cuda = device.type != 'cpu'
    cuda = torch.cuda.is_available()
    if device.type == 'cuda':
        torch.cuda.set_device(device)
    if cuda: torch.cuda.synchronize(); before = torch.cuda.memory_allocated(); torch.cuda.reset_peak_memory_stats()
    try: yield
    finally:
        defaults.use_cuda = old
        if cuda:
            torch.cuda.synchronize()
            peak = torch.cuda.max_memory_allocated()
            if device.type == 'cuda' and peak == 0: raise RuntimeError("the step allocated no GPU memory: it did not run on the GPU")
            if device.type == 'cpu' and peak > before: raise RuntimeError(f"the step on the CPU allocated {peak - before} bytes on the GPU")

def run_tests(device, out):
    "`nbdev-test --flags cuda` on every notebook with `#| cuda` cells, on `device`"
    nbs = cuda_notebooks()
    if not nbs: raise RuntimeError("no notebook has a `#| cuda` cell")
    env = {**os.environ, 'FASTAI_AL_TEST_DEVICE': str(device)}
    if device.type == 'cpu': env['CUDA_VISIBLE_DEVICES'] = ''
    for nb in nbs:
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, '-m', 'nbdev.test', '--flags', 'cuda', '--n-workers', '1', str(nb.relative_to(ROOT))],
                           cwd=ROOT, env=env, capture_output=True, text=True)
        print(f"    {nb.name}: {'ok' if r.returncode == 0 else 'FAILED'} in {time.perf_counter() - t0:.0f}s", flush=True)
        if r.returncode: raise RuntimeError(f"{nb.name} failed:\n{(r.stdout + r.stderr)[-3000:]}")
    return f"{len(nbs)} notebooks"

def run_demo(device, out):
    "The demo's runs, smaller, in this process"
    from fastai_al.cli import demo_specs
    from fastai_al.runs.sweep import run_sweep
    specs = demo_specs(['random', 'margin'], seeds=1, n_train=2000, n_valid=500, n_init=100, n_per_round=50, rounds=3, epochs=2)
    with on_device(device): df = run_sweep(specs, out, n_workers=0, quiet=True)
    if len(df) != 2 * 3: raise RuntimeError(f"expected 6 rounds (2 strategies × 3 rounds), got {len(df)}")
    last = df.sort_values('round').groupby('strategy').tail(1)
    return ', '.join(f"{r.strategy} {r.valid_accuracy:.3f}" for r in last.itertuples()) + ' valid accuracy'

def run_gal(device, out):
    "Gal et al.'s protocol, BALD seed 0, 2 rounds, through its runner, in this process"
    from fastai_al.studies.gal2017 import gal2017_specs, gal2017_sweep
    with on_device(device): df = gal2017_sweep(gal2017_specs(('bald',), (0,), rounds=2), out, workers=0, quiet=True)
    if len(df) != 2: raise RuntimeError(f"expected 2 rounds, got {len(df)}")
    return f"test accuracy {' → '.join(f'{a:.3f}' for a in df.sort_values('round')['test_accuracy'])}"

RUNNERS = dict(tests=run_tests, demo=run_demo, gal=run_gal)

@call_parse
def main(device:str='cuda', # 'cuda' (or 'cuda:N') to check the GPU; 'cpu' runs every step on the CPU only
         steps:str='tests,demo,gal', # Comma-separated steps to run
         no_cpu:bool=False, # Skip the CPU baseline (no ratio)
         out:str=None, # Keep the runs' folders here (default: a temporary folder, removed at the end)
        ):
    import torch
    dev = torch.device(device)
    if dev.type == 'cuda' and not torch.cuda.is_available():
        print(f"gpu_check: --device {device} asked for, but CUDA is not available here (torch {torch.__version__}, "
              f"built for CUDA {torch.version.cuda}; torch.cuda.is_available() is False). "
              f"On a machine without a GPU: python benchmarks/gpu_check.py --device cpu", file=sys.stderr)
        sys.exit(2)
    if dev.type not in ('cuda', 'cpu'): sys.exit(f"gpu_check: --device must be 'cuda', 'cuda:N' or 'cpu', not {device!r}")
    todo = [s.strip() for s in steps.split(',') if s.strip()]
    bad = [s for s in todo if s not in STEPS]
    if bad: sys.exit(f"gpu_check: unknown step(s) {bad}; choose among {', '.join(STEPS)}")
    devices = [dev] + ([torch.device('cpu')] if dev.type != 'cpu' and not no_cpu else [])
    print(describe(dev), flush=True)
    root = Path(out) if out else Path(tempfile.mkdtemp(prefix='gpu_check_'))
    times, cpu, failed = {}, {}, []
    try:
        for step in todo:
            for d in devices:
                print(f"{step} on {d}:", flush=True)
                t0, c0 = time.perf_counter(), cpu_seconds()
                try: what = RUNNERS[step](d, root/f"{step}_{d.type}")
                except Exception:
                    failed.append(f"{step} on {d}")
                    print('    FAILED\n' + '\n'.join('    ' + l for l in traceback.format_exc().splitlines()[-25:]), flush=True)
                    continue
                times[step, d.type], cpu[step, d.type] = time.perf_counter() - t0, cpu_seconds() - c0
                print(f"    {what}; {times[step, d.type]:.1f}s wall, {cpu[step, d.type]:.1f}s CPU", flush=True)
    finally:
        if not out: shutil.rmtree(root, ignore_errors=True)
    print(f"\nwall seconds (CPU seconds in brackets)\n{'step':<7} {dev.type:>16}" + (f" {'cpu':>16} {'cpu/' + dev.type:>9}" if len(devices) > 1 else ''))
    def cell(step, d):
        t = times.get((step, d))
        return f"{t:.1f} ({cpu[step, d]:.0f})" if t is not None else 'failed'
    for step in todo:
        line = f"{step:<7} {cell(step, dev.type):>16}"
        if len(devices) > 1:
            t, c = times.get((step, dev.type)), times.get((step, 'cpu'))
            line += f" {cell(step, 'cpu'):>16} {f'{c / t:.2f}' if t and c else '-':>9}"
        print(line)
    print(f"load average at the end: {' '.join(f'{l:.1f}' for l in os.getloadavg())}")
    if failed:
        print(f"gpu_check: FAILED: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)
    print("gpu_check: all steps passed")
