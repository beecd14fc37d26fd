#!/bin/bash
# Integration tier of issue 13 (Postfix and HAProxy half): the generated
# configuration, run by the real daemons, does what an administrator deploys
# it for. Topologies: test/fixtures/designs/deploy-*.mailtopo.
#   0. static: every design (test/fixtures/designs/*.mailtopo) generates; every
#      Postfix folder passes `postconf -c DIR -n` with an empty stderr, every
#      haproxy.cfg `haproxy -dW -c`; `listen 25, 10025` with a content filter
#      gives one `10025 inet` service and the reinjection listener elsewhere;
#   a. deploy-proxy: HAProxy (send-proxy-v2) on the vip 127.0.0.10 in front of
#      the generated gw1 (127.0.0.11, postscreen reading the PROXY header):
#      health checks pass, Postfix logs the real client address, a client
#      listed in zen.spamhaus.org (a test BIND) is refused by postscreen, one
#      whose only answer is an error code (127.255.255.254) or whose listing
#      weighs under the threshold is not, relay through the vip from an
#      outside address is refused and from an inside one allowed;
#      submission on 587: MAIL without AUTH refused, with AUTH (a stand-in for
#      Dovecot's auth socket) accepted, another login's address refused;
#      nothing listens on gw1's port 465 (not declared);
#   b. deploy-filter: gw2 (127.0.0.21) with the FILTER_README content filter:
#      a stand-in filter on 127.0.0.1:10024 adds a header and reinjects on the
#      generated port; the mail reaches the mailbox server (127.0.0.20:2626)
#      with the header exactly once; mail for an unknown recipient is refused
#      at RCPT by reject_unverified_recipient against that server; 465 (declared)
#      speaks implicit TLS.
# Only instance settings are changed in the generated main.cf (queue, data and
# log paths, inet_interfaces, the test certificate): `postconf -e` below.
# Runs in private network and mount namespaces it makes itself (unshare -n -m):
# only a loopback exists, so nothing leaves the machine. Everything started is
# stopped by PID; every wait is bounded. Prints PASS/FAIL per check and a final
# "N passed, N failed"; exits 1 on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
T0=$(date +%s)
PASSED=0; FAILED=0; PIDS=(); MASTERS=()
exec 3>&1

if [ -z "${MAILTOPO_NETNS:-}" ]; then
  if [ ! -f dist/cli.cjs ] || [ -n "$(find server/src -newer dist/cli.cjs -name '*.ts' -print -quit)" ]; then
    node esbuild.mjs >/dev/null 2>&1 || echo "note: esbuild failed; using the existing bundle"
  fi
  if [ "$(id -u)" = 0 ] && unshare -n -m true 2>/dev/null; then
    exec unshare -n -m bash -c 'ip link set lo up && MAILTOPO_NETNS=1 exec bash "$0"' "$0"
  fi
  echo "FAIL deploy-postfix tier needs root and unshare -n -m (a private network namespace)"
  echo "0 passed, 1 failed"
  exit 1
fi

