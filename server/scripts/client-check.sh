#!/usr/bin/env bash
# Runs the official npm clients, unmodified, against a fresh `gemma-embed serve` on the tiny
# synthetic model, and compares every vector they return with the CLI's (the library's) vectors:
#   openai                 embeddings.create (base64 default, float, dimensions), baseURL …/v1
#   ollama                 embed() and the older embeddings()
#   @huggingface/inference featureExtraction with endpointUrl = the server's root and …/embed
# Needs node and npm (and the npm registry); without node it says so and exits 0, so CI may skip
# it. Usage: server/scripts/client-check.sh   (after ./mvnw -q -DskipTests package)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "client-check: skipped: node and npm are needed to run the npm clients" >&2
  exit 0
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/gemma-embed-client-check.XXXXXX")"
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$root/gemma-embed" synth --preset tiny --out "$work/tiny" 2>/dev/null
echo "client-check: installing openai, ollama and @huggingface/inference into $work" >&2
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund openai ollama @huggingface/inference >/dev/null)
(cd "$work" && npm ls --depth=0 2>/dev/null | sed -n '1d; s/^[^ ]* /client-check: using /p') >&2

# The library's vectors for the texts the clients send: no prompt, all and 32 dimensions.
texts=("Which planet is known as the Red Planet?" "Mars, known for its reddish appearance." "Ünïcödé 東京 🚀")
"$root/gemma-embed" embed --model "$work/tiny" --format json "${texts[@]}" > "$work/expected.json"
"$root/gemma-embed" embed --model "$work/tiny" --format json --dims 32 "${texts[@]}" > "$work/expected32.json"

"$root/gemma-embed" serve --model "$work/tiny" --port 0 --model-name embeddinggemma 2> "$work/server.log" &
server_pid=$!
base=
for _ in $(seq 1 600); do
  base="$(sed -n 's/.*listening on \(http[^;]*\);.*/\1/p' "$work/server.log")"
  if [ -n "$base" ] && curl -sf "$base/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/server.log" >&2; exit 1; fi
  sleep 0.1
done
curl -sf "$base/health" >/dev/null || { echo "client-check: the server did not come up" >&2; cat "$work/server.log" >&2; exit 1; }

cat > "$work/check.mjs" <<'EOF'
import fs from "node:fs";
import OpenAI from "openai";
import { Ollama } from "ollama";
import { InferenceClient } from "@huggingface/inference";

const [base, texts] = [process.argv[2], JSON.parse(process.argv[3])];
const expected = JSON.parse(fs.readFileSync("expected.json", "utf8")).map((r) => r.embedding);
const expected32 = JSON.parse(fs.readFileSync("expected32.json", "utf8")).map((r) => r.embedding);
let failures = 0;

function compare(name, want, got) {
  let worst = Infinity;
  if (Array.isArray(got) && got.length === want.length) {
    worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
  }
  const ok = worst <= 1e-6;
  if (!ok) failures++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}: ${Array.isArray(got) ? got.length + " dims" : JSON.stringify(got)}, max |diff| ${worst}`);
}

async function check(name, fn) {
  try {
    await fn();
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e?.message ?? e}`);
  }
}

const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: "unused" });
await check("openai embeddings.create (base64, the default)", async () => {
  const r = await openai.embeddings.create({ model: "embeddinggemma", input: texts });
  r.data.forEach((d, i) => compare(`openai base64 [${i}]`, expected[i], Array.from(d.embedding)));
});
await check("openai embeddings.create float", async () => {
  const r = await openai.embeddings.create({ model: "embeddinggemma", input: texts, encoding_format: "float" });
  r.data.forEach((d, i) => compare(`openai float [${i}]`, expected[i], d.embedding));
});
await check("openai embeddings.create dimensions", async () => {
  const r = await openai.embeddings.create({ model: "embeddinggemma", input: texts[0], dimensions: 32 });
  compare("openai dimensions=32", expected32[0], Array.from(r.data[0].embedding));
});

const ollama = new Ollama({ host: base });
await check("ollama embed", async () => {
  const r = await ollama.embed({ model: "embeddinggemma", input: texts });
  r.embeddings.forEach((v, i) => compare(`ollama embed [${i}]`, expected[i], v));
});
await check("ollama embeddings (legacy)", async () => {
  const r = await ollama.embeddings({ model: "embeddinggemma", prompt: texts[0] });
  compare("ollama embeddings", expected[0], r.embedding);
});

const hf = new InferenceClient();
for (const url of [base, `${base}/embed`]) {
  await check(`hf featureExtraction endpointUrl=${url}`, async () => {
    const r = await hf.featureExtraction({ endpointUrl: url, inputs: texts });
    r.forEach((v, i) => compare(`hf featureExtraction ${url} [${i}]`, expected[i], v));
    const one = await hf.featureExtraction({ endpointUrl: url, inputs: texts[0] });
    compare(`hf featureExtraction ${url} (one string)`, expected[0], Array.isArray(one[0]) ? one[0] : one);
  });
}
console.log(failures === 0 ? "client-check: all clients agree with the library" : `client-check: ${failures} failure(s)`);
process.exit(failures === 0 ? 0 : 1);
EOF
(cd "$work" && node check.mjs "$base" "$(printf '%s\n' "${texts[@]}" | node -e 'console.log(JSON.stringify(require("fs").readFileSync(0, "utf8").trimEnd().split("\n")))')")
