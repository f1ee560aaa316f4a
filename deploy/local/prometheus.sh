#!/usr/bin/env bash
# Prometheus (Debian's package) for a running local stack: scrapes the edges (8080, 8082) and writers' ops ports
# (8081, 8083) every 5 s, loads deploy/monitoring/alerts.yml, and serves http://localhost:9090 so the dashboard's and
# the rules' queries can be tried against real data. Data and log in .landslide/prometheus/; Ctrl-C or
# `deploy/local/prometheus.sh stop` stops it. The job names (landslide-edge, landslide-writer) are the ones the rules
# match (LandslideProcessDown); MonitoringIT (LocalPrometheus) starts the same with a test stack's ports.
#   deploy/local/prometheus.sh [stop]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="$root/.landslide/prometheus"
mkdir -p "$dir"
if [ "${1:-}" = stop ]; then
  [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
  rm -f "$dir/pid"
  exit 0
fi
command -v prometheus >/dev/null 2>&1 || { echo "needs Debian's package 'prometheus' (apt-get install prometheus)"; exit 1; }
cat > "$dir/prometheus.yml" <<YAML
global: {scrape_interval: 5s, evaluation_interval: 5s}
rule_files: ["$root/deploy/monitoring/alerts.yml"]
scrape_configs:
  - job_name: landslide-edge
    static_configs: [{targets: ["localhost:8080", "localhost:8082"]}]
  - job_name: landslide-writer
    static_configs: [{targets: ["localhost:8081", "localhost:8083"]}]
YAML
promtool check config "$dir/prometheus.yml"
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" --web.listen-address=127.0.0.1:9090 \
  > "$dir/prometheus.log" 2>&1 &
echo $! > "$dir/pid"
echo "Prometheus on http://localhost:9090 (pid $(cat "$dir/pid"), log $dir/prometheus.log); stop: deploy/local/prometheus.sh stop"
