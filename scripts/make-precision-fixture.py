#!/usr/bin/env python3
"""Writes core/src/test/resources/precision/quantize.json.gz: random float32 vectors quantized by
numpy exactly as sentence-transformers' quantize_embeddings does (re-stated here, not imported),
so PrecisionFixtureTest can require the same bytes.

Run: python3 scripts/make-precision-fixture.py  (numpy only; seed fixed, output deterministic)."""
import gzip, json, os
import numpy as np

rng = np.random.default_rng(23)
dims = 32
calib = rng.standard_normal((50, dims)).astype(np.float32)
vecs = rng.standard_normal((12, dims)).astype(np.float32)
vecs[0, :8] = 0.0          # ties at exactly 0 are not positive
vecs[1] = calib.min(0)     # range ends
vecs[2] = calib.max(0)
vecs[3] = calib.min(0) - 1  # below and above the calibration range: clamped by our rule
vecs[4] = calib.max(0) + 1

def levels(x, lo, hi):
    steps = (hi - lo) / 255
    return (x - lo) / steps

lo, hi = calib.min(0), calib.max(0)
lv = levels(vecs, lo, hi)
# numpy's cast of an out-of-type value is undefined; gemma-embed clamps, so the fixture does too
uint8 = np.clip(np.trunc(lv), 0, 255).astype(np.uint8)
int8 = np.clip(np.trunc(lv - 128), -128, 127).astype(np.int8)
inside = (vecs >= lo) & (vecs <= hi)
assert (uint8[inside] == lv[inside].astype(np.uint8)).all()
assert (int8[inside] == (lv - 128)[inside].astype(np.int8)).all()
ubinary = np.packbits(vecs > 0).reshape(vecs.shape[0], -1)
binary = (ubinary - 128).astype(np.int8)

out = {
    "calibration": calib.tolist(),
    "vectors": vecs.tolist(),
    "int8": int8.tolist(),
    "uint8": uint8.tolist(),
    "binary": binary.tolist(),
    "ubinary": ubinary.tolist(),
}
path = os.path.join(os.path.dirname(__file__), "..", "core/src/test/resources/precision/quantize.json.gz")
with gzip.GzipFile(path, "wb", mtime=0) as f:
    f.write(json.dumps(out).encode())