MT="env MAILTOPO_CLI_ENTRY=1 node $ROOT/bin/mailtopo.cjs"
HELPER=$ROOT/test/integration/deploy-postfix-servers.cjs
pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1${2:+ -- $2}"; FAILED=$((FAILED + 1)); }
check() { if eval "$2" >/dev/null 2>&1; then pass "$1"; else fail "$1" "${3:-}"; fi; }
waitfor() { local i; for i in $(seq "${2:-100}"); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; } # <= 10 s
stop_pids() {
  local p
  for p in "$@"; do kill "$p" 2>/dev/null; done
  for p in "$@"; do waitfor "! kill -0 $p" 50 || kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  return 0
}
R=$(mktemp -d /tmp/mailtopo-deploy.XXXXXX); chmod 755 "$R"
cleanup() {
  exec >&3 2>&3
  local d mp
  for d in "${MASTERS[@]}"; do # SIGTERM to the master is `postfix stop`; re-read the pid (start-up race)
    mp=$(tr -d ' ' 2>/dev/null < "$d/queue/pid/master.pid")
    [ -n "$mp" ] && [ "$(cat /proc/"$mp"/comm 2>/dev/null)" = master ] && PIDS+=("$mp")
  done
  [ ${#PIDS[@]} -gt 0 ] && stop_pids "${PIDS[@]}"
  echo "stopped ${#PIDS[@]} processes; listeners left: $(ss -Hltn 2>/dev/null | wc -l)"
  [ -n "${KEEP:-}" ] && echo "kept $R" || rm -rf "$R"
  echo "deploy-postfix tier: $(( $(date +%s) - T0 ))s"
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ] || exit 1
  exit 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM
sw() { swaks --timeout 30 "$@" 2>&1; }

check "tools: postconf, postfix, swaks, haproxy, named, openssl, smtp-server, nodemailer" \
  'command -v postconf && command -v postfix && command -v swaks && command -v haproxy && command -v named && command -v openssl && [ -f node_modules/smtp-server/package.json ] && [ -f node_modules/nodemailer/package.json ]'

# ---------- 0. static: every design generates and passes postconf -n and haproxy -c ----------
GEN=$R/gen
for f in test/fixtures/designs/*.mailtopo; do
  [ -f "$f" ] || continue
  name=$(basename "$f" .mailtopo); out=$GEN/$name
  # The deploy- designs use loopback addresses, so their MX is private (MT309): --force.
  if $MT generate "$f" --target all --out "$out" --force > "$R/gen-$name.log" 2>&1; then pass "$name: generate"; else fail "$name: generate" "$(tail -n 3 "$R/gen-$name.log")"; continue; fi
  for d in "$out"/postfix/*/; do
    [ -d "$d" ] || continue
    err=$(postconf -c "$d" -n 2>&1 >/dev/null); st=$?
    if [ $st -eq 0 ] && [ -z "$err" ]; then pass "$name: postconf -c postfix/$(basename "$d") -n, empty stderr"; else fail "$name: postconf -c postfix/$(basename "$d") -n, empty stderr" "$err"; fi
  done
  if [ -f "$out/haproxy/haproxy.cfg" ]; then
    check "$name: haproxy -dW -c" "haproxy -dW -c -f '$out/haproxy/haproxy.cfg'" "$(haproxy -dW -c -f "$out/haproxy/haproxy.cfg" 2>&1 | tail -n 2)"
  fi
done
P=$GEN/deploy-proxy; F=$GEN/deploy-filter
check "haproxy.cfg: send-proxy-v2 and check-send-proxy on the proxy-protocol pool, from the vip" \
  "grep -q 'default-server check inter 1s fall 2 rise 2 send-proxy-v2 check-send-proxy' $P/haproxy/haproxy.cfg && grep -q '^    source 127.0.0.10$' $P/haproxy/haproxy.cfg"
check "gw1 master.cf: postscreen on 25 reads the PROXY header; submission on 587 only" \
  "grep -A1 '^smtp      inet.*postscreen' $P/postfix/gw1/master.cf | grep -q 'postscreen_upstream_proxy_protocol=haproxy' && grep -q '^submission inet' $P/postfix/gw1/master.cf && ! grep -q '^submissions' $P/postfix/gw1/master.cf"
check "gw2 master.cf (listen 25, 10025): one 10025 inet service, reinjection on 127.0.0.1:10026" \
  "[ \$(grep -c '^10025 ' $F/postfix/gw2/master.cf) = 1 ] && grep -q '^127.0.0.1:10026 inet' $F/postfix/gw2/master.cf"

# ---------- the network: the test's addresses on lo, a BIND with the DNSBL zones ----------
for a in 127.0.0.10 127.0.0.11 127.0.0.20 127.0.0.21; do ip addr add "$a/32" dev lo; done
mkdir -p "$R/dns"
cat > "$R/dns/named.conf" <<EOF
options { directory "$R/dns"; pid-file "$R/dns/named.pid"; listen-on port 53 { 127.0.0.1; };
  listen-on-v6 { none; }; recursion no; dnssec-validation no; notify no; };
controls { };
zone "zen.spamhaus.org" { type primary; file "$R/dns/zen.zone"; };
zone "bl.spamcop.net" { type primary; file "$R/dns/spamcop.zone"; };
EOF
# 127.0.0.6: XBL listing (127.0.0.4, weight 3 alone); 127.0.0.7: only Spamhaus' error answer
# 127.255.255.254 (not a listing); 127.0.0.8: SpamCop only (weight 2, under the threshold).
printf '%s\n' '$TTL 60' '@ SOA ns hostmaster 1 60 60 600 60' '@ NS ns' 'ns A 127.0.0.1' \
  '6.0.0.127 A 127.0.0.4' '6.0.0.127 TXT "XBL test listing"' '7.0.0.127 A 127.255.255.254' > "$R/dns/zen.zone"
printf '%s\n' '$TTL 60' '@ SOA ns hostmaster 1 60 60 600 60' '@ NS ns' 'ns A 127.0.0.1' '8.0.0.127 A 127.0.0.2' > "$R/dns/spamcop.zone"
named -4 -g -c "$R/dns/named.conf" > "$R/dns/named.log" 2>&1 & PIDS+=($!)
echo 'nameserver 127.0.0.1' > "$R/resolv.conf"
mount --bind "$R/resolv.conf" /etc/resolv.conf # this mount namespace only
check "BIND answers the DNSBL zones" 'waitfor "dig +short +time=1 +tries=1 @127.0.0.1 6.0.0.127.zen.spamhaus.org | grep -q 127.0.0.4"'
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=corp.test -days 1 -keyout "$R/key.pem" -out "$R/cert.pem" >/dev/null 2>&1

# install DESIGN NODE ADDRESS: the generated folder as a private Postfix instance in $R/pf-NODE.
install() {
  local d=$R/pf-$2
  mkdir -p "$d/queue" "$d/data" && cp -r "$GEN/$1/postfix/$2" "$d/etc" && chown postfix: "$d/data"
  postconf -c "$d/etc" -e "queue_directory = $d/queue" "data_directory = $d/data" "maillog_file = $d/maillog" \
    "maillog_file_prefixes = $R" "inet_interfaces = $3" "smtpd_tls_cert_file = $R/cert.pem" "smtpd_tls_key_file = $R/key.pem"
  touch -d '-10 sec' "$d/etc/"* # Postfix naps while a file is under 2 s old
  MASTERS+=("$d")
}
start_postfix() { postfix -c "$1/etc" start >/dev/null 2>&1; waitfor "[ -s $1/queue/pid/master.pid ]"; }

node "$HELPER" mailbox 127.0.0.20 2626 "$R/mbx.mbox" alice@corp.test,bob@corp.test > "$R/mbx.log" 2>&1 & PIDS+=($!)
check "mailbox server on 127.0.0.20:2626" 'waitfor "ss -Hltn \"sport = :2626\" | grep -q ."'

# ---------- a. HAProxy + PROXY protocol + postscreen + submission (gw1) ----------
install deploy-proxy gw1 127.0.0.11; G1=$R/pf-gw1
start_postfix "$G1"
node "$HELPER" auth "$G1/queue/private/auth" alice@corp.test secret > "$R/auth1.log" 2>&1 & PIDS+=($!)
haproxy -db -f "$P/haproxy/haproxy.cfg" > "$R/haproxy.log" 2>&1 & PIDS+=($!)
check "gw1 listens on 127.0.0.11:25 and :587; HAProxy on the vip 127.0.0.10:25" \
  'waitfor "ss -Hltn \"src 127.0.0.11 and sport = :25\" | grep -q ." && waitfor "ss -Hltn \"src 127.0.0.11 and sport = :587\" | grep -q ." && waitfor "ss -Hltn \"src 127.0.0.10 and sport = :25\" | grep -q ."'
sleep 3 # three health checks (inter 1s)
check "HAProxy's smtpchk with check-send-proxy keeps gw1 up (postscreen lets the vip through)" \
  "! grep -q 'is DOWN' $R/haproxy.log && grep -q 'ALLOWLISTED \[127.0.0.10\]' $G1/maillog" "$(grep -E 'DOWN|gw1' "$R/haproxy.log" | tail -n 2)"
TOK=tok$$-$RANDOM
OUT=$(sw -s 127.0.0.10 -p 25 -li 127.0.0.5 -f sender@outside.example -t alice@corp.test --header "Subject: $TOK")
check "(a) 127.0.0.5 via the vip -> alice@corp.test: accepted" 'grep -q "250 2.0.0 Ok: queued" <<<"$OUT"' "$(tail -n 3 <<<"$OUT")"
check "(a) ... delivered to the mailbox server" "waitfor 'grep -q $TOK $R/mbx.mbox'"
check "(a) Postfix logs the real client 127.0.0.5 (postscreen and smtpd), not HAProxy's address" \
  "grep -q 'postscreen.*CONNECT from \[127.0.0.5\]' $G1/maillog && grep -q 'smtpd.*client=unknown\[127.0.0.5\]' $G1/maillog"
OUT=$(sw -s 127.0.0.10 -p 25 -li 127.0.0.6 -f x@outside.example -t alice@corp.test --quit-after RCPT)
check "(a) 127.0.0.6 (listed in zen.spamhaus.org, 127.0.0.4): refused by postscreen" \
  'grep -q "550 5.7.1 Service unavailable; client \[127.0.0.6\] blocked using zen.spamhaus.org" <<<"$OUT"' "$(tail -n 3 <<<"$OUT")"
OUT=$(sw -s 127.0.0.10 -p 25 -li 127.0.0.7 -f x@outside.example -t alice@corp.test --quit-after RCPT)
check "(a) 127.0.0.7 (only the error answer 127.255.255.254): not a listing, accepted" 'grep -q "^<-  250 2.1.5" <<<"$OUT"' "$(tail -n 3 <<<"$OUT")"
OUT=$(sw -s 127.0.0.10 -p 25 -li 127.0.0.8 -f x@outside.example -t alice@corp.test --quit-after RCPT)
check "(a) 127.0.0.8 (bl.spamcop.net only, weight 2 < 3): accepted" 'grep -q "^<-  250 2.1.5" <<<"$OUT"' "$(tail -n 3 <<<"$OUT")"
OUT=$(sw -s 127.0.0.10 -p 25 -li 127.0.0.5 -f x@outside.example -t someone@elsewhere.example --quit-after RCPT)
check "(a) relay through the vip from outside (127.0.0.5): Relay access denied" \
  'grep -q "554 5.7.1 <someone@elsewhere.example>: Relay access denied" <<<"$OUT"' "$(tail -n 3 <<<"$OUT")"
OUT=$(sw -s 127.0.0.10 -p 25 -li 127.0.0.70 -f x@corp.test -t someone@elsewhere.example --quit-after RCPT)
check "(a) relay through the vip from inside (127.0.0.70, network inside): allowed" 'grep -q "^<-  250 2.1.5" <<<"$OUT"' "$(tail -n 3 <<<"$OUT")"
OUT=$(sw -s 127.0.0.11 -p 587 -li 127.0.0.70 -tls -f alice@corp.test -t someone@elsewhere.example --quit-after RCPT)
check "(c) 587: MAIL FROM without AUTH refused" 'grep -qE "^<~\* +553 5.7.1 <alice@corp.test>: Sender address rejected: not logged in" <<<"$OUT" && ! grep -q "^<~  250 2.1.0" <<<"$OUT"' "$(grep -A1 'MAIL FROM' <<<"$OUT" | tail -n 2)"
OUT=$(sw -s 127.0.0.11 -p 587 -li 127.0.0.5 -tls -a PLAIN -au alice@corp.test -ap secret -f alice@corp.test -t someone@elsewhere.example --quit-after RCPT)
check "(c) 587: AUTH as alice, then MAIL FROM alice and relay to another domain: accepted" \
  'grep -q "235 2.7.0 Authentication successful" <<<"$OUT" && grep -q "^<~  250 2.1.5" <<<"$OUT"' "$(tail -n 4 <<<"$OUT")"
OUT=$(sw -s 127.0.0.11 -p 587 -li 127.0.0.5 -tls -a PLAIN -au alice@corp.test -ap secret -f bob@corp.test -t someone@elsewhere.example --quit-after RCPT)
check "(c) 587: alice sending as bob@corp.test: refused (sender login mismatch)" \
  'grep -q "553 5.7.1 <bob@corp.test>: Sender address rejected: not owned by user alice@corp.test" <<<"$OUT"' "$(tail -n 3 <<<"$OUT")"
check "(c) gw1 declares no 465: nothing listens on 127.0.0.11:465" '! ss -Hltn "src 127.0.0.11 and sport = :465" | grep -q .'

# ---------- b. FILTER_README content filter + reject_unverified_recipient (gw2) ----------
install deploy-filter gw2 127.0.0.21; G2=$R/pf-gw2
BACK=$(sed -n 's/^127\.0\.0\.1:\([0-9]*\) *inet .*smtpd$/\1/p' "$G2/etc/master.cf")
node "$HELPER" filter 10024 "$BACK" "X-Mailtopo-Filter: scanned" > "$R/filter.log" 2>&1 & PIDS+=($!)
start_postfix "$G2"
node "$HELPER" auth "$G2/queue/private/auth" alice@corp.test secret > "$R/auth2.log" 2>&1 & PIDS+=($!)
for l in 127.0.0.21:25 127.0.0.21:10025 127.0.0.21:465 "127.0.0.1:$BACK" 127.0.0.1:10024; do
  check "gw2: a listener on $l (25 postscreen, 10025 smtpd, 465 submissions, $BACK reinjection, 10024 the filter)" \
    "waitfor 'ss -Hltn \"src ${l%:*} and sport = :${l#*:}\" | grep -q .'"
done
TOK=tok$$-$RANDOM
OUT=$(sw -s 127.0.0.21 -p 25 -li 127.0.0.9 -f sender@outside.example -t bob@corp.test --header "Subject: $TOK")
check "(b) 127.0.0.9 -> bob@corp.test on port 25: accepted" 'grep -q "250 2.0.0 Ok: queued" <<<"$OUT"' "$(tail -n 3 <<<"$OUT")"
check "(b) ... through the filter and the reinjection port to the mailbox server" "waitfor 'grep -q $TOK $R/mbx.mbox' 150"
MSG=$(awk -v t="$TOK" 'BEGIN{RS="\n.\n"} index($0, t)' "$R/mbx.mbox")
check "(b) ... with the filter's header exactly once" '[ "$(grep -c "^X-Mailtopo-Filter: scanned" <<<"$MSG")" = 1 ]' "$(grep -c '^X-Mailtopo-Filter' <<<"$MSG") times"
check "(b) ... the filter passed it once, through scan and reinject" \
  "[ \$(grep -c 'postfix/scan.*relay=127.0.0.1\[127.0.0.1\]:10024.*status=sent' $G2/maillog) = 1 ] && grep -q 'postfix/reinject/smtpd.*connect from' $G2/maillog"
OUT=$(sw -s 127.0.0.21 -p 25 -li 127.0.0.9 -f sender@outside.example -t nobody@corp.test --quit-after RCPT)
check "(b) nobody@corp.test (unknown to the mailbox server): refused at RCPT by reject_unverified_recipient" \
  'grep -qE "^<\*\* +550 5.1.1 <nobody@corp.test>: Recipient address rejected: undeliverable address" <<<"$OUT"' "$(tail -n 3 <<<"$OUT")"
OUT=$(sw -s 127.0.0.21 -p 10025 -li 127.0.0.9 -f sender@outside.example -t alice@corp.test --quit-after RCPT)
check "(b) port 10025 (declared listen) takes mail for alice@corp.test" 'grep -q "^<-  250 2.1.5" <<<"$OUT"' "$(tail -n 3 <<<"$OUT")"
OUT=$(sw -s 127.0.0.21 -p 465 -li 127.0.0.9 -tlsc --quit-after EHLO)
check "(c) gw2 declares 465: implicit TLS, AUTH offered" 'grep -q "TLS started" <<<"$OUT" && grep -q "250-AUTH PLAIN" <<<"$OUT"' "$(tail -n 4 <<<"$OUT")"

check "maillogs: no Postfix warning, fatal or panic" "! grep -hiE 'warning|fatal|panic' $G1/maillog $G2/maillog" "$(grep -hiE 'warning|fatal|panic' "$G1/maillog" "$G2/maillog" | head -n 3)"
