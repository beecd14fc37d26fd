#!/bin/bash
# Integration tier of `mailtopo generate`: the real tools judge the generated
# configuration, then real mail software runs it on loopback.
#   1. every sample (samples/*.mailtopo, samples/*/main.mailtopo) and the e2e
#      fixture generated with --target all: `postconf -c DIR -n` prints nothing
#      on stderr for every gateway, postmap reads every table, `haproxy -dW -c`
#      passes, `named-checkzone` passes for every zone, `dot -Tsvg` renders,
#      model.json parses, the Exchange scripts' quotes balance;
#   2. end to end (test/fixtures/generate/e2e.mailtopo): Postfix started with
#      the generated gateway configuration (listening on 127.0.0.1:2525, its
#      next hop an SMTP sink on 127.0.0.1:2626) and swaks prove: accepted-domain
#      mail arrives at the next hop, relay from 127.0.0.1 is denied with
#      554 5.7.1 ... Relay access denied, relay from 127.0.0.2 (the allowed
#      network) is accepted, relay from 127.0.0.3 (allowed, but a deny rule
#      comes first) is denied; HAProxy with the generated pool in front of two
#      sinks balances, and with one sink stopped mail still goes through;
#   3. DNSBL: the gateway's reject_rbl_client refuses a client listed in a
#      test zone served by a real BIND on 127.0.0.1:53;
#   4. round trip: the generated zone of companyabc.com served by that BIND
#      gives `mailtopo check --live` no MT502-MT505.
# It runs in a private network namespace (unshare -n -m) when it can, so no
# packet can leave the machine.
# Loopback only. Everything started here is stopped by PID at the end.
# Prints PASS/FAIL per check and a final "N passed, N failed"; exits 1 on any failure.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
T0=$(date +%s)
PASSED=0; FAILED=0; PIDS=()
exec 3>&1

# ---------- tools (installed from Debian when missing; needs the network, so before the namespace) ----------
need=""
for c in postconf:postfix swaks:swaks haproxy:haproxy named:bind9 named-checkzone:bind9-utils dig:bind9-dnsutils dot:graphviz; do
  command -v "${c%%:*}" >/dev/null 2>&1 || need="$need ${c#*:}"
done
if [ -n "$need" ]; then
  echo "installing:$need"
  apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix swaks haproxy bind9 bind9-utils bind9-dnsutils graphviz >/dev/null 2>&1 \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y postfix swaks haproxy bind9 bind9-utils bind9-dnsutils graphviz
fi
# The CLI bundle, rebuilt when the sources are newer (a failed rebuild keeps the old bundle).
if [ ! -f dist/cli.cjs ] || [ -n "$(find server/src -newer dist/cli.cjs -name '*.ts' -print -quit)" ]; then node esbuild.mjs || echo "note: esbuild failed; using the existing bundle"; fi
# MAILTOPO_CLI_ENTRY=1: the bundle runs main() even when loaded by the bin launcher.
MT="env MAILTOPO_CLI_ENTRY=1 node $ROOT/bin/mailtopo.cjs"
# The rest runs in a private network namespace (only its own loopback exists,
# so nothing can leave the machine and port 53 is free for the test BIND) and a
# private mount namespace (for Postfix's resolv.conf).
if [ -z "${MAILTOPO_NETNS:-}" ] && [ "$(id -u)" = 0 ] && unshare -n -m true 2>/dev/null; then
  exec unshare -n -m bash -c 'ip link set lo up && MAILTOPO_NETNS=1 exec bash "$0"' "$0"
fi
NETNS=${MAILTOPO_NETNS:-}

pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1${2:+ -- $2}"; FAILED=$((FAILED + 1)); }
check() { if eval "$2" >/dev/null 2>&1; then pass "$1"; else fail "$1" "${3:-}"; fi; }
waitfor() { local i; for i in $(seq 100); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; } # <= 5 s
stop_pids() {
  local p
  for p in "$@"; do kill "$p" 2>/dev/null; done
  for p in "$@"; do waitfor "! kill -0 $p" || kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  return 0
}
R=$(mktemp -d /tmp/mailtopo-gen.XXXXXX); chmod 755 "$R"
PF=$R/pf
cleanup() {
  exec >&3 2>&3
  local MP
  MP=$(tr -d ' ' 2>/dev/null < "$PF/queue/pid/master.pid")
  if [ -n "$MP" ] && [ "$(cat /proc/"$MP"/comm 2>/dev/null)" = master ]; then PIDS+=("$MP"); fi
  [ ${#PIDS[@]} -gt 0 ] && stop_pids "${PIDS[@]}"
  echo "stopped ${#PIDS[@]} processes; leftover listeners on test ports: $(ss -Hltn 2>/dev/null | grep -cE ':(2525|2626|2727|2801|2802|53|5353) ')"
  [ -n "${KEEP:-}" ] || rm -rf "$R"
  echo "generate tier: $(( $(date +%s) - T0 ))s"
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ] || exit 1
  exit 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check "tools: postconf, postmap, swaks, haproxy, named, named-checkzone, dig, dot, smtp-server" \
  'command -v postconf && command -v postmap && command -v swaks && command -v haproxy && command -v named && command -v named-checkzone && command -v dig && command -v dot && [ -f node_modules/smtp-server/package.json ]'

# ---------- 1. static: every sample with --target all ----------
GEN=$R/gen
SOURCES=(samples/*.mailtopo samples/*/main.mailtopo test/fixtures/generate/*.mailtopo)
for f in "${SOURCES[@]}"; do
  [ -f "$f" ] || continue
  name=$(echo "${f%.mailtopo}" | sed 's#^samples/##; s#^test/fixtures/generate/##; s#/#_#g')
  out=$GEN/$name
  if $MT generate "$f" --target all --out "$out" > "$R/gen-$name.log" 2>&1; then pass "$name: generate --target all"; else fail "$name: generate --target all" "$(tail -n 3 "$R/gen-$name.log")"; continue; fi
  for d in "$out"/postfix/*/; do
    [ -d "$d" ] || continue
    gw=$(basename "$d")
    err=$(postconf -c "$d" -n 2>&1 >/dev/null); st=$?
    if [ $st -eq 0 ] && [ -z "$err" ]; then pass "$name: postconf -c postfix/$gw -n, no warning"; else fail "$name: postconf -c postfix/$gw -n, no warning" "$err"; fi
    merr=""
    for m in "$d"*; do
      case "$(basename "$m")" in
        main.cf|master.cf) continue ;;
        *.cidr) e=$(postmap -q 10.1.2.3 "cidr:$m" 2>&1 >/dev/null) ;;
        mime_header_checks) e=$(postmap -q 'Content-Disposition: attachment; filename="a.pdf"' "regexp:$m" 2>&1 >/dev/null) ;;
        *) e=$(postmap -q no-such-domain.example "texthash:$m" 2>&1 >/dev/null) ;;
      esac
      [ -n "$e" ] && merr="$merr $(basename "$m"): $e"
    done
    if [ -z "$merr" ]; then pass "$name: postmap reads every table of postfix/$gw"; else fail "$name: postmap reads every table of postfix/$gw" "$merr"; fi
  done
  haspool=$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); process.stdout.write(j.nodes.some((n)=>n.kind==="pool"&&n.vip&&n.mode!=="round-robin")?"1":"0")' "$out/model.json" 2>/dev/null)
  if [ "$haspool" = 1 ]; then
    check "$name: haproxy -dW -c -f haproxy/haproxy.cfg" "haproxy -dW -c -f '$out/haproxy/haproxy.cfg'" "$(haproxy -dW -c -f "$out/haproxy/haproxy.cfg" 2>&1 | tail -n 3)"
  else
    check "$name: no pool with a vip, no haproxy.cfg" "[ ! -e '$out/haproxy/haproxy.cfg' ]"
  fi
  for z in "$out"/bind/db.*; do
    [ -f "$z" ] || { fail "$name: a zone per domain" "no bind/db.* file"; break; }
    zn=${z##*/db.}
    check "$name: named-checkzone $zn" "named-checkzone '$zn' '$z'" "$(named-checkzone "$zn" "$z" 2>&1 | tail -n 2)"
  done
  check "$name: dot -Tsvg diagram/topology.dot" "dot -Tsvg '$out/diagram/topology.dot' | grep -q '</svg>'"
  check "$name: topology.svg rendered, starts with the mailtopo comment" "head -c 200 '$out/diagram/topology.svg' | grep -q '^<!-- Generated by mailtopo' && grep -q '</svg>' '$out/diagram/topology.svg'"
  check "$name: topology.mmd is a mermaid flowchart" "grep -q '^flowchart LR' '$out/diagram/topology.mmd'"
  check "$name: model.json parses (generatedBy mailtopo)" "node -e 'const j=JSON.parse(require(\"fs\").readFileSync(process.argv[1],\"utf8\")); if (j.generatedBy!==\"mailtopo\"||!Array.isArray(j.nodes)) process.exit(1)' '$out/model.json'"
  if ls "$out"/exchange/*.ps1 >/dev/null 2>&1; then
    check "$name: Exchange scripts: single quotes balance on every line" \
      "node -e 'const fs=require(\"fs\");for(const f of process.argv.slice(1))for(const l of fs.readFileSync(f,\"utf8\").split(\"\\n\")){if(l.startsWith(\"#\"))continue;const q=(l.replace(/\x27\x27/g,\"\").match(/\x27/g)||[]).length;if(q%2)process.exit(1)}' $out/exchange/*.ps1"
  fi
done

# The writer on the real CLI: its own files are rewritten, a foreign one is not.
E=$GEN/e2e
check "writer: generating again over its own files succeeds" "$MT generate test/fixtures/generate/e2e.mailtopo --target all --out '$E'"
mkdir -p "$R/foreign/postfix/gw"; echo "# hand-written" > "$R/foreign/postfix/gw/main.cf"
$MT generate test/fixtures/generate/e2e.mailtopo --target postfix --out "$R/foreign" >/dev/null 2>&1; st=$?
check "writer: refuses to overwrite a file it did not generate (exit 1, file kept)" "[ $st = 1 ] && grep -q '^# hand-written' '$R/foreign/postfix/gw/main.cf'"

# ---------- DNS: one BIND on loopback serving a test DNSBL and the generated zone of companyabc.com ----------
# In the private network namespace it listens on port 53 (Postfix's resolver is pointed at it);
# without one (not root, no unshare) on 5353, and the DNSBL check cannot run.
DNSPORT=5353; [ -n "$NETNS" ] && DNSPORT=53
Z=$GEN/companyabc/bind/db.companyabc.com
mkdir -p "$R/dns"
cat > "$R/dns/named.conf" <<EOF
options { directory "$R/dns"; pid-file "$R/dns/named.pid"; listen-on port $DNSPORT { 127.0.0.1; };
  listen-on-v6 { none; }; recursion no; dnssec-validation no; notify no; };
controls { };
zone "bl.test.example" { type primary; file "$R/dns/bl.zone"; };
zone "companyabc.com" { type primary; file "$Z"; };
EOF
# 127.0.0.4 is listed; so is 127.0.0.2, which relays (mynetworks is checked before the lists).
printf '%s\n' '$TTL 60' '@ SOA ns hostmaster 1 60 60 600 60' '@ NS ns' 'ns A 127.0.0.1' \
  '4.0.0.127 A 127.0.0.2' '4.0.0.127 TXT "listed for test"' '2.0.0.127 A 127.0.0.2' '2.0.0.127 TXT "listed for test"' > "$R/dns/bl.zone"
echo 'nameserver 127.0.0.1' > "$R/resolv.conf"
check "dns: named-checkconf -z (the test DNSBL zone and the generated companyabc.com zone)" "named-checkconf -z '$R/dns/named.conf'" "$(named-checkconf -z "$R/dns/named.conf" 2>&1 | tail -n 2)"
named -4 -g -c "$R/dns/named.conf" > "$R/dns/named.log" 2>&1 & PIDS+=($!)
check "dns: BIND on 127.0.0.1:$DNSPORT answers from the generated zone (MX companyabc.com)" \
  "waitfor \"dig +short +time=1 +tries=1 -p $DNSPORT @127.0.0.1 MX companyabc.com | grep -q 'mail.companyabc.com'\"" "$(tail -n 3 "$R/dns/named.log")"

# ---------- 2. end to end on loopback ----------
mkdir -p "$PF/queue" "$PF/data"; chown postfix: "$PF/data"
cp -r "$E/postfix/gw" "$PF/etc"
# Adapt: the public port 25 becomes 127.0.0.1:2525; a private queue, data folder and log; no DNS.
sed -i 's/^smtp      inet /127.0.0.1:2525 inet /' "$PF/etc/master.cf"
postconf -c "$PF/etc" -e "queue_directory=$PF/queue" "data_directory=$PF/data" "maillog_file=$PF/maillog" \
  "maillog_file_prefixes=$R" "smtp_dns_support_level=disabled" "smtp_host_lookup=native" "smtpd_peername_lookup=no"
touch -d '-10 sec' "$PF/etc"/*
KEYS="mynetworks smtpd_relay_restrictions relay_domains transport_maps relayhost smtpd_client_restrictions smtpd_tls_security_level"
check "e2e: the adapted Postfix keeps the generated relay, domain and route settings" \
  "[ \"\$(postconf -c '$E/postfix/gw' -n $KEYS)\" = \"\$(postconf -c '$PF/etc' -n $KEYS)\" ] && grep -q '^127.0.0.1:2525 inet' '$PF/etc/master.cf'"
check "e2e: generated transport sends corp.example to the sink" "[ \"\$(postmap -q corp.example texthash:$PF/etc/transport)\" = 'smtp:[127.0.0.1]:2626' ]"
check "e2e: generated mynetworks mirrors the ordered relay rules" "[ \"\$(postconf -c '$PF/etc' -h mynetworks)\" = '!127.0.0.3/32, 127.0.0.2/31' ]"
check "e2e: postconf -n clean after adaptation" "[ -z \"\$(postconf -c '$PF/etc' -n 2>&1 >/dev/null)\" ]"

SINK=test/support/smtpSink.cjs
for p in 2626 2801 2802; do node "$SINK" "$p" "$R/sink$p.mbox" > "$R/sink$p.log" 2>&1 & PIDS+=($!); eval "SINK$p=$!"; done
for p in 2626 2801 2802; do waitfor "ss -Hltn 'sport = :$p' | grep -q ." || echo "sink $p not up: $(cat "$R/sink$p.log")"; done
haproxy -db -f "$E/haproxy/haproxy.cfg" > "$R/haproxy.log" 2>&1 & HAP=$!; PIDS+=($HAP)
# Postfix's resolver is the test BIND: resolv.conf bind-mounted in a mount namespace of its own.
if [ -n "$NETNS" ]; then
  unshare -m sh -c "mount --bind '$R/resolv.conf' /etc/resolv.conf && exec postfix -c '$PF/etc' start" > "$R/postfix-start.log" 2>&1
else
  postfix -c "$PF/etc" start > "$R/postfix-start.log" 2>&1
fi
check "e2e: Postfix (generated gateway gw) listening on 127.0.0.1:2525" "waitfor \"ss -Hltn 'sport = :2525' | grep -q .\"" "$(cat "$R/postfix-start.log"; tail -n 5 "$PF/maillog" 2>/dev/null)"
check "e2e: HAProxy (generated pool lb) listening on 127.0.0.10:2727" "waitfor \"ss -Hltn 'sport = :2727' | grep -q .\"" "$(tail -n 5 "$R/haproxy.log")"

sw() { swaks -s "$1" --timeout 10 -f sender@test.example "${@:2}" 2>&1; }
TOK=tok$$-$RANDOM
OUT=$(sw 127.0.0.1 -p 2525 -li 127.0.0.1 -t user@corp.example --header "Subject: $TOK")
check "e2e (a): mail for the accepted domain corp.example is accepted" 'grep -q "250 2.0.0 Ok: queued as" <<<"$OUT"' "$(tail -n 4 <<<"$OUT")"
check "e2e (a): ... and arrives at the next hop (sink 2626)" "waitfor \"grep -q $TOK $R/sink2626.mbox\"" "$(tail -n 5 "$PF/maillog" 2>/dev/null)"
OUT=$(sw 127.0.0.1 -p 2525 -li 127.0.0.1 -t user@outside.example --quit-after RCPT)
check "e2e (b): relay from 127.0.0.1 (outside the allowed network) to outside.example: 554 5.7.1 Relay access denied" \
  'grep -q "554 5.7.1 <user@outside.example>: Relay access denied" <<<"$OUT"' "$(tail -n 4 <<<"$OUT")"
OUT=$(sw 127.0.0.1 -p 2525 -li 127.0.0.2 -t user@outside.example --quit-after RCPT)
check "e2e (c): relay from 127.0.0.2 (relay allow from=trusted) to outside.example is accepted" 'grep -q "^<-  250 2.1.5 Ok" <<<"$OUT"' "$(tail -n 4 <<<"$OUT")"
OUT=$(sw 127.0.0.1 -p 2525 -li 127.0.0.3 -t user@outside.example --quit-after RCPT)
check "e2e (d): relay from 127.0.0.3 (in trusted, but 'relay deny' comes first) is denied" \
  'grep -q "554 5.7.1 <user@outside.example>: Relay access denied" <<<"$OUT"' "$(tail -n 4 <<<"$OUT")"
if [ -n "$NETNS" ]; then
  OUT=$(sw 127.0.0.1 -p 2525 -li 127.0.0.4 -t user@corp.example --quit-after RCPT)
  # The gateway is internet-facing: its port 25 is behind postscreen, which scores the list (issue 13).
  check "e2e (e): a client listed on the gateway's DNSBL (postscreen_dnsbl_sites bl.test.example) is refused" \
    'grep -q "550 5.7.1 Service unavailable; client \[127.0.0.4\] blocked using bl.test.example" <<<"$OUT"' "$(tail -n 4 <<<"$OUT")"
else
  fail "e2e (e): DNSBL" "no private network namespace (needs root and unshare): the test BIND cannot take port 53"
fi
check "e2e: maillog has no Postfix warning, fatal or panic" "[ -f '$PF/maillog' ] && ! grep -qiE 'warning|fatal|panic' '$PF/maillog'" "$(grep -iE 'warning|fatal|panic' "$PF/maillog" 2>/dev/null | head -n 3)"

for i in 1 2 3 4; do sw 127.0.0.10 -p 2727 -t rr$i@corp.example >/dev/null; done
check "e2e: HAProxy balance roundrobin: 2 mails to each member" \
  '[ "$(grep -c ^RCPT $R/sink2801.mbox 2>/dev/null)" = 2 ] && [ "$(grep -c ^RCPT $R/sink2802.mbox 2>/dev/null)" = 2 ]' \
  "m1=$(grep -c ^RCPT "$R/sink2801.mbox" 2>/dev/null) m2=$(grep -c ^RCPT "$R/sink2802.mbox" 2>/dev/null)"
stop_pids "$SINK2801"
check "e2e: HAProxy smtpchk marks the stopped member m1 DOWN" "waitfor \"grep -q 'lb/m1 is DOWN' $R/haproxy.log\"" "$(tail -n 3 "$R/haproxy.log")"
OK=0; for i in 1 2 3; do sw 127.0.0.10 -p 2727 -t fo$i@corp.example | grep -q "250 Queued by sink 2802" && OK=$((OK + 1)); done
check "e2e: with m1 stopped, 3/3 mails still go through (m2)" '[ $OK = 3 ] && [ "$(grep -c ^RCPT $R/sink2802.mbox)" = 5 ]' "ok=$OK"

# ---------- 3. round trip: the generated zone served by BIND, mailtopo check --live ----------
LIVE=$($MT check samples/companyabc.mailtopo --live --resolver "127.0.0.1:$DNSPORT" --timeout 2000 2>&1)
check "round trip: mailtopo check --live gives no MT502, MT503, MT504 or MT505 for companyabc.com" \
  '! grep -qE "MT50[1-5]" <<<"$LIVE" && grep -qE "^0 errors, " <<<"$LIVE"' "$(grep -E 'MT50[1-5]|errors' <<<"$LIVE" | head -n 3)"
check "round trip: ... nor MT509, MT511, MT512, MT514, MT515 (SPF, DMARC, MTA-STS and TLS-RPT records as declared)" \
  '! grep -qE "MT5(09|11|12|14|15)" <<<"$LIVE"' "$(grep -E 'MT5(09|11|12|14|15)' <<<"$LIVE" | head -n 3)"
