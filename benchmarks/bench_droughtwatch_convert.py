"""Peak memory of the DroughtWatch TFRecord → HDF5 conversion for several record counts.

Writes DroughtWatch-shaped TFRecord sets (11 bands of 65×65 uint8 + int64 label per record, 2,000 records per
`part-r-*` file, 90 % train / 10 % val, zipped without compression like a download) under `--workdir`, converts
each in a fresh process and reports that process's peak RSS, next to the peak RSS of a process that only imports
the module. Flat memory: the peak does not grow with the number of records.

    python benchmarks/bench_droughtwatch_convert.py --sizes 5000,20000
"""
import json, shutil, subprocess, sys, time, zipfile
from pathlib import Path
import numpy as np
from fastcore.script import call_parse

# Peak RSS is read from VmHWM: getrusage's ru_maxrss survives exec on Linux, so a child would report the
# parent's peak (here: the parent that generated the records) whenever that is larger.
CHILD = """
import json, re, sys, time
from fastai_al.data.droughtwatch import tfrecords_to_hdf5
t = time.perf_counter()
if sys.argv[1] != '-': tfrecords_to_hdf5(sys.argv[1], sys.argv[2], chunk_size=int(sys.argv[3]), progress=False)
hwm_kb = int(re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1))
print(json.dumps(dict(seconds=time.perf_counter() - t, peak_rss_mb=hwm_kb / 1024)))
"""

def make_set(dest:Path, n:int, per_file:int=2000, seed:int=0)->Path:
    "A zip of DroughtWatch-schema TFRecords holding `n` records"
    from fastai_al.data.droughtwatch import write_droughtwatch_tfrecord, DW_SIZE
    rng, src = np.random.default_rng(seed), dest.with_suffix('')
    n_val = n // 10
    for split, total in (('train', n - n_val), ('val', n_val)):
        for k, start in enumerate(range(0, total, per_file)):
            m = min(per_file, total - start)
            # smooth fields plus noise, so gzip has realistic work to do
            base = rng.integers(20, 200, (m, 1, 1, 11), dtype=np.int16)
            ims = np.clip(base + rng.integers(-20, 20, (m, DW_SIZE, DW_SIZE, 11), dtype=np.int16), 0, 255).astype(np.uint8)
            write_droughtwatch_tfrecord(src/'droughtwatch_data'/split/f'part-r-{k:05d}', ims, rng.choice(4, m, p=[.6, .15, .15, .1]))
    with zipfile.ZipFile(dest, 'w', zipfile.ZIP_STORED) as z:
        for p in sorted(src.rglob('part-*')): z.write(p, p.relative_to(src))
    shutil.rmtree(src)
    return dest

def run_child(*args)->dict:
    out = subprocess.run([sys.executable, '-c', CHILD, *map(str, args)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    return json.loads(out.stdout.strip().splitlines()[-1])

@call_parse
def main(sizes:str='5000,20000', # Record counts to convert, comma-separated
         workdir:str='/tmp/dw_convert_bench', # Where the TFRecord zips and HDF5 files go (removed at the end)
         chunk_size:int=256, # `tfrecords_to_hdf5` chunk size
         keep:bool=False, # Keep the generated files
        ):
    work = Path(workdir); work.mkdir(parents=True, exist_ok=True)
    base = run_child('-', '-', chunk_size)
    print(f"import only: peak RSS {base['peak_rss_mb']:.0f} MB")
    rows = []
    try:
        for n in map(int, sizes.split(',')):
            t = time.perf_counter(); z = make_set(work/f'dw_{n}.zip', n)
            gen_s, zip_mb = time.perf_counter() - t, z.stat().st_size / 2**20
            r = run_child(z, work/f'dw_{n}.h5', chunk_size)
            h5_mb = (work/f'dw_{n}.h5').stat().st_size / 2**20
            rows.append((n, r['peak_rss_mb'], r['seconds']))
            print(f"{n:>7} records: zip {zip_mb:6.0f} MB (written in {gen_s:.0f} s) → HDF5 {h5_mb:6.0f} MB in {r['seconds']:.0f} s; "
                  f"peak RSS {r['peak_rss_mb']:.0f} MB ({r['peak_rss_mb'] - base['peak_rss_mb']:.0f} MB above import)")
            if not keep: (work/f'dw_{n}.zip').unlink(); (work/f'dw_{n}.h5').unlink()
    finally:
        if not keep: shutil.rmtree(work, ignore_errors=True)
    if len(rows) > 1:
        (n0, p0, _), (n1, p1, _) = rows[0], rows[-1]
        print(f"records ×{n1/n0:.1f} → peak RSS ×{p1/p0:.2f}; growth {p1 - p0:+.0f} MB")
