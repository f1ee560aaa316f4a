#!/usr/bin/env bash
# Mints a dev token (HS256, local profile only) for a user index, optionally with the admin role.
#   deploy/local/token.sh 42          -> a voter token for user 42, valid 1 hour
#   deploy/local/token.sh 1 admin     -> an admin token, valid 15 minutes (edges refuse longer-lived admin tokens)
#   deploy/local/token.sh 2 scrutineer -> a scrutineer token (a poll's private reconciliation of its vote log)
# The secret is VOTING_JWT_SECRET, or the documented dev default. Needs only bash and openssl.
set -euo pipefail
sub="${1:?usage: token.sh <user index> [admin|scrutineer] [ttl seconds]}"
role="${2:-}"
case "$role" in admin|scrutineer) ttl="${3:-900}" ;; *) ttl="${3:-3600}" ;; esac
secret="${VOTING_JWT_SECRET:-landslide-dev-secret-do-not-use-in-production}"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header='{"alg":"HS256","typ":"JWT"}'
case "$role" in
  admin|scrutineer) roles=",\"roles\":[\"$role\"]" ;;
  '') roles='' ;;
  *) echo "token.sh: the role is admin or scrutineer, not $role" >&2; exit 2 ;;
esac
payload="{\"sub\":\"$sub\",\"iat\":$now,\"exp\":$((now + ttl))$roles}"
unsigned="$(printf '%s' "$header" | b64url).$(printf '%s' "$payload" | b64url)"
sig=$(printf '%s' "$unsigned" | openssl dgst -sha256 -hmac "$secret" -binary | b64url)
printf '%s.%s\n' "$unsigned" "$sig"
