"""fastai_al as an installed package: build the wheel, install it into a fresh virtual environment, and use it there.

`pip wheel . --no-deps` builds the wheel from this checkout's package files (copied, so that the build leaves nothing here). A fresh venv gets it with `pip install --no-deps --no-index`
(its own pip, so nothing else is installed or touched); the heavy dependencies (torch, fastai, …) it then reads from the
venv this test runs in, through a `.pth` file naming that venv's site-packages. A `.pth` file's folders are searched
after the venv's own site-packages and their own `.pth` files are not read, so the editable install of this checkout
there (if any) stays invisible: `import fastai_al` must find the wheel's copy. Then, from a folder outside the
checkout and without `PYTHONPATH`:

- `import fastai_al` (and its app) loads the installed copy;
- `fastai_al_demo --help` and `fastai_al_label --help` work as installed console scripts;
- the app's static files (htmx, served locally) are in the installed package, and the app serves them;
- MNIST is not next to the installed package; with an empty home folder and downloads refused (a proxy that
  refuses every connection), `fastai_al_demo` stops at once with exit status 1 and says exactly what to do.

    python tests/test_wheel.py     # about a minute; exit 1 if a check fails
    pytest tests/test_wheel.py

Nothing is downloaded: pip builds without build isolation (the running venv's setuptools) and installs from the wheel
file only.
"""
import os, re, shutil, subprocess, sys, sysconfig, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFUSE = 'http://127.0.0.1:9'  # a proxy that refuses every connection: downloads fail at once


def run(*cmd, ok=True, timeout=600, **kw)->subprocess.CompletedProcess:
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kw)
    if ok and r.returncode: raise AssertionError(f'{" ".join(map(str, cmd))} exited with {r.returncode}:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}')
    return r


def clean_env(home:Path, **extra)->dict:
    "The environment of a user of the installed package: no PYTHONPATH, no FASTAI_AL_DATA, a home folder of its own"
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'FASTAI_AL_DATA', 'VIRTUAL_ENV')}
    return {**env, 'HOME': str(home), 'OMP_NUM_THREADS': '1', **extra}


