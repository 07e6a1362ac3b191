"""Page timings of the labelling app (`fastai_al_label`) on a folder of 2,000 MNIST digits, in a real browser.

    python benchmarks/bench_label_app.py [--n 2000] [--arch cnn] [--size 64] [--rounds 3] [--threads 2]
                                         [--screenshot nbs/images/label_app.png] [--out bench_label_app.json]

Starts the app as a subprocess on a free loopback port (torch threads as given), drives Chromium with Playwright and
measures, per round: the batch shown after a "New batch" click, each label's round trip until the page shows it
saved, and a round trained (click → "Round k trained" on the page, which includes scoring the pool for the next
batch). Prints one JSON object; the machine and its load go with it.
"""
import json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path
import numpy as np
from PIL import Image
from fastcore.script import call_parse
from playwright.sync_api import sync_playwright

def free_port():
    with socket.socket() as so: so.bind(('127.0.0.1', 0)); return so.getsockname()[1]

@call_parse
def main(n:int=2000, # Images in the folder
         arch:str=None, # Model of the app (default: the app's)
         size:int=None, # Image size of the app (default: the app's)
         rounds:int=3, # Rounds to label and train
         batch:int=12, # Batch size of the app
         epochs:int=None, # Epochs per round (default: the app's)
         threads:int=2, # torch threads of the app
         screenshot:str=None, # Save a full-page screenshot after the last round here
         out:str=None, # Also write the JSON here
        ):
    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo))
    from fastai_al.data.mnist import load_mnist
    mn = load_mnist()
    tmp = Path(tempfile.mkdtemp()); folder = tmp/'digits'; folder.mkdir()
    truth = {}
    for k in range(n):
        fn = f"{k:05d}.png"; Image.fromarray(mn['x_train'][k]).save(folder/fn); truth[fn] = str(mn['y_train'][k])
    classes = [str(d) for d in range(10)]
    port = free_port(); url = f'http://127.0.0.1:{port}/'
    env = {**os.environ, 'PYTHONPATH': str(repo), 'OMP_NUM_THREADS': str(threads)}
    log = open(tmp/'app.log', 'w')
    t0 = time.time()
    opts = [f'--{k}={v}' for k, v in dict(arch=arch, size=size, epochs=epochs).items() if v is not None]
    proc = subprocess.Popen([sys.executable, '-m', 'fastai_al.app', str(folder), '--classes', ','.join(classes), '--port', str(port),
                             '--batch-size', str(batch), '--strategy', 'margin', *opts], stdout=log, stderr=subprocess.STDOUT, env=env)
    from fastai_al.app import _SETTINGS
    res = dict(n_images=n, arch=arch or _SETTINGS['arch'], size=size or _SETTINGS['size'], batch=batch, epochs=epochs or _SETTINGS['epochs'],
               torch_threads=threads, cpus=os.cpu_count(),
               load_before=os.getloadavg())
    try:
        while True:
            try: urllib.request.urlopen(url, timeout=5); break
            except OSError:
                if proc.poll() is not None or time.time() - t0 > 300: raise RuntimeError((tmp/'app.log').read_text())
                time.sleep(0.25)
        res['app_start_s'] = time.time() - t0
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=shutil.which('chromium'), args=['--no-sandbox'])
            pg = b.new_page(viewport={'width': 1280, 'height': 1000}); pg.set_default_timeout(600_000)
            t1 = time.time(); pg.goto(url); pg.wait_for_selector('#grid .card')
            res['cold_start_batch_shown_s'] = time.time() - t1
            per = []
            for rnd in range(rounds):
                r = {}
                cards = pg.locator('#grid .card')
                ids = [int(cards.nth(k).get_attribute('data-idx')) for k in range(cards.count())]
                files = [cards.nth(k).locator('img').get_attribute('alt') for k in range(cards.count())]
                saves = []
                for i, f in zip(ids, files):
                    t = time.time()
                    pg.locator(f'#card-{i} button[data-class="{truth[f]}"]').click()
                    pg.wait_for_selector(f'#card-{i}[data-status="label"]')
                    saves.append(time.time() - t)
                r['label_saved_median_s'], r['label_saved_max_s'] = statistics.median(saves), max(saves)
                t = time.time(); pg.click('#train')
                pg.wait_for_selector(f'#status >> text=Round {rnd} trained')
                r['round_trained_s'] = time.time() - t
                r['status'] = pg.inner_text('#status')
                t = time.time(); pg.click('#next')
                pg.wait_for_selector('#status >> text=New batch ready')
                pg.wait_for_selector('#grid .card')
                r['next_batch_shown_s'] = time.time() - t
                per.append(r)
            res['rounds'] = per
            if screenshot: pg.screenshot(path=screenshot, full_page=True)
            b.close()
    finally:
        os.kill(proc.pid, signal.SIGKILL); proc.wait()
        res['load_after'] = os.getloadavg()
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(res, indent=1))
    if out: Path(out).write_text(json.dumps(res, indent=1))
