#!/usr/bin/env bash
# Stops what deploy/local/up.sh started (edge, writer, Kafka broker), and what up.sh --cluster started (edges,
# writers, the three brokers, the Redis Cluster's nodes), and a load kit stack left behind (.landslide-load/).
# Data stays (Redis Cluster keeps nothing).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
[ -f deploy/local/target/runtime.classpath ] || { echo "nothing built, nothing to stop"; exit 0; }
exec java -Dlandslide.root="$root" -cp "deploy/local/target/classes:$(cat deploy/local/target/runtime.classpath)" io.landslide.local.LocalStack down
