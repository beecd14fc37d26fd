#!/usr/bin/env bash
# The integration tier: installs the Debian packages it needs (as root,
# non-interactively), then runs every test/integration/run-*.sh and sums their
# `N passed, N failed` lines. Loopback traffic only.
set -uo pipefail
cd "$(dirname "$0")/../.."
PKGS="postfix swaks haproxy bind9 bind9-utils graphviz neovim"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq $missing >/dev/null 2>&1 || apt-get install -y $missing
fi
[ -f dist/cli.cjs ] || node esbuild.mjs
P=0; F=0
for s in test/integration/run-*.sh; do
  [ -f "$s" ] || continue
  echo "=== $s"
  log=$(mktemp)
  timeout 600 bash "$s" 2>&1 | tee "$log"
  st=${PIPESTATUS[0]}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  p=$(echo "${line:-0 passed, 0 failed}" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed.*/\1/')
  f=$(echo "${line:-0 passed, 0 failed}" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed.*/\2/')
  if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "FAIL $s exited $st"; fi
  P=$((P + p)); F=$((F + f))
done
echo "$P passed, $F failed"
[ "$F" -eq 0 ]
