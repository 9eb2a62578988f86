#!/usr/bin/env bash
# Formats every Java file of the build with google-java-format (the one formatter; `verify` checks it).
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./mvnw -q -B -pl '!bom' com.diffplug.spotless:spotless-maven-plugin:apply "$@"
