#!/bin/bash
# Integration tier: BIND split horizon (issue 13, item 3).
#   1. Every sample, every topology in test/fixtures/designs/ and the generate
#      fixtures, generated with --target bind: `named-checkzone -k fail` passes on
#      every public zone (bind/db.<domain>) and internal zone
#      (bind/internal/db.<domain>); no public zone holds a private address
#      (LANGUAGE.md §4); `named-checkconf -z` passes on bind/named.conf.views as
#      it is written, installed where it says (/etc/bind/mailtopo, checked in a
#      chroot made of the output: `named-checkconf -t`).
#   2. A real BIND serves the views of test/fixtures/generate/bind-views.mailtopo
#      (internal network 127.0.0.2/32) on 127.0.0.1, on a port of its own: a
#      private name is answered only to an internal source address (dig -b
#      127.0.0.2, and 127.0.0.1 = the server itself), never to 127.0.0.3;
#      public names are answered to both.
# Authoritative only, listening on 127.0.0.1 only, in a private network namespace
# when it can (root + unshare); named is stopped by its PID on exit.
# Prints PASS/FAIL per check and a final "N passed, N failed"; exits 1 on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
PASSED=0; FAILED=0; PIDS=()
pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1${2:+ -- $2}"; FAILED=$((FAILED + 1)); }
check() { if eval "$2" >/dev/null 2>&1; then pass "$1"; else fail "$1" "${3:-}"; return 1; fi; }
waitfor() { local _; for _ in $(seq 100); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; } # <= 5 s
finish() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; kill -9 "$p" 2>/dev/null; done
  PIDS=()
  [ -n "${R:-}" ] && [ -d "$R" ] && [ -z "${KEEP:-}" ] && rm -rf "$R"
}
trap finish EXIT
trap 'exit 130' INT TERM

if ! command -v named >/dev/null || ! command -v named-checkzone >/dev/null || ! command -v dig >/dev/null; then
  echo "installing: bind9 bind9-utils bind9-dnsutils"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1
  apt-get install -y -qq bind9 bind9-utils bind9-dnsutils >/dev/null 2>&1 || apt-get install -y bind9 bind9-utils bind9-dnsutils
fi
if [ ! -f dist/cli.cjs ] || [ -n "$(find server/src -newer dist/cli.cjs -name '*.ts' -print -quit)" ]; then
  node esbuild.mjs >/dev/null || echo "note: esbuild failed; using the existing bundle"
fi