def build_wheel(dest:Path)->Path:
    "`pip wheel . --no-deps` on a copy of this checkout's package files (the build leaves `build/` behind), into `dest`"
    src = dest.parent/'src'
    shutil.copytree(ROOT/'fastai_al', src/'fastai_al', ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
    for f in ['pyproject.toml', 'README.md', 'LICENSE']:
        if (ROOT/f).exists(): shutil.copy(ROOT/f, src/f)
    run(sys.executable, '-m', 'pip', 'wheel', '.', '--no-deps', '--no-build-isolation', '-q', '-w', dest, cwd=src)
    wheels = list(dest.glob('fastai_al-*.whl'))
    assert len(wheels) == 1, wheels
    return wheels[0]


def fresh_venv(dest:Path, wheel:Path)->Path:
    "A venv in `dest` with the wheel installed by its own pip, reading its dependencies from this venv; its python"
    run(sys.executable, '-m', 'venv', dest)
    py = dest/'bin'/'python'
    run(py, '-m', 'pip', 'install', '--no-deps', '--no-index', '-q', wheel)
    site = Path(run(py, '-c', 'import sysconfig; print(sysconfig.get_path("purelib"))').stdout.strip())
    (site/'_deps_from_test_venv.pth').write_text(sysconfig.get_path('purelib') + '\n')
    return py


def check(py:Path, home:Path, work:Path)->dict:
    "The checks on the installed package; what they found"
    env, bin_ = clean_env(home), py.parent
    site = Path(run(py, '-c', 'import sysconfig; print(sysconfig.get_path("purelib"))', cwd=work, env=env).stdout.strip())
    found = {}
    # import: the wheel's copy, not this checkout
    r = run(py, '-c', 'import fastai_al, fastai_al.app, fastai_al.all; print(fastai_al.__file__, fastai_al.__version__)', cwd=work, env=env)
    where, version = r.stdout.split()
    assert Path(where).resolve().is_relative_to(site.resolve()), f'fastai_al was imported from {where}, not from the wheel in {site}'
    found['import'] = f'fastai_al {version} from {Path(where).parent}'
    # console scripts
    for script, says in [('fastai_al_demo', 'Compare AL strategies'), ('fastai_al_label', 'Label the images of FOLDER')]:
        r = run(bin_/script, '--help', cwd=work, env=env)
        assert says in r.stdout, f'{script} --help:\n{r.stdout[:1000]}'
        found[script] = '--help ok'
    # static files: all of the checkout's, in the installed package, served by the app
    static = sorted(p.name for p in (ROOT/'fastai_al'/'static').iterdir() if p.is_file())
    installed = sorted(p.name for p in (site/'fastai_al'/'static').iterdir()) if (site/'fastai_al'/'static').exists() else []
    assert static and installed == static, f'static files: the checkout has {static}, the installed package {installed}'
    serve = r'''
import sys, numpy as np
from pathlib import Path
from PIL import Image
from starlette.testclient import TestClient
from fastai_al.app import LabelSession, label_app
d = Path(sys.argv[1]); d.mkdir()
for k in range(2): Image.fromarray(np.full((8, 8), 80 * k, np.uint8)).save(d/f'{k}.png')
c = TestClient(label_app(LabelSession(d, classes='a,b')), base_url='http://127.0.0.1:5050')
r = c.get('/static/htmx.min.js'); print(r.status_code, r.text[:10])
'''
    r = run(py, '-c', serve, work/'folder', cwd=work, env=env)
    assert r.stdout.split('\n')[0] == '200 var htmx=f', f'the app did not serve htmx: {r.stdout[:300]} {r.stderr[-1000:]}'
    found['static'] = f'{len(installed)} file(s) ({", ".join(installed)}), served by the app'
    # MNIST: not next to the package, not downloadable: the demo says what to do
    assert not (site/'data'/'mnist').exists()
    offline = clean_env(home, no_proxy='', NO_PROXY='', **{k: REFUSE for k in ('http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY')})
    t0 = time.time()
    r = run(bin_/'fastai_al_demo', '--out', work/'demo_out', ok=False, cwd=work, env=offline)
    mnist = home/'.fastai_al'/'data'/'mnist'
    assert r.returncode == 1, f'fastai_al_demo without MNIST exited with {r.returncode}:\n{r.stderr[-3000:]}'
    assert r.stderr.startswith(f'fastai_al_demo: MNIST is not in {mnist}, and downloading it from '), r.stderr[-3000:]
    for says in [f"copy the four .gz files of a fastai_al clone's data/mnist/ into {mnist}",
                 'FASTAI_AL_DATA=/path/to/fastai_al/data fastai_al_demo', 'it saves the four files (11 MB)']:
        assert says in r.stderr, f'the message lacks {says!r}:\n{r.stderr}'
    assert 'Traceback' not in r.stderr and not (work/'demo_out').exists()
    found['no MNIST, no internet'] = f'exit 1 in {time.time() - t0:.0f}s: ' + r.stderr.strip().split('\n')[0][:100] + '…'
    return found


def check_wheel()->dict:
    "Build, install, check; what was found"
    with tempfile.TemporaryDirectory(prefix='fastai_al_wheel_') as tmp:
        tmp = Path(tmp)
        t0 = time.time()
        wheel = build_wheel(tmp/'dist')
        py = fresh_venv(tmp/'venv', wheel)
        (tmp/'home').mkdir(); (tmp/'work').mkdir()
        found = {'wheel': f'{wheel.name} ({wheel.stat().st_size // 1024} KiB), installed in a fresh venv in {time.time() - t0:.0f}s'}
        return {**found, **check(py, tmp/'home', tmp/'work')}


def test_wheel(): check_wheel()


if __name__ == '__main__':
    t0 = time.time()
    for k, v in check_wheel().items(): print(f'{k}: {v}')
    print(f'wheel checks passed in {time.time() - t0:.0f}s')
