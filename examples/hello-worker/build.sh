#!/usr/bin/env bash
# Compiles the example function into examples/hello-worker/build/classes, against the libraries that
# `./mvnw -B -DskipTests package` (the README's main command) copies to wci-server/target/lib
# (wci-lambda-worker, the Temporal SDK, aws-lambda-java-core, an SLF4J binding). local-lambda.yaml runs
# it from there. For your own function, build your deployment jar instead and list it in `classpath:`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lib="$here/../../wci-server/target/lib"
if ! ls "$lib"/wci-lambda-worker-*.jar >/dev/null 2>&1; then
  echo "build.sh: $lib has no wci-lambda-worker jar; run ./mvnw -B -DskipTests package at the repository root first" >&2
  exit 1
fi
rm -rf "$here/build/classes"
mkdir -p "$here/build/classes"
javac --release 17 -d "$here/build/classes" -cp "$lib/*" $(find "$here/src/main/java" -name '*.java')
echo "built $here/build/classes"
