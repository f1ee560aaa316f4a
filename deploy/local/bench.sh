#!/usr/bin/env bash
# The benchmarks behind docs/benchmarks.md (their code: deploy/bench, in no production artefact): starts its own stack (ports 18080/18081/19092, database
# landslide_bench), measures the edge, end-to-end completion, a writer backlog drain and CPU per process.
#   deploy/local/bench.sh [votes=300000] [concurrency=256] [backlog=1000000] [warmup=200000]
# The live-results benchmark (vote to screen, many WebSocket spectators on one edge):
#   deploy/local/bench.sh live [votes=300000] [spectators=10000] [concurrency=256] [warmup=200000]
# The CPU each bot defence costs a vote (no stack needed):
#   deploy/local/bench.sh defences [operations per step=100000]
# The edge's accepted votes/s with every defence on, next to the plain path, in one run:
#   deploy/local/bench.sh defended [votes=200000] [concurrency=256] [warmup=100000] [difficulty=8]
# The production shape (3 brokers, a Redis Cluster, 2 edges, 2 writers) next to the single node, and its faults
# (leader broker killed at a steady rate, a writer killed and restarted, an edge drained):
#   deploy/local/bench.sh cluster [votes=100000] [concurrency=256] [warmup=50000] [rate=5000] [seconds=20]
# The CPU the verifiable vote log costs a vote (entry, leaf, append; per batch, per second, per check; no stack needed):
#   deploy/local/bench.sh log [votes=1000000]
# The edge's accepted votes/s now next to an earlier commit's edge (default: before issue 11's checks), in one run:
#   [BEFORE_REV=<commit>] deploy/local/bench.sh checks [votes=200000] [concurrency=256] [rounds=2] [warmup=100000]
# The writer's backlog drain with the vote log next to without it, in one run (polls alternated, the log checked):
#   deploy/local/bench.sh drain [backlog=500000] [rounds=2] [warmup=100000] [cold|warm: one writer process paused and resumed]
# The writer's batches (its BatchWriter on PostgreSQL, records built in memory, no Kafka) with the vote log next to without it:
#   deploy/local/bench.sh batch [votes=500000] [rounds=6] [consumers=2] [batch=5000]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
"$root/deploy/local/ensure-services.sh"
main=io.landslide.bench.VoteBench
if [ "${1:-}" = live ]; then main=io.landslide.bench.LiveBench; shift; fi
module=deploy/bench
if [ "${1:-}" = defences ]; then main=io.landslide.bench.DefenceBench; shift; fi
if [ "${1:-}" = defended ]; then main=io.landslide.bench.DefendedBench; shift; fi
if [ "${1:-}" = cluster ]; then main=io.landslide.bench.ClusterBench; shift; fi
if [ "${1:-}" = log ]; then main=io.landslide.bench.LogBench; shift; fi
if [ "${1:-}" = drain ]; then main=io.landslide.bench.DrainBench; shift; fi
if [ "${1:-}" = batch ]; then main=io.landslide.bench.BatchBench; shift; fi
if [ "${1:-}" = checks ]; then
  # The edge of an earlier commit (default: the one before issue 11's checks), built apart in a worktree of its own
  # (never installed: this tree's artefacts stay the ones in ~/.m2), runs beside this tree's.
  main=io.landslide.bench.ChecksBench; shift
  rev="${BEFORE_REV:-4f4d200^}"
  before="${TMPDIR:-/tmp}/landslide-before-$(git rev-parse --short "$rev")"
  if [ ! -f "$before/edge-verticles/target/runtime.classpath" ]; then
    rm -rf "$before"; git worktree prune
    git worktree add --detach -q "$before" "$rev"
    (cd "$before" && mvn -B -q -DskipTests package -pl edge-verticles -am)
  fi
  set -- "$before" "$@"
fi
mvn -B -q -DskipTests install
exec java -Xms512m -Xmx2g -Dlandslide.root="$root" -cp "$module/target/classes:$(cat "$module/target/runtime.classpath")" \
  "$main" "$@"
