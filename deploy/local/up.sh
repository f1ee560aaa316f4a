#!/usr/bin/env bash
# Builds Landslide and starts the whole system locally: a real Kafka broker (its own JVM), the schema in the
# local PostgreSQL, a writer and an edge as separate processes, a demo poll. Prints the URLs and how to vote.
# Environment (all optional): VOTING_KAFKA_PORT (9092), VOTING_HTTP_PORT (8080), VOTING_WRITER_HTTP_PORT (8081),
# VOTING_PG_HOST/PORT/DATABASE/USER/PASSWORD (127.0.0.1:5432/landslide as root), VOTING_REDIS_URI, VOTING_JWT_SECRET.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
"$root/deploy/local/ensure-services.sh"
mvn -B -q -DskipTests install
"$root/deploy/local/down.sh" >/dev/null 2>&1 || true
exec java -Dlandslide.root="$root" -cp "deploy/local/target/classes:$(cat deploy/local/target/runtime.classpath)" io.landslide.local.LocalStack up
