#!/usr/bin/env bash
# The load kit's smoke run against a fresh local stack (what the test command runs last): starts the stack with a
# per-address vote limit (VOTING_RATE_IP, default 20/40), spreads the people over eight loopback addresses
# (127.0.0.11-18: each stays under the limit, as viewers behind their own addresses do) while the flood leaves from
# 127.0.0.2 (and must be cut to the limit), runs gatling/'s ShowSimulation (every scenario, every gate), stops the stack, and exits with
# Gatling's verdict: non-zero when a gate failed. Arguments go to Maven: -Dload.<knob>=… (gatling/README.md),
# -Dgatling.simulationClass=… ; --no-build starts what the last build left instead of building first.
# The HTML report: gatling/target/gatling/<simulation>-<timestamp>/index.html (printed at the end); with
# LANDSLIDE_REPORTS_DIR set, also copied there.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
up=()
mvn_args=()
for arg in "$@"; do
  case "$arg" in
    --no-build) up=(--no-build) ;;
    *) mvn_args+=("$arg") ;;
  esac
done
export VOTING_RATE_IP="${VOTING_RATE_IP:-20/40}"
port="${VOTING_HTTP_PORT:-8080}"
"$root/deploy/local/up.sh" ${up[@]+"${up[@]}"}
trap '"$root/deploy/local/down.sh" >/dev/null 2>&1 || true' EXIT
# The stack's CPU over the run, from /proc (utime + stime, in clock ticks), to set beside the generator's own.
cpu_of() { local f="/proc/$1/stat"; [ -r "$f" ] && awk '{print $14 + $15}' "$f" || echo 0; }
declare -A cpu0
for f in .landslide/*.pid .landslide/*/*.pid; do
  [ -f "$f" ] && cpu0["$f"]="$(cpu_of "$(cat "$f")")"
done
t0="$(date +%s.%N)"
rc=0
# 127.0.0.1, not localhost: the flood binds 127.0.0.2, an IPv4 address, and must reach the edge over IPv4.
people="127.0.0.11,127.0.0.12,127.0.0.13,127.0.0.14,127.0.0.15,127.0.0.16,127.0.0.17,127.0.0.18"
mvn -B -pl gatling verify -Dgatling.run -Dload.baseUrl="http://127.0.0.1:$port" -Dload.flood.limit="$VOTING_RATE_IP" \
  -Dload.localAddresses="$people" \
  ${mvn_args[@]+"${mvn_args[@]}"} || rc=$?
t1="$(date +%s.%N)"
hz="$(getconf CLK_TCK)"
echo
echo "load kit: the local stack's CPU over the run (utime + stime from /proc):"
for f in "${!cpu0[@]}"; do
  used="$(( $(cpu_of "$(cat "$f")") - ${cpu0[$f]} ))"
  awk -v n="${f#.landslide/}" -v u="$used" -v hz="$hz" -v t0="$t0" -v t1="$t1" \
    'BEGIN { printf "load kit: %-16s %6.1f s of CPU in %.0f s (%.2f cores)\n", n, u / hz, t1 - t0, u / hz / (t1 - t0) }'
done
report="$(ls -dt gatling/target/gatling/*/ 2>/dev/null | head -1 || true)"
if [ -n "$report" ]; then
  echo "load kit: the HTML report is $root/${report}index.html"
  if [ -n "${LANDSLIDE_REPORTS_DIR:-}" ]; then
    mkdir -p "$LANDSLIDE_REPORTS_DIR" && cp -r "$report" "$LANDSLIDE_REPORTS_DIR/" && echo "load kit: copied to $LANDSLIDE_REPORTS_DIR"
  fi
fi
[ "$rc" -eq 0 ] && echo "load kit: every gate passed" || echo "load kit: a gate failed (exit $rc); see the assertions above and the report"
exit "$rc"
