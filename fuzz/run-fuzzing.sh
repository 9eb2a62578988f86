#!/usr/bin/env bash
# A long fuzzing session: each target in turn, 1,000,000 inputs (the @FuzzTest maxExecutions),
# new findings land in src/test/resources/.../<Test>Inputs/<method>/ and then replay in every
# plain test run. Usage: fuzz/run-fuzzing.sh [TestClass ...]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/select-jdk.sh
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(SafetensorsFuzzTest GgufFuzzTest GgufConfigFuzzTest ConfigFuzzTest ModulesFuzzTest TokenizerLoadFuzzTest TokenizerRoundTripFuzzTest RequestBodyFuzzTest)
fi
for t in "${targets[@]}"; do
  echo "=== $t"
  JAZZER_FUZZ=1 ./mvnw -B -q -o -pl fuzz,server -am test -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false 2>&1 \
    | grep -E '^#[0-9]+.*(DONE|pulse)|==|Exception|FAIL|Tests run' | tail -5
done
