"""The labelling app's screenshot in the docs (`nbs/images/label_app_digits.png`), on the human-labels tutorial's folder.

It writes the tutorial's folder (300 MNIST digits of five classes, `zero` … `four`, under meaningless names), starts
`fastai_al_label` on it (127.0.0.1, a free port), and in headless Chromium (Playwright, Debian's `chromium`) labels
three batches of 12 by clicking each image's true class, training a round after each; then it saves the page showing
the fourth batch, with the model's guesses and the learning curve.

    python tools/screenshot_app.py                     # writes nbs/images/label_app_digits.png
    python tools/screenshot_app.py --out /tmp/x.png    # elsewhere
"""
import os, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

from fastcore.script import call_parse

ROOT = Path(__file__).resolve().parents[1]
NAMES = ['zero', 'one', 'two', 'three', 'four']


def tutorial_folder(folder:Path)->dict:
    "The human-labels tutorial's folder: 300 digits 0-4 as PNGs with meaningless names; returns {file: class name}"
    import numpy as np
    from PIL import Image
    from fastai_al.data.mnist import load_mnist
    mn = load_mnist()
    folder.mkdir(parents=True)
    ks = np.flatnonzero(mn['y_train'][:2000] < 5)[:300]
    rng, truth = np.random.default_rng(0), {}
    for k in ks:
        fn = f"IMG_{rng.integers(1e6):06d}_{k}.png"
        Image.fromarray(mn['x_train'][k]).save(folder/fn)
        truth[fn] = NAMES[mn['y_train'][k]]
    return truth


def free_port()->int:
    with socket.socket() as so: so.bind(('127.0.0.1', 0)); return so.getsockname()[1]


@call_parse
def main(out:str=str(ROOT/'nbs'/'images'/'label_app_digits.png'), # Where to write the screenshot
         rounds:int=3, # Rounds to label and train before the screenshot
         batch_size:int=12, # Images per batch
        ):
    "Label the tutorial's folder in the app for `rounds` rounds and save a screenshot of the page"
    from playwright.sync_api import sync_playwright
    from fastai_al.test_utils import chromium_or_skip
    exe = chromium_or_skip('the app screenshot')
    if exe is None: sys.exit(1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)/'my_images'
        truth = tutorial_folder(folder)
        port = free_port()
        env = {**os.environ, 'PYTHONPATH': str(ROOT), 'OMP_NUM_THREADS': '1'}
        log = open(Path(tmp)/'app.log', 'w')
        app = subprocess.Popen([sys.executable, '-m', 'fastai_al.app', str(folder), '--classes', ','.join(NAMES),
                                '--strategy', 'margin', '--batch-size', str(batch_size), '--epochs', '8', '--size', '28',
                                '--arch', 'cnn', '--bs', '16', '--port', str(port)], stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            url, t0 = f'http://127.0.0.1:{port}/', time.time()
            while True:
                if app.poll() is not None: sys.exit(f'the app exited:\n{(Path(tmp)/"app.log").read_text()[-3000:]}')
                try:
                    with urllib.request.urlopen(url, timeout=5): break
                except OSError:
                    if time.time() - t0 > 600: sys.exit('no answer from the app in 600 s')
                    time.sleep(0.5)
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path=exe, args=['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                                                               '--disable-component-update', '--disable-sync', '--no-first-run'])
                pg = b.new_page(viewport={'width': 1280, 'height': 900})
                pg.set_default_timeout(600_000)
                pg.goto(url)
                for rnd in range(rounds):
                    pg.wait_for_selector('#grid .card')
                    cards = pg.locator('#grid .card')
                    for k in range(cards.count()):
                        i = int(cards.nth(k).get_attribute('data-idx'))
                        name = truth[pg.locator(f'#card-{i} img').get_attribute('alt')]
                        pg.locator(f'#card-{i} button[data-class="{name}"]').click()
                        pg.wait_for_selector(f'#card-{i}[data-status="label"]')
                    pg.click('#train')
                    pg.wait_for_selector(f'#status >> text=Round {rnd} trained')
                    pg.click('#next')   # the next batch from the new ranking (the page keeps the batch being labelled)
                    pg.wait_for_selector(f'#batch >> text=after round {rnd}')
                pg.mouse.move(0, 0)
                Path(out).parent.mkdir(parents=True, exist_ok=True)
                pg.screenshot(path=out, full_page=True)
                b.close()
        finally:
            if app.poll() is None: os.kill(app.pid, signal.SIGKILL)
            app.wait(30)
    print(f'wrote {out}')
