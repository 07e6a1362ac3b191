"""Label Studio at scale: `ls_match` before and after it became linear, and the loop's push and pull at 50,000 tasks.

    python benchmarks/bench_labelstudio.py match [--labels 2000] [--files 50000] [--before REV]
    python benchmarks/bench_labelstudio.py loop [--tasks 50000]      # needs label-studio ($FASTAI_AL_LABEL_STUDIO or PATH)

`match` times `ls_match` on labels whose tasks carry only the image URL (a local-files path under a prefix, so every
label is found by its path's suffix) against a list of files; with `--before REV` it also times the `ls_match` of
that git revision (e.g. 6152242, before issue 26) on the same input, in the same run, and prints the ratio.
`loop` (`--recount-given-only`: with the Label Studio flag that recounts only the tasks a prediction import names)
starts a Label Studio 1.23 on 127.0.0.1 (data in a temporary folder), creates a project of N tasks with
`LSSync.push`, has an annotator label, edit and delete through the API, and times: the first pull (it reads every
task), an incremental pull, and a push (new tasks, and a prediction for every pending task). The machine's load is
printed with the times.
"""
import argparse, importlib.util, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT/'tests')]

def load() -> str: return os.popen('uptime').read().strip()

def _module_at(rev: str):
    "fastai_al.labelstudio as it was at git revision `rev`"
    src = subprocess.run(['git', '-C', str(ROOT), 'show', f'{rev}:fastai_al/labelstudio.py'], capture_output=True, text=True, check=True).stdout
    fn = Path(tempfile.mkdtemp())/'labelstudio_before.py'
    fn.write_text(src.replace('from .files import', 'from fastai_al.files import'))
    spec = importlib.util.spec_from_file_location('labelstudio_before', fn)
    m = importlib.util.module_from_spec(spec); sys.modules[spec.name] = m; spec.loader.exec_module(m)
    return m

def bench_match(n_labels: int, n_files: int, before: str | None):
    from fastai_al import labelstudio as now
    files = [f'class{k % 10}/{k // 10 % 100:02d}/img{k}.png' for k in range(n_files)]
    rng = np.random.default_rng(0)
    picks = rng.choice(n_files, n_labels, replace=False)
    labels = pd.DataFrame(dict(task_id=range(n_labels), image=[f'/data/local-files/?d=team/share/{files[k]}' for k in picks],
                               label='cat', by='1', annotation_id=range(n_labels), updated_at=''))
    def run(mod):
        imp = mod.LSImport(labels, pd.DataFrame(columns=['task_id', 'image', 'problem']), 'JSON', n_labels)
        t0 = time.perf_counter(); m, u = mod.ls_match(imp, files); dt = time.perf_counter() - t0
        assert m.idx.tolist() == picks.tolist() and len(u) == 0
        return dt
    t_now = run(now)
    print(f"ls_match, {n_labels:,} labels (URL only) against {n_files:,} files: {t_now:.3f} s now")
    if before:
        t_before = run(_module_at(before))
        print(f"                                       at {before}: {t_before:.2f} s  ({t_before / t_now:.0f}× slower)")
    print(f"load: {load()}")

def bench_loop(n_tasks: int):
    from labelstudio_server import LabelStudioServer, label_studio_exe
    from fastai_al.labelstudio_client import LabelStudio
    from fastai_al.labelstudio_sync import LSSync, LSRanking
    exe = label_studio_exe()
    if exe is None: sys.exit("label-studio not found: set $FASTAI_AL_LABEL_STUDIO (see tests/labelstudio_server.py)")
    root = Path(tempfile.mkdtemp())
    server = LabelStudioServer(exe, root).start()
    print(f"Label Studio up in {server.start_seconds:.0f} s")
    try:
        ls = LabelStudio(server.url, server.personal_access_token())
        classes = ['cat', 'dog', 'bird']
        project = ls.project('bench', classes=classes)
        n_items = n_tasks + 200
        urls = [f'/data/local-files/?d=images/{k // 1000:03d}/{k}.png' for k in range(n_items)]
        sync = LSSync(project, urls, classes, state=root/'sync.json')
        rng = np.random.default_rng(0)
        def ranking(v, labelled=()):
            pool = np.setdiff1d(np.arange(n_items), np.asarray(list(labelled), dtype=np.int64))
            order = rng.permutation(pool)
            return LSRanking(order, [classes[k % 3] for k in order], rng.random(len(order)), f'bench v{v}', pool=pool)
        t0 = time.perf_counter(); b = sync.push(ranking(0), n_tasks); t_create = time.perf_counter() - t0
        print(f"push creating {len(b):,} tasks: {t_create:.1f} s")
        tids = b.task_id.tolist()
        anns = {t: ls.post(f'/api/tasks/{t}/annotations/', json=dict(result=[dict(from_name='label', to_name='image', type='choices', value=dict(choices=['cat']))])) for t in tids[:40]}
        p = sync.pull(); print(f"first pull (reads every task): {p.seconds:.1f} s, {p.n_tasks:,} tasks read, {len(p.events)} events")
        for t in tids[40:60]: ls.post(f'/api/tasks/{t}/annotations/', json=dict(result=[dict(from_name='label', to_name='image', type='choices', value=dict(choices=['dog']))]))
        for t in tids[:5]: ls.patch(f"/api/annotations/{anns[t]['id']}/", json=dict(result=[dict(from_name='label', to_name='image', type='choices', value=dict(choices=['bird']))]))
        for t in tids[5:10]: ls.delete(f"/api/annotations/{anns[t]['id']}/")
        times = []
        for k in range(3):
            p = sync.pull(); times.append(p.seconds)
            if k == 0: print(f"incremental pull: {p.seconds:.2f} s, {p.n_tasks} tasks read, events {p.events.op.value_counts().to_dict()}")
        print(f"incremental pull, nothing new: {np.median(times[1:]):.2f} s (median of 2)")
        t0 = time.perf_counter(); b2 = sync.push(ranking(1, sync.applied), 20, n_predict=1000); t_push = time.perf_counter() - t0
        print(f"push of 20 new tasks + {b2.attrs['n_predictions']:,} predictions for the best-ranked pending tasks (n_predict): {t_push:.1f} s")
        t0 = time.perf_counter(); b3 = sync.push(ranking(2, sync.applied), 20); t_push = time.perf_counter() - t0
        print(f"push of 20 new tasks + {b3.attrs['n_predictions']:,} predictions for every pending task: {t_push:.1f} s")
        c = project.counts(); print(f"project: {c}")
        print(f"load: {load()}")
    finally: server.stop()

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('what', choices=['match', 'loop'])
    ap.add_argument('--labels', type=int, default=2000); ap.add_argument('--files', type=int, default=50000)
    ap.add_argument('--before', default=None, help="git revision whose ls_match to time too (e.g. 6152242)")
    ap.add_argument('--tasks', type=int, default=50000)
    ap.add_argument('--recount-given-only', action='store_true', help="start Label Studio with its flag that recounts only the tasks a prediction import names")
    a = ap.parse_args()
    if a.what == 'match': bench_match(a.labels, a.files, a.before)
    else:
        if a.recount_given_only: os.environ['fflag_fix_back_4620_memory_efficient_predictions_import_08012025_short'] = 'true'
        bench_loop(a.tasks)
