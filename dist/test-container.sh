#!/usr/bin/env bash
# Manual check of the container image (CI has no container engine and does not run it):
#   docker build -t gemma-embed .
#   dist/test-container.sh gemma-embed MODEL_DIR [CLI]
# Runs `serve` on MODEL_DIR (mounted at /models/m) with an API key, published on 127.0.0.1 only,
# and checks: /health, 401 without the key, /embed's vector bitwise equal to CLI's `embed` (CLI:
# default ./gemma-embed), /ui and /docs load without the key, the non-root user, the HEALTHCHECK
# reaching "healthy", and a prompt `docker stop`. Prints one 'N passed, N failed' line.
set -uo pipefail
image=$1 model="$(cd "$2" && pwd)" cli=${3:-./gemma-embed}
port=${GEMMA_EMBED_TEST_PORT:-18080} key=container-test-key name=gemma-embed-test-$$
tmp="$(mktemp -d)"; trap 'docker rm -f "$name" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
passed=0 failed=0
check() {  # check NAME COMMAND...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "test-container: ok   $what"
  else failed=$((failed + 1)); echo "test-container: FAIL $what"; fi
}
url="http://127.0.0.1:$port"
docker run -d --name "$name" -p "127.0.0.1:$port:8080" -v "$model:/models/m:ro" \
  -e GEMMA_EMBED_API_KEY=$key "$image" --model /models/m > /dev/null || exit 1
started() {  # the server's own 'ready' line, within 120 s
  for _ in $(seq 1 120); do docker logs "$name" 2>&1 | grep -q ready && return 0; sleep 1; done
  docker logs "$name" >&2; return 1
}
check started started
check health bash -c "curl -sf $url/health | grep -q '\"ok\"'"
check key-required bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{\"inputs\":\"hello\"}' $url/embed)\" = 401 ]"
same_vector() {
  curl -sf -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d '{"inputs":"hello"}' "$url/embed" > "$tmp/served.json" \
    && "$cli" embed --model "$model" hello > "$tmp/cli.json" \
    && python3 - "$tmp/cli.json" "$tmp/served.json" <<'PY'
import json, struct, sys
cli = json.loads(open(sys.argv[1]).readline())["embedding"]
served = json.load(open(sys.argv[2]))[0]
pack = lambda v: [struct.pack("<f", x) for x in v]
sys.exit(0 if pack(cli) == pack(served) else 1)
PY
}
check same-vector-as-cli same_vector
check pages-without-key bash -c "curl -sf -o /dev/null $url/ui && curl -sf -o /dev/null $url/docs"
check non-root bash -c "docker exec $name id -u | grep -qx 10001"
healthy() {
  for _ in $(seq 1 90); do
    case "$(docker inspect "$name" --format '{{.State.Health.Status}}')" in
      healthy) return 0 ;; unhealthy) return 1 ;; esac
    sleep 1
  done
  return 1
}
check healthcheck healthy
stops() { timeout 10 docker stop "$name" > /dev/null; }
check stops-on-sigterm stops
echo "test-container: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
