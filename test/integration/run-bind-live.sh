#!/bin/bash
# Integration tier: `mailtopo check --live` against a real BIND 9 (issues 4 and 7),
# so the resolver and the live checks are proven against a server no one here wrote.
#   1. BIND serving the fixture zones (test/fixtures/zones, test/fixtures/live/zones):
#      the live fixtures (test/fixtures/live/*.mailtopo) give exactly what the
#      unit tier (test/unit/cli/live.test.ts) asserts against the in-test server:
#      the correct twin nothing, the faulty topology every expected MT5xx on its
#      line and column (text and json); answers over 1232 bytes (big.test) are
#      truncated over UDP and fetched over TCP (BIND's query log); REFUSED is
#      MT590 information; samples/companyabc.mailtopo gives no MT5xx.
#   2. Round trip: every sample with domains (and test/fixtures/live/roundtrip.mailtopo)
#      generated with --target bind, each
#      bind/db.<domain> checked by named-checkzone and served by a second BIND;
#      `check --live` of the sample against it gives no MT501-MT505 (nor MT509,
#      MT511, MT512, MT514, MT515), and every lookup in those zones is answered.
# Authoritative only (recursion no, notify no, no rndc), listening on a free port of
# 127.0.0.1 only; in a private network namespace when it can (root + unshare), so no
# packet can leave the machine. Every `named` is stopped by its PID on exit.
# Prints PASS/FAIL per check and a final "N passed, N failed"; exits 1 on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
T0=$(date +%s%N)
secs() { local ms=$(( ($(date +%s%N) - $1) / 1000000 )); printf "%d.%d" $((ms / 1000)) $(((ms % 1000) / 100)); }
PASSED=0; FAILED=0; PIDS=()

pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1${2:+ -- $2}"; FAILED=$((FAILED + 1)); }
check() { if eval "$2" >/dev/null 2>&1; then pass "$1"; else fail "$1" "${3:-}"; return 1; fi; }
finish() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; kill -9 "$p" 2>/dev/null; done
  PIDS=()
  [ -n "${R:-}" ] && [ -d "$R" ] && [ -z "${KEEP:-}" ] && rm -rf "$R"
}
trap finish EXIT
trap 'exit 130' INT TERM

# ---------- tools (installed from Debian when missing; needs the network, so before the namespace) ----------
if ! command -v named >/dev/null 2>&1 || ! command -v named-checkzone >/dev/null 2>&1 || ! command -v named-checkconf >/dev/null 2>&1; then
  echo "installing: bind9 bind9-utils"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1
  apt-get install -y -qq bind9 bind9-utils >/dev/null 2>&1 || apt-get install -y bind9 bind9-utils
fi
# The CLI bundle, rebuilt when the sources are newer.
if [ ! -f dist/cli.cjs ] || [ -n "$(find server/src -newer dist/cli.cjs -name '*.ts' -print -quit)" ]; then node esbuild.mjs || echo "note: esbuild failed; using the existing bundle"; fi

