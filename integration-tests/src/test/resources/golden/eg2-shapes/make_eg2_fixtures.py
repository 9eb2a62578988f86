#!/usr/bin/env python3
"""Makes the EG2 fixtures of integration-tests/src/test/resources/golden/eg2-shapes (dev time only).

For each shape below: writes the checkpoint with shared/tools/eg2/make_synthetic_eg2.py (its PRESETS
extended by this file's shapes, nothing else changed), runs shared/tools/eg2/eg2_numpy_ref.py's
float64 forward pass on every case's ids, and writes <shape>.jsonl.gz (input_ids, embedding,
matryoshka). "bf16" is the tiny preset written with --dtype bfloat16: the reference then runs on
the BF16 weights.

  python3 make_eg2_fixtures.py --shared ../../../../../../../shared --work /tmp/eg2-fixtures

Cases: the input_ids of shared/golden/eg2-tiny/golden.jsonl, plus both 660-token texts joined
(content ids only, one <bos> ... <eos>) for a sequence of ~1,300 tokens.
"""
import argparse
import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

SHAPES = {
    # hidden != heads * head_dim, 3 query heads sharing 3 / 1 kv heads, 13 layers (global 5, 11, 12)
    "wide13": dict(seed=77, hidden=96, layers=13, heads=3, kv_heads=3, head_dim=16,
                   full_kv_heads=1, full_head_dim=48, intermediate=160, ple_dim=24,
                   embedding_dim=768, sliding_window=16),
    # 4 heads over 2 kv heads on sliding layers, global head_dim 4x the sliding one, 8 layers (global 5, 7)
    "gqa8": dict(seed=5, hidden=48, layers=8, heads=4, kv_heads=2, head_dim=8,
                 full_kv_heads=2, full_head_dim=32, intermediate=64, ple_dim=8,
                 embedding_dim=768, sliding_window=3),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    here = Path(__file__).resolve().parent
    eg2 = args.shared / "tools" / "eg2"
    sys.path.insert(0, str(eg2))
    sys.path.insert(0, str(eg2.parent))
    import make_synthetic_eg2 as writer
    import eg2_numpy_ref as ref

    golden = [json.loads(l) for l in open(args.shared / "golden" / "eg2-tiny" / "golden.jsonl", encoding="utf-8")]
    cases = [g["input_ids"] for g in golden]
    long_texts = [g["input_ids"] for g in golden if g["n_tokens"] >= 600]
    cases.append([2] + long_texts[0][1:-1] + long_texts[1][1:-1] + [1])

    writer.PRESETS.update(SHAPES)
    jobs = {name: ["--preset", name] for name in SHAPES}
    jobs["bf16"] = ["--preset", "tiny", "--dtype", "bfloat16"]
    for name, flags in jobs.items():
        if args.only and name not in args.only:
            continue
        out = args.work / name
        sys.argv = ["make_synthetic_eg2.py", "--out", str(out)] + flags
        writer.main()
        model = ref.EmbeddingGemma2(out)
        with gzip.open(here / f"{name}.jsonl.gz", "wt", encoding="utf-8") as f:
            for ids in cases:
                e = model.embed_ids(ids)
                m = {str(d): [float(v) for v in ref.truncate(e, d)] for d in (512, 256, 128)}
                f.write(json.dumps({"input_ids": ids, "n_tokens": len(ids), "embedding": [float(v) for v in e],
                                    "matryoshka": m}) + "\n")
        print(name, len(cases), "cases", flush=True)


if __name__ == "__main__":
    main()
