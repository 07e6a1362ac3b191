"""The labelling app (`fastai_al_label`) on folders of 2,000 to 50,000 MNIST digits, in a real browser: today's app and
this one, in the same run.

    python benchmarks/bench_label_app.py --old /path/to/old/checkout [--sizes 2000,20000,50000] [--think 1.0]
                                         [--folders /tmp/digit_folders] [--out bench_label_app.json] [--md table.md]

Writes the folders once (MNIST training digits as 28×28 PNG, from `data/mnist`; reused when present), trains the
small CNN for a minute on 2,000 MNIST *test* digits (none of them in the folders) as the frozen body's weights, then,
per folder size, starts each app as a subprocess on a free loopback port and drives Chromium with Playwright like a
person who labels at `--think` seconds an image:

- **today** (`--old`: a checkout of the app before the queue, e.g. a `git worktree` of an older commit): label a batch,
  press "Train round + next batch", wait for the round and its next batch, twice;
- **new, whole model** (the default: the small CNN trained whole, a round every 24 labels on a 2,000-image pool
  subset) and **new, frozen body** (`--weights`): label four batches, each finished batch followed by the next at
  once (a round starts by itself after 24 labels and trains while the labelling goes on), then wait for the second
  round.

Measured: launch → first batch on screen; each label's round trip until the page shows it saved (p50, p99, and p99
of the labels given while a round trained); the wait between batches (last label of a batch, or the button, until
the next batch is on screen), with the longest wait while a round trained; each round's time (from the label or
click that started it until SQLite records it); and, with the frozen body, the feature cache's build time and size
on disk. Prints one JSON object and a Markdown table; the machine and its load go with them.
"""
import json, os, re, shutil, signal, socket, sqlite3, statistics, subprocess, sys, tempfile, threading, time, urllib.request
from pathlib import Path
import numpy as np
from fastcore.script import call_parse

REPO = Path(__file__).resolve().parents[1]

def free_port():
    with socket.socket() as so: so.bind(('127.0.0.1', 0)); return so.getsockname()[1]

def make_folders(root:Path, sizes):
    "mnist_N: the first N MNIST training digits as PNG files named by index; {file: digit}"
    sys.path.insert(0, str(REPO))
    from PIL import Image
    from fastai_al.data.mnist import load_mnist
    mn = load_mnist()
    for n in sizes:
        d = root/f'mnist_{n}'
        if (d/'.complete').exists(): continue
        d.mkdir(parents=True, exist_ok=True)
        for k in range(n): Image.fromarray(mn['x_train'][k]).save(d/f"{k:05d}.png")
        (d/'.complete').write_text('')
    return {f"{k:05d}.png": str(mn['y_train'][k]) for k in range(max(sizes))}

def make_weights(path:Path, size:int=64):
    "The small CNN trained briefly on 2,000 MNIST test digits (not in the folders), as the frozen body's weights"
    if path.exists(): return path
    import torch, torch.nn.functional as F
    from fastai_al.data.mnist import load_mnist
    from fastai_al.models.cnn import gal_cnn
    mn = load_mnist(); torch.manual_seed(0)
    x = torch.tensor(mn['x_test'][:2000]).float().div(255).unsqueeze(1)
    x = F.interpolate(x, size=(size, size), mode='bilinear').repeat(1, 3, 1, 1)   # as the app's squish resize, near enough
    x = (x - torch.tensor([0.485, 0.456, 0.406])[:, None, None]) / torch.tensor([0.229, 0.224, 0.225])[:, None, None]
    y = torch.tensor(mn['y_test'][:2000]).long()
    net = gal_cnn(3, 10, size); opt = torch.optim.Adam(net.parameters(), 1e-3)
    for epoch in range(2):
        for k in range(0, 2000, 50): opt.zero_grad(); F.cross_entropy(net(x[k:k + 50]), y[k:k + 50]).backward(); opt.step()
    torch.save(net.state_dict(), path)
    return path