# A private network namespace: only its own loopback exists, nothing can leave the machine.
if [ -z "${MAILTOPO_NETNS:-}" ] && [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  trap - EXIT
  exec unshare -n bash -c 'ip link set lo up && MAILTOPO_NETNS=1 exec bash "$0"' "$0"
fi
[ -n "${MAILTOPO_NETNS:-}" ] && echo "(in a private network namespace; $(named -v))"

MT="node $ROOT/bin/mailtopo.cjs"
R=$(mktemp -d /tmp/mailtopo-bind-views.XXXXXX); chmod 755 "$R"
BIND_DIR=/etc/bind/mailtopo   # where named.conf.views expects the bind/ folder (generate/bind.ts BIND_DIR)

# Public zones: no A/AAAA record whose address is private (the project's own reading of LANGUAGE.md §4).
PRIVATE_CHECK="node --import tsx -e '
const { isPrivateAddress: isPrivateIp } = require(\"$ROOT/server/src/core/dns/ip.ts\");
const fs = require(\"fs\"); let bad = [];
for (const f of process.argv.slice(1)) for (const l of fs.readFileSync(f, \"utf8\").split(\"\\n\")) {
  const m = /^\\S+\\s+IN\\s+(A|AAAA)\\s+(\\S+)/.exec(l); if (m && isPrivateIp(m[2])) bad.push(f + \": \" + l);
}
if (bad.length) { console.log(bad.join(\"\\n\")); process.exit(1); }'"

# ---------- 1. static checks of every sample and design ----------
SOURCES=(); VIEWS_OUT=$R/missing
for s in samples/*.mailtopo samples/*/main.mailtopo test/fixtures/designs/*.mailtopo test/fixtures/designs/*/main.mailtopo \
  test/fixtures/generate/*.mailtopo; do
  [ -f "$s" ] && SOURCES+=("$s")
done
ndesigns=$(ls test/fixtures/designs/*.mailtopo test/fixtures/designs/*/main.mailtopo 2>/dev/null | wc -l)
echo "(${#SOURCES[@]} topologies, $ndesigns of them in test/fixtures/designs)"
i=0
for s in "${SOURCES[@]}"; do
  i=$((i + 1)); out=$R/gen$i
  log=$($MT generate "$s" --target bind --out "$out" 2>&1); st=$?
  if [ "$st" -eq 1 ] && grep -q 'nothing written (--force' <<<"$log"; then
    echo "($s has errors: generated with --force)"
    log=$($MT generate "$s" --target bind --out "$out" --force 2>&1); st=$?
  fi
  if [ "$st" -ne 0 ]; then fail "$s: generate --target bind" "exit $st: $(tail -n 2 <<<"$log")"; continue; fi
  if ! ls "$out"/bind/db.* >/dev/null 2>&1; then echo "($s: no domain, no zone)"; continue; fi
  n=0; bad=""
  for z in "$out"/bind/db.* "$out"/bind/internal/db.*; do
    zn=${z##*/db.}; n=$((n + 1))
    named-checkzone -q -k fail "$zn" "$z" || bad="$bad ${z#"$out"/}: $(named-checkzone -k fail "$zn" "$z" 2>&1 | grep -v 'loaded serial' | head -n 1)"
  done
  check "$s: named-checkzone -k fail on all $n zones (public and internal)" '[ -z "$bad" ]' "$bad"
  for z in "$out"/bind/db.*; do
    [ -f "$out/bind/internal/${z##*/}" ] || fail "$s: ${z##*/} has an internal twin"
  done
  check "$s: no private address in a public zone" "$PRIVATE_CHECK $out/bind/db.*" "$(eval "$PRIVATE_CHECK $out/bind/db.*")"
  # named-checkconf -z on the views file exactly as written, with the bind/ folder installed at
  # /etc/bind/mailtopo inside a chroot (needs root); otherwise with the paths pointed at the output.
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$out/root/etc/bind" && cp -r "$out/bind" "$out/root$BIND_DIR"
    check "$s: named-checkconf -z bind/named.conf.views (installed at $BIND_DIR, chroot)" \
      "named-checkconf -t '$out/root' -z $BIND_DIR/named.conf.views" \
      "$(named-checkconf -t "$out/root" -z $BIND_DIR/named.conf.views 2>&1 | grep -v 'loaded serial' | tail -n 2)"
  else
    sed "s#\"$BIND_DIR/#\"$out/bind/#g" "$out/bind/named.conf.views" > "$out/views.conf"
    check "$s: named-checkconf -z bind/named.conf.views (paths pointed at the output)" \
      "named-checkconf -z '$out/views.conf'" "$(named-checkconf -z "$out/views.conf" 2>&1 | grep -v 'loaded serial' | tail -n 2)"
  fi
  [ "$s" = test/fixtures/generate/bind-views.mailtopo ] && VIEWS_OUT=$out
done

# ---------- 2. a real BIND serving the views ----------
D=$R/named; mkdir -p "$D"
check "bind-views.mailtopo: its ACL holds the internal network 127.0.0.2/32" "grep -qx $'\t127.0.0.2/32;\t// network lan' '$VIEWS_OUT/bind/named.conf.views'"
sed "s#\"$BIND_DIR/#\"$VIEWS_OUT/bind/#g" "$VIEWS_OUT/bind/named.conf.views" > "$D/views.conf"
start_named() {
  local port
  for port in 53053 54053 55053; do
    ss -Hlun "sport = :$port" 2>/dev/null | grep -q . && continue
    cat > "$D/named.conf" <<CONF
options {
  directory "$D"; pid-file "$D/named.pid"; session-keyfile "$D/session.key"; managed-keys-directory "$D";
  listen-on port $port { 127.0.0.1; }; listen-on-v6 { none; };
  dnssec-validation no; notify no;
};
controls { };
include "$D/views.conf";
CONF
    named -4 -g -c "$D/named.conf" > "$D/named.log" 2>&1 &
    NAMED_PID=$!; PIDS+=("$NAMED_PID")
    if waitfor "dig +time=1 +tries=1 -p $port @127.0.0.1 -b 127.0.0.3 SOA views.test | grep -q 'status: NOERROR'"; then
      PORT=$port; return 0
    fi
    kill "$NAMED_PID" 2>/dev/null; wait "$NAMED_PID" 2>/dev/null
  done
  return 1
}
check "named-checkconf -z: a named.conf that includes the generated views" "named-checkconf -z '$D/named.conf' || { cat > '$D/named.conf' <<<'include \"$D/views.conf\";'; named-checkconf -z '$D/named.conf'; }"
if start_named; then
  pass "BIND serves the generated views on 127.0.0.1:$PORT (pid $NAMED_PID)"
  q() { dig +time=2 +tries=1 -p "$PORT" @127.0.0.1 -b "$1" "$3" "$2"; }
  short() { dig +short +time=2 +tries=1 -p "$PORT" @127.0.0.1 -b "$1" "$3" "$2"; }
  check "internal source 127.0.0.2: mbx.views.test A is its private address 10.9.8.7" '[ "$(short 127.0.0.2 mbx.views.test A)" = 10.9.8.7 ]' "$(q 127.0.0.2 mbx.views.test A | grep -E 'status|IN')"
  check "internal source 127.0.0.2: mbx.views.test AAAA is fd00:9::7" '[ "$(short 127.0.0.2 mbx.views.test AAAA)" = fd00:9::7 ]'
  check "the name server itself (127.0.0.1, localhost): internal view" '[ "$(short 127.0.0.1 mbx.views.test A)" = 10.9.8.7 ]'
  check "public source 127.0.0.3: mbx.views.test is NXDOMAIN, no address" \
    'out=$(q 127.0.0.3 mbx.views.test A); grep -q "status: NXDOMAIN" <<<"$out" && ! grep -q 10.9.8.7 <<<"$out"' "$(q 127.0.0.3 mbx.views.test A | grep -E 'status|IN')"
  check "public source 127.0.0.3: no AAAA either" '! q 127.0.0.3 mbx.views.test AAAA | grep -qi fd00'
  check "public source 127.0.0.3: no recursion offered (recursion no in the public view)" '! q 127.0.0.3 views.test SOA | grep -q "flags:.* ra"'
  for src in 127.0.0.2 127.0.0.3; do
    check "source $src: MX views.test is 10 mx.views.test." '[ "$(short $src views.test MX)" = "10 mx.views.test." ]'
    check "source $src: mx.views.test A is the public 198.51.100.25" '[ "$(short $src mx.views.test A)" = 198.51.100.25 ]'
    check "source $src: the SPF TXT record" 'short $src views.test TXT | grep -q "v=spf1 ip4:198.51.100.25 -all"'
  done
  check "named.log: both views loaded the zone, no errors" \
    'grep -q "zone views.test/IN/internal: loaded" "$D/named.log" && grep -q "zone views.test/IN/public: loaded" "$D/named.log" && ! grep -v "built with" "$D/named.log" | grep -qiE "error|not loaded"' \
    "$(grep -iE 'error|loaded' "$D/named.log" | tail -n 4)"
else
  fail "BIND serves the generated views on a loopback port" "$(tail -n 5 "$D/named.log" 2>/dev/null)"
fi

finish
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