# ---------- a private network namespace: only its own loopback exists ----------
if [ -z "${MAILTOPO_NETNS:-}" ] && [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  trap - EXIT
  exec unshare -n bash -c 'ip link set lo up && MAILTOPO_NETNS=1 exec bash "$0"' "$0"
fi
[ -n "${MAILTOPO_NETNS:-}" ] && echo "(in a private network namespace)"

HELPER="node --import tsx $ROOT/test/integration/bind-live.ts"
MT="node $ROOT/bin/mailtopo.cjs"
R=$(mktemp -d /tmp/mailtopo-bind-live.XXXXXX); chmod 755 "$R"

check "tools: named, named-checkconf, named-checkzone, the bundled CLI" \
  'command -v named && command -v named-checkconf && command -v named-checkzone && [ -f dist/cli.cjs ]'
echo "($(named -v))"

# Run the helper, pass its PASS/FAIL lines through and count them.
helper() {
  local out st
  out=$($HELPER "$@" 2>&1); st=$?
  [ -n "$out" ] && echo "$out"
  PASSED=$((PASSED + $(grep -c '^PASS ' <<<"$out")))
  FAILED=$((FAILED + $(grep -c '^FAIL ' <<<"$out")))
  if [ "$st" -ne 0 ] && ! grep -q '^FAIL ' <<<"$out"; then fail "helper $1 exited $st"; fi
}

# named.conf for DIR, PORT, then "zone file" pairs on stdin; authoritative only.
write_conf() {
  local dir=$1 port=$2 zone file
  mkdir -p "$dir"
  {
    echo "options {"
    echo "  directory \"$dir\"; pid-file \"$dir/named.pid\"; session-keyfile \"$dir/session.key\"; managed-keys-directory \"$dir\";"
    echo "  listen-on port $port { 127.0.0.1; }; listen-on-v6 { none; };"
    echo "  recursion no; dnssec-validation no; notify no; querylog yes; max-udp-size 1232; edns-udp-size 1232;"
    echo "};"
    echo "controls { };"
    while read -r zone file; do echo "zone \"$zone\" { type primary; file \"$file\"; };"; done
  } > "$dir/named.conf"
}

# Start named on a free loopback port (a few tries: the port may be taken in between);
# sets NAMED_PORT and NAMED_PID. $1 dir, $2 a name and $3 a type it must answer.
start_named() {
  local dir=$1 name=$2 type=$3 zones=$4 try port
  for try in 1 2 3; do
    port=$($HELPER free-port) || return 1
    write_conf "$dir" "$port" < "$zones"
    if [ "$try" = 1 ]; then
      check "$(basename "$dir"): named-checkconf -z ($(wc -l < "$zones") zones)" "named-checkconf -z '$dir/named.conf'" \
        "$(named-checkconf -z "$dir/named.conf" 2>&1 | grep -v 'loaded serial' | tail -n 3)"
    fi
    named -4 -g -c "$dir/named.conf" > "$dir/named.log" 2>&1 &
    NAMED_PID=$!; PIDS+=("$NAMED_PID")
    if $HELPER wait "$port" "$name" "$type"; then NAMED_PORT=$port; return 0; fi
    kill "$NAMED_PID" 2>/dev/null; wait "$NAMED_PID" 2>/dev/null
    echo "(named on port $port did not answer: $(grep -E 'could not|failed|error' "$dir/named.log" | tail -n 2 | tr '\n' ' '))"
  done
  return 1
}

# ---------- 1. BIND serving the fixture zones ----------
FX=$R/fixtures; mkdir -p "$FX"
: > "$R/fixture-zones"
for f in test/fixtures/zones/*.zone test/fixtures/live/zones/*.zone; do
  z=$(basename "$f" .zone); src=$ROOT/$f
  if [ "$z" = test ]; then
    # test.zone names ns1.good.test as its NS; good.test is a zone of its own here (no
    # delegation), so BIND wants glue in test. too. The address is the one good.test.zone
    # publishes for ns1, and the good.test zone answers for that name: nothing visible changes.
    cp "$f" "$FX/test.zone"; printf '\nns1.good.test. 300 IN A 203.0.113.53 ; glue for BIND (added by run-bind-live.sh)\n' >> "$FX/test.zone"
    src=$FX/test.zone
  fi
  echo "$z $src" >> "$R/fixture-zones"
done
check "fixtures: named-checkzone accepts every fixture zone" \
  'while read -r z f; do named-checkzone -q "$z" "$f" || exit 1; done < "$R/fixture-zones"' \
  "$(while read -r z f; do named-checkzone "$z" "$f" >/dev/null 2>&1 || echo "$z: $(named-checkzone "$z" "$f" 2>&1 | head -n 1)"; done < "$R/fixture-zones")"
if start_named "$FX" good.test MX "$R/fixture-zones"; then
  pass "fixtures: BIND answers on 127.0.0.1:$NAMED_PORT (MX good.test)"
  t1=$(date +%s%N)
  helper fixtures "$NAMED_PORT" "$FX/named.log"
  echo "(fixture checks: $(secs "$t1") s)"
else
  fail "fixtures: BIND answers on a loopback port" "$(tail -n 5 "$FX/named.log" 2>/dev/null)"
fi

# ---------- 2. round trip: generated zones served by BIND ----------
GEN=$R/gen; RT=$R/roundtrip; mkdir -p "$GEN" "$RT"
: > "$R/rt-zones"; SAMPLES=()
# The samples, and test/fixtures/live/roundtrip.mailtopo (a null MX, an IPv6 MX target, a 1592-byte SPF record
# the generator splits into 255-byte strings, served over TCP).
for s in samples/*.mailtopo samples/*/main.mailtopo test/fixtures/live/roundtrip.mailtopo; do
  [ -f "$s" ] || continue
  name=${s#samples/}; name=${name%.mailtopo}; name=${name%/main}
  out=$($MT generate "$s" --target bind --out "$GEN/$name" 2>&1); st=$?
  if [ "$st" -ne 0 ]; then fail "round trip $s: generate --target bind" "exit $st: $(tail -n 3 <<<"$out")"; continue; fi
  zones=$(ls "$GEN/$name/bind"/db.* 2>/dev/null)
  [ -z "$zones" ] && { echo "($s: no domains, no zones)"; continue; }
  pass "round trip $s: generate --target bind ($(echo "$zones" | wc -l) zones)"
  for zf in $zones; do
    zn=${zf##*/db.}
    if grep -q "^$zn " "$R/rt-zones"; then fail "round trip $s: $zn is generated by another sample too"; continue; fi
    check "round trip $s: named-checkzone $zn" "named-checkzone '$zn' '$zf'" "$(named-checkzone "$zn" "$zf" 2>&1 | tail -n 2)" || continue
    echo "$zn $zf" >> "$R/rt-zones"
  done
  SAMPLES+=("$s")
done
# The DNSBLs they name (loopback copies of the fixture zones), so their test points answer.
for z in zen.spamhaus.org bl.spamcop.net bl.test; do
  grep -q "^$z " "$R/rt-zones" || echo "$z $ROOT/test/fixtures/zones/$z.zone" >> "$R/rt-zones"
done
if [ "${#SAMPLES[@]}" -eq 0 ]; then
  fail "round trip: samples with domains" "none generated"
else
  first=$(head -n 1 "$R/rt-zones" | cut -d' ' -f1)
  if start_named "$RT" "$first" SOA "$R/rt-zones"; then
    pass "round trip: BIND serves the generated zones on 127.0.0.1:$NAMED_PORT ($(wc -l < "$R/rt-zones") zones)"
    helper roundtrip "$NAMED_PORT" "$GEN" "$RT/named.log" "${SAMPLES[@]}"
  else
    fail "round trip: BIND serves the generated zones" "$(grep -E 'error|failed|not loaded' "$RT/named.log" 2>/dev/null | tail -n 5)"
  fi
fi

finish
echo "(run-bind-live: $(secs "$T0") s)"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