class App:
    "An app subprocess (code from `root`) on a free port; SIGKILL at the end"
    def __init__(self, root, folder, db, *args, threads=2):
        self.port, self.db = free_port(), Path(db)
        self.url, self.log = f'http://127.0.0.1:{self.port}/', Path(db).parent/'app.log'
        env = {**os.environ, 'PYTHONPATH': str(root), 'OMP_NUM_THREADS': str(threads)}
        self.t0 = time.time()
        with open(self.log, 'w') as f:
            # cwd: `python -m` puts the working folder first on the path, so it must be the checkout whose app runs
            self.proc = subprocess.Popen([sys.executable, '-m', 'fastai_al.app', str(folder), '--classes', ','.join(map(str, range(10))),
                                          '--port', str(self.port), '--db', str(db), *map(str, args)], stdout=f, stderr=subprocess.STDOUT,
                                         env=env, cwd=str(root))
    def wait_up(self, timeout=900):
        while True:
            try:
                with urllib.request.urlopen(self.url, timeout=10): return time.time() - self.t0
            except OSError:
                if self.proc.poll() is not None or time.time() - self.t0 > timeout: raise RuntimeError(self.log.read_text()[-3000:])
                time.sleep(0.1)
    def kill(self):
        if self.proc.poll() is None: os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
    def label(self, idx:int):
        "The label SQLite holds for image `idx` (read-only), or None"
        try:
            con = sqlite3.connect(f"{self.db.as_uri()}?mode=ro", uri=True, timeout=5)
            try: r = con.execute("SELECT label FROM labels WHERE idx=? AND status='label'", (idx,)).fetchone()
            finally: con.close()
            return r[0] if r else None
        except sqlite3.Error: return None
    def rounds(self)->list:
        "(round, train_seconds, at) from SQLite, read-only"
        try:
            con = sqlite3.connect(f"{self.db.as_uri()}?mode=ro", uri=True, timeout=5)
            try: return con.execute("SELECT round, train_seconds, at FROM rounds ORDER BY round").fetchall()
            finally: con.close()
        except sqlite3.Error: return []

def _cards(pg):
    return [(int(c.get_attribute('data-idx')), c.locator('img').get_attribute('alt'), c.get_attribute('data-status'))
            for c in pg.locator('#grid .card').all()]

def _training(pg)->bool:
    try: return 'Training round' in pg.inner_text('#status', timeout=5000)
    except Exception: return False

def _label(pg, idx, cls, res, think, app=None):
    "Click `cls` on image `idx`; the round trip until the page shows it saved (or, if the page moved on to the next batch"
    "before that was seen, until then, with SQLite checked for the label)"
    time.sleep(think)
    during = _training(pg)
    t = time.time()
    pg.locator(f'#card-{idx} button[data-class="{cls}"]').click()
    pg.wait_for_function("i => { const c = document.getElementById('card-' + i); return !c || c.dataset.status === 'label'; }",
                         arg=idx, polling=20)
    s, moved_on = time.time() - t, pg.locator(f'#card-{idx}').count() == 0
    if moved_on and (app is None or app.label(idx) != cls):
        raise RuntimeError(f"image {idx} left the page without its label {cls!r} being stored ({app.label(idx) if app else '?'})")
    res['labels'].append(dict(s=s, during_training=during and _training(pg), at=time.time(), moved_on=moved_on,
                              phase=re.sub(r'\s+', ' ', pg.inner_text('#status'))[:60]))

def _new_batch_shown(pg, before:set, timeout=900):
    "Wait (checked in the page every 50 ms) until the grid shows a batch none of whose images is in `before`"
    pg.wait_for_function("old => { const c = document.querySelectorAll('#grid .card'); "
                         "return c.length > 0 && [...c].every(x => !old.includes(+x.dataset.idx)); }",
                         arg=sorted(before), polling=50, timeout=timeout * 1000)

def drive_today(pg, app, truth, res, think, rounds=2):
    "Label a batch, then Train round + next batch, and wait: twice"
    for rnd in range(rounds):
        cards = _cards(pg)
        for i, f, st in cards:
            if not st: _label(pg, i, truth[f], res, think, app)
        t = time.time(); pg.click('#train')
        pg.wait_for_selector(f'#status >> text=Round {rnd} trained', timeout=3_600_000)
        _new_batch_shown(pg, {i for i, _, _ in cards})
        w = time.time() - t
        res['rounds'].append(dict(round=rnd, wall_s=w, train_s=app.rounds()[-1][1]))
        res['batch_waits'].append(dict(s=w, during_training=True, how='Train round + next batch'))
    for i, f, st in _cards(pg):   # label the batch the last round put up, then ask for a new one
        if not st: _label(pg, i, truth[f], res, think, app)
    before = {i for i, _, _ in _cards(pg)}
    t = time.time(); pg.click('#next')   # "New batch": a query over the pool in the background
    pg.wait_for_selector('#status >> text=New batch ready', timeout=3_600_000); _new_batch_shown(pg, before)
    res['batch_waits'].append(dict(s=time.time() - t, during_training=False, how='New batch'))

