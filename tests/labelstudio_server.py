"""A real Label Studio for the `slow` tests of nbs/54_labelstudio_client and nbs/55_labelstudio_backend.

Label Studio (about 1 GB) stays out of fastai_al's dependencies: install it in a virtual environment of its own
(`python3 -m venv ~/lsvenv && ~/lsvenv/bin/pip install label-studio==1.23.2`) and set
`FASTAI_AL_LABEL_STUDIO=~/lsvenv/bin/label-studio` (or put `label-studio` on PATH). Without it the tests that need it
print one line and are skipped; with `FASTAI_AL_REQUIRE_LABEL_STUDIO=1` (CI) they fail instead.
"""
import atexit, os, shutil, signal, socket, subprocess, tempfile, time
from pathlib import Path
import httpx

def label_studio_exe():
    "The `label-studio` command: `$FASTAI_AL_LABEL_STUDIO`, else the one on PATH; None when there is none"
    exe = os.environ.get('FASTAI_AL_LABEL_STUDIO') or shutil.which('label-studio')
    return exe if exe and Path(exe).expanduser().exists() else None

def skip_rest_without_label_studio(what:str, cleanup=None):
    "In a notebook: the `label-studio` command, or one printed line, `cleanup()`, and none of the notebook's later cells run"
    exe = label_studio_exe()
    if exe: return exe
    msg = f"label-studio not found ($FASTAI_AL_LABEL_STUDIO or PATH): {what} skipped"
    if os.environ.get('FASTAI_AL_REQUIRE_LABEL_STUDIO'): raise RuntimeError(f"{msg}, but $FASTAI_AL_REQUIRE_LABEL_STUDIO is set")
    print(msg)
    if cleanup is not None: cleanup()
    from IPython import get_ipython
    get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\n'])  # every later cell becomes `pass`

def _free_port()->int:
    with socket.socket() as so:
        so.bind(('127.0.0.1', 0)); return so.getsockname()[1]

class LabelStudioServer:
    "Label Studio on a free loopback port (`--internal-host 127.0.0.1`), its data in a temporary folder, serving the files under `root`"
    def __init__(self, exe, root, user='annotator@example.com', password='a-long-passw0rd', timeout=1200):
        self.exe, self.root, self.user, self.password, self.timeout = str(Path(exe).expanduser()), Path(root).resolve(), user, password, timeout
        self.proc, self.data = None, Path(tempfile.mkdtemp(prefix='fastai_al_ls_'))

    def start(self):
        self.port = _free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        env = {**os.environ, 'LABEL_STUDIO_BASE_DATA_DIR': str(self.data), 'LATEST_VERSION_CHECK': 'false', 'PYTHONUNBUFFERED': '1',
               'LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED': 'true', 'LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT': str(self.root),
               # an ML backend and its webhook on this machine (127.0.0.1) are refused unless these are off
               'ML_BLOCK_LOCAL_IP': 'false', 'SSRF_PROTECTION_ENABLED': 'false'}
        env.pop('PYTHONPATH', None)
        t0 = time.time()
        self.proc = subprocess.Popen([self.exe, 'start', '--no-browser', '--internal-host', '127.0.0.1', '--port', str(self.port),
                                      '--username', self.user, '--password', self.password],
                                     stdout=open(self.data/'ls.log', 'w'), stderr=subprocess.STDOUT, env=env)
        atexit.register(self.stop)  # a test that fails before its `stop()` leaves no server behind
        while True:
            if self.proc.poll() is not None: raise RuntimeError(f"Label Studio exited: {(self.data/'ls.log').read_text()[-2000:]}")
            try:
                if httpx.get(self.url + '/health', timeout=5).status_code == 200: break
            except httpx.HTTPError: pass
            if time.time() - t0 > self.timeout: self.stop(); raise TimeoutError(f"Label Studio not up after {self.timeout}s")
            time.sleep(2)
        self.start_seconds = time.time() - t0
        return self

    def personal_access_token(self)->str:
        "Log in as a person would and create a personal access token (Account & Settings → Personal Access Token)"
        s = httpx.Client(base_url=self.url, timeout=120)
        s.get('/user/login/')
        r = s.post('/user/login/', data=dict(email=self.user, password=self.password, csrfmiddlewaretoken=s.cookies['csrftoken']),
                   headers={'Referer': self.url + '/user/login/'})
        assert r.status_code == 302, r.text[:300]
        r = s.post('/api/token/', headers={'X-CSRFToken': s.cookies['csrftoken'], 'Referer': self.url + '/'})
        assert r.status_code == 201, r.text[:300]
        return r.json()['token']

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try: self.proc.wait(60)
            except subprocess.TimeoutExpired: self.proc.kill(); self.proc.wait()
        shutil.rmtree(self.data, ignore_errors=True)
