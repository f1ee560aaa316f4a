#!/usr/bin/env bash
# The load kit's smoke run (what the test command runs last) against a stack of its own, started fresh and stopped
# after: .landslide-load/, edge on 18180, writer ops on 18181, its own Kafka broker on 19192 (topic votes.load), its
# own database landslide_load (so its own Redis keys) in the local PostgreSQL and Redis. A stack that
# deploy/local/up.sh started keeps running, untouched. The stack gets a
# per-address vote limit (VOTING_RATE_IP, default 20/40); the people's virtual users leave from eight loopback
# addresses (127.0.0.11-18: each stays under the limit, as viewers behind their own addresses do) while the flood
# leaves from 127.0.0.2 (and must be cut to the limit). Runs gatling/'s ShowSimulation (every scenario, every gate)
# and exits with Gatling's verdict: non-zero when a gate failed. Arguments go to Maven: -Dload.<knob>=…
# (gatling/README.md), -Dgatling.simulationClass=… ; --no-build starts what the last build left instead of building.
# The HTML report: gatling/target/gatling/<simulation>-<timestamp>/index.html (printed at the end); with
# LANDSLIDE_REPORTS_DIR set, also copied there.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
build=1
mvn_args=()
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    *) mvn_args+=("$arg") ;;
  esac
done
export VOTING_RATE_IP="${VOTING_RATE_IP:-20/40}"
port=18180
"$root/deploy/local/ensure-services.sh"
if [ "$build" -eq 1 ]; then mvn -B -q -DskipTests install; fi
stack() { java -Dlandslide.root="$root" -cp "deploy/local/target/classes:$(cat deploy/local/target/runtime.classpath)" io.landslide.local.LocalStack "$@"; }
stack down --load >/dev/null 2>&1 || true
stack up --load
trap 'stack down --load >/dev/null 2>&1 || true' EXIT
# The stack's CPU over the run, from /proc (utime + stime, in clock ticks), to set beside the generator's own.
cpu_of() { local f="/proc/$1/stat"; [ -r "$f" ] && awk '{print $14 + $15}' "$f" || echo 0; }
declare -A cpu0
for f in .landslide-load/*.pid .landslide-load/*/*.pid; do
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
  awk -v n="${f#.landslide-load/}" -v u="$used" -v hz="$hz" -v t0="$t0" -v t1="$t1" \
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