def drive_new(pg, app, truth, res, think, batches=4, rounds=2, train_every=24):
    "Label `batches` batches, each followed at once by the next (rounds start by themselves), then wait for `rounds` rounds"
    for b in range(batches):
        cards = _cards(pg)
        for i, f, st in cards:
            if not st: _label(pg, i, truth[f], res, think, app)
        t = time.time(); during = _training(pg)
        if b < batches - 1:   # the page asks for the next batch by itself when the last image is done
            _new_batch_shown(pg, {i for i, _, _ in cards})
            res['batch_waits'].append(dict(s=time.time() - t, during_training=during, how='batch finished'))
    end = time.time() + 3600
    while len(app.rounds()) < rounds and time.time() < end: time.sleep(0.1)
    before = {i for i, _, _ in _cards(pg)}
    t = time.time(); pg.click('#next'); _new_batch_shown(pg, before)
    res['batch_waits'].append(dict(s=time.time() - t, during_training=_training(pg), how='New batch'))
    # round k starts when the label that makes `train_every` wait is saved, or when round k-1 ends if that is later
    acks, prev = [l['at'] for l in res['labels']], None
    for k, (r, train_s, at) in enumerate(app.rounds()[:rounds]):
        start = acks[min((k + 1) * train_every, len(acks)) - 1]
        if prev is not None: start = max(start, prev)
        res['rounds'].append(dict(round=r, wall_s=at - start, train_s=train_s)); prev = at

def watch_cache(app, res, n):
    "Poll the feature cache's index until every image is in: its build time from launch and its size on disk"
    while app.proc.poll() is None:
        for db in app.db.parent.glob('*_state/features/*/rows.db'):
            try:
                con = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=5)
                done = con.execute("SELECT COUNT(*) FROM rows WHERE done=1").fetchone()[0]; con.close()
            except sqlite3.Error: continue
            if done >= n:
                t = time.time() - app.t0
                time.sleep(1)   # (the index's log is moved into it once the last row is in)
                res['cache_bytes'] = sum(f.stat().st_blocks * 512 for f in db.parent.iterdir())
                res['cache_build_s'] = t
                return
        time.sleep(1)

def _uptime()->str:
    try: return subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()
    except OSError: return ''

def pct(xs, q): return float(np.percentile(xs, q)) if xs else None

def summary(res):
    lab = [l['s'] for l in res['labels']]; dur = [l['s'] for l in res['labels'] if l['during_training']]
    waits = [w['s'] for w in res['batch_waits']]; wt = [w['s'] for w in res['batch_waits'] if w['during_training']]
    return dict(launch_to_first_batch_s=res['first_batch_s'], label_p50_s=pct(lab, 50), label_p99_s=pct(lab, 99),
                label_p99_training_s=pct(dur, 99), n_labels=len(lab), n_labels_training=len(dur),
                n_labels_page_moved_on=sum(bool(l.get('moved_on')) for l in res['labels']),
                batch_wait_median_s=pct(waits, 50), batch_wait_max_s=max(waits) if waits else None,
                batch_wait_training_max_s=max(wt) if wt else None,
                round_s=[round(r['wall_s'], 1) for r in res['rounds']], round_train_s=[round(r['train_s'] or 0, 1) for r in res['rounds']],
                cache_build_s=res.get('cache_build_s'), cache_mb=res['cache_bytes'] / 1e6 if res.get('cache_bytes') else None,
                cache_bytes_per_image=res['cache_bytes'] / res['size'] if res.get('cache_bytes') else None)

