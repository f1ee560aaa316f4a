#!/usr/bin/env bash
# Builds Landslide and starts the whole system locally: a real Kafka broker (its own JVM), the schema in the
# local PostgreSQL, a writer and an edge as separate processes, a demo poll. Prints the URLs and how to vote.
# Environment (all optional): VOTING_KAFKA_PORT (9092), VOTING_HTTP_PORT (8080), VOTING_WRITER_HTTP_PORT (8081),
# VOTING_PG_HOST/PORT/DATABASE/USER/PASSWORD (127.0.0.1:5432/landslide as root), VOTING_REDIS_URI, VOTING_JWT_SECRET.
#
# --cluster: the production shape instead, in .landslide-cluster/: three Kafka brokers (votes topic at replication
# factor 3, min.insync.replicas=2), a Redis Cluster (3 masters + 3 replicas, its own redis-server processes), the
# schema in the database landslide_cluster (unless VOTING_PG_DATABASE), two writers (ops on 8081, 8083) and two
# edges (8080, 8082) in one Hazelcast cluster, heaps of 384 MiB (VOTING_JVM_OPTS); prints what it all costs.
# Second ports: VOTING_HTTP_PORT_2, VOTING_WRITER_HTTP_PORT_2.
#
# --no-build: start what the last build left, without building first.
set -euo pipefail
mode=()
build=1
for arg in "$@"; do
  case "$arg" in
    --cluster) mode=(--cluster) ;;
    --no-build) build=0 ;;
    *) echo "usage: $0 [--cluster] [--no-build]" >&2; exit 2 ;;
  esac
done
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
"$root/deploy/local/ensure-services.sh"
if [ "$build" -eq 1 ]; then mvn -B -q -DskipTests install; fi
"$root/deploy/local/down.sh" >/dev/null 2>&1 || true
exec java -Dlandslide.root="$root" -cp "deploy/local/target/classes:$(cat deploy/local/target/runtime.classpath)" io.landslide.local.LocalStack up ${mode[@]+"${mode[@]}"}
