#!/usr/bin/env bash
# An auditor's export of a poll (docs/audit.md): downloads the poll's audit bundle from a running edge (the admin
# endpoint GET /api/v1/admin/polls/<id>/audit/bundle: entries, checkpoints, signed result, admin actions, manifest),
# unpacks it into a new directory, and checks it with the offline verifier.
#   deploy/local/export.sh <poll id> <directory> [--url http://localhost:8080] [--reconciliation <file>] [--no-verify]
# --reconciliation also writes the scrutineer's private reconciliation (user_id,leaf of every counted vote) to <file>,
# readable by its owner only: it ties the log to the accounts, and is never part of the bundle.
# Tokens: VOTING_ADMIN_TOKEN and VOTING_SCRUTINEER_TOKEN, else dev tokens minted with token.sh (local profile only).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
usage() { echo "usage: export.sh <poll id> <directory> [--url <edge>] [--reconciliation <file>] [--no-verify]" >&2; exit 2; }
[ $# -ge 2 ] || usage
poll="$1"; dir="$2"; shift 2
url="http://localhost:8080"; reconciliation=""; verify=1
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url="${2:?}"; shift 2 ;;
    --reconciliation) reconciliation="${2:?}"; shift 2 ;;
    --no-verify) verify=0; shift ;;
    *) usage ;;
  esac
done
[[ "$poll" =~ ^[0-9]+$ ]] || { echo "export.sh: the poll id is a number, not $poll" >&2; exit 2; }
if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then echo "export.sh: $dir is not empty" >&2; exit 2; fi
mkdir -p "$dir"
admin="${VOTING_ADMIN_TOKEN:-$("$root/deploy/local/token.sh" 1 admin 300)}"
curl -fsS -H "Authorization: Bearer $admin" "$url/api/v1/admin/polls/$poll/audit/bundle" | tar -x -C "$dir"
echo "bundle of poll $poll in $dir: $(wc -c < "$dir/entries") bytes of entries, $(ls "$dir/checkpoints" 2>/dev/null | wc -l) checkpoints$([ -f "$dir/result" ] && echo ", the signed result" || echo ", no signed result yet (the poll is not sealed)")"
if [ -n "$reconciliation" ]; then
  scrutineer="${VOTING_SCRUTINEER_TOKEN:-$("$root/deploy/local/token.sh" 2 scrutineer 300)}"
  (umask 077 && curl -fsS -H "Authorization: Bearer $scrutineer" "$url/api/v1/admin/polls/$poll/audit/reconciliation" > "$reconciliation")
  echo "reconciliation (scrutineer only) in $reconciliation: $(($(wc -l < "$reconciliation") - 1)) votes"
fi
if [ "$verify" = 1 ]; then
  jar="$root/deploy/verifier/target/landslide-verifier-0.1.0.jar"
  [ -f "$jar" ] || mvn -B -q -f "$root/pom.xml" -pl deploy/verifier -am package -DskipTests
  exec java -jar "$jar" "$dir"
fi