def markdown(o)->str:
    f = lambda x, d=1: '–' if x is None else f"{x:.{d}f}"
    rows = ["| images | app | launch → first batch (s) | label p50 / p99 (s) | label p99 while training (s) | wait between batches, median / max (s) | longest wait while a round trains (s) | rounds (s) | feature cache: build (s), size (MB; bytes an image) | load (1-min, before–after) |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    names = dict(today="today's app", whole='new: whole model, pool subset', frozen='new: frozen body, cached features')
    for r in o['runs']:
        s = r.get('summary')
        if not s: rows.append(f"| {r['size']:,} | {names[r['mode']]} | failed: {r.get('error', '')[:80]} |||||||| "); continue
        cache = f"{f(s['cache_build_s'], 0)}, {f(s['cache_mb'])} ({f(s['cache_bytes_per_image'], 0)})" if r['mode'] == 'frozen' else '–'
        rows.append(f"| {r['size']:,} | {names[r['mode']]} | {f(s['launch_to_first_batch_s'])} | {f(s['label_p50_s'], 2)} / {f(s['label_p99_s'], 2)} | "
                    f"{f(s['label_p99_training_s'], 2)} | {f(s['batch_wait_median_s'], 2)} / {f(s['batch_wait_max_s'], 1)} | "
                    f"{f(s['batch_wait_training_max_s'], 1)} | {', '.join(f(x) for x in s['round_s'])} | {cache} | "
                    f"{r['load_before'][0]:.1f}–{r['load_after'][0]:.1f} |")
    return '\n'.join(rows)

@call_parse
def main(old:str=None, # A checkout of today's app (e.g. `git worktree add --detach /tmp/old <commit>`); omitted: new app only
         sizes:str='2000,20000,50000', # Folder sizes
         think:float=1.0, # Seconds a person looks at an image before labelling it
         folders:str=None, # Where the digit folders are written (reused); default a temporary folder
         threads:int=2, # torch threads of each app
         modes:str='today,whole,frozen', # Which runs
         today_sizes:str=None, # Folder sizes for today's app (default: all of `sizes`; today's rounds at 50,000 take many minutes)
         out:str=None, # Also write the JSON here
         md:str=None, # Also write the Markdown table here
         screenshot:str=None, # Save a full-page screenshot of the new app (whole model, smallest folder) at the end of its run
         logs:str=None, # Keep each app's log here (and, when a run fails, the page as it was)
        ):
    from playwright.sync_api import sync_playwright
    sizes = [int(s) for s in sizes.split(',')]
    froot = Path(folders or tempfile.mkdtemp()); froot.mkdir(parents=True, exist_ok=True)
    if logs: Path(logs).mkdir(parents=True, exist_ok=True)
    truth = make_folders(froot, sizes)
    weights = make_weights(froot/'cnn64_mnist_test.pth')
    runs = [m for m in modes.split(',') if m != 'today' or old]
    out_all = dict(machine=dict(cpus=os.cpu_count(), python=sys.version.split()[0], nice=os.nice(0)), think_s=think, runs=[],
                   started=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), uptime_start=_uptime())
    with sync_playwright() as p:
        br = p.chromium.launch(executable_path=shutil.which('chromium'), args=['--no-sandbox', '--disable-gpu'])
        for n in sizes:
            for mode in runs:
                if mode == 'today' and today_sizes and n not in [int(t) for t in today_sizes.split(',')]: continue
                work = Path(tempfile.mkdtemp())
                root = Path(old) if mode == 'today' else REPO
                args = ['--weights', weights] if mode == 'frozen' else []
                res = dict(size=n, mode=mode, labels=[], batch_waits=[], rounds=[], load_before=os.getloadavg(), uptime_before=_uptime())
                app = App(root, froot/f'mnist_{n}', work/'labels.db', *args, threads=threads)
                if mode == 'frozen': threading.Thread(target=watch_cache, args=(app, res, n), daemon=True).start()
                try:
                    res['server_up_s'] = app.wait_up()
                    pg = br.new_page(viewport={'width': 1280, 'height': 1000}); pg.set_default_timeout(900_000)
                    res['http_errors'] = []   # any reply of the app that is not a success, as the page saw it
                    pg.on('response', lambda r, res=res: r.status >= 400 and res['http_errors'].append(dict(url=r.url, status=r.status, at=time.time())))
                    pg.goto(app.url); pg.wait_for_selector('#grid .card')
                    res['first_batch_s'] = time.time() - app.t0
                    (drive_today if mode == 'today' else drive_new)(pg, app, truth, res, think)
                    if screenshot and mode == 'whole' and n == min(sizes): pg.mouse.move(0, 0); pg.screenshot(path=screenshot, full_page=True)
                    if mode == 'frozen':
                        end = time.time() + 1800
                        while 'cache_build_s' not in res and time.time() < end: time.sleep(1)
                    pg.close()
                except Exception as e:
                    res['error'] = f"{type(e).__name__}: {e}"; res['log'] = app.log.read_text()[-2000:]
                    if logs:
                        try: Path(logs, f"{mode}_{n}_page.html").write_text(pg.content())
                        except Exception: pass
                finally:
                    if logs: shutil.copy(app.log, Path(logs, f"{mode}_{n}_app.log"))
                    app.kill(); res['load_after'] = os.getloadavg(); res['uptime_after'] = _uptime(); shutil.rmtree(work, ignore_errors=True)
                res['summary'] = summary(res) if 'first_batch_s' in res else None
                print(json.dumps(dict(size=n, mode=mode, summary=res['summary'], error=res.get('error')), default=str), flush=True)
                out_all['runs'].append(res)
        br.close()
    table = markdown(out_all)
    print(table)
    if out: Path(out).write_text(json.dumps(out_all, indent=1, default=str))
    if md: Path(md).write_text(table)

