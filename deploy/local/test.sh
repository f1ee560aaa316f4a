#!/usr/bin/env bash
# All tests: the README's test command, and what .ci/run calls. Makes sure the machine has what the tests use
# (PostgreSQL and Redis running; Debian's headless Chromium for the browser test, and its prometheus package for
# promtool), runs the Maven build (every unit
# and integration test; `install`, so the load kit's run below uses this build's artefacts), then the load kit's smoke
# run against a fresh local stack (deploy/local/load.sh: every Gatling scenario, every gate; its HTML report is copied
# to target/ci-reports/, or LANDSLIDE_REPORTS_DIR).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
"$root/deploy/local/ensure-services.sh"
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser test"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
if ! command -v promtool >/dev/null 2>&1; then
  echo "installing Debian's prometheus for promtool (the alert rules' check)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
# Where CI keeps what people look at: the load kit's report, the browser tests' screenshots.
export LANDSLIDE_REPORTS_DIR="${LANDSLIDE_REPORTS_DIR:-$root/target/ci-reports}"
mvn -B install "$@"
exec "$root/deploy/local/load.sh" --no-build
