#!/usr/bin/env python3
"""Writes integration-tests/src/test/resources/token-embeddings/tiny-hidden.jsonl.gz: for the first 12 texts of
../shared/golden/tiny/golden.jsonl, their ids and the float64 reference's final-norm hidden states
(hidden_states(ids) of ../shared/tools/numpy_ref.py), the token embeddings sentence-transformers
returns for output_value="token_embeddings", stored as float32 little-endian bytes in base64.

Run: python3 scripts/make-token-embeddings-fixture.py --model DIR
where DIR is the tiny model (./gemma-embed synth --preset tiny --out DIR)."""
import argparse, base64, gzip, json, sys
from pathlib import Path

import numpy as np

root = Path(__file__).resolve().parent.parent
shared = root.parent / "shared"
sys.path.insert(0, str(shared / "tools"))
import numpy_ref  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--model", required=True, type=Path)
ap.add_argument("--texts", type=int, default=12)
args = ap.parse_args()

model = numpy_ref.EmbeddingGemma(args.model)
out = root / "integration-tests/src/test/resources/token-embeddings/tiny-hidden.jsonl.gz"
with open(shared / "golden/tiny/golden.jsonl") as f, gzip.GzipFile(out, "wb", mtime=0) as g:
    for line in list(f)[: args.texts]:
        case = json.loads(line)
        hs = model.hidden_states(case["ids"]).astype("<f4")
        g.write((json.dumps({"text": case["text"], "ids": case["ids"], "width": hs.shape[1],
                             "hidden": base64.b64encode(hs.tobytes()).decode()}) + "\n").encode())
