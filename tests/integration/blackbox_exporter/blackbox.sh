#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# blackbox.sh: blackbox_exporter against real loopback peers started here: python3
# http.server (HTTP), python3 ssl (HTTPS with a certificate made here with a known
# notAfter), a python TCP banner server, ICMP to 127.0.0.1, dnsmasq serving test.lan
# (A, AAAA, MX, TXT, SOA; UDP and TCP). Checks success and key
# metrics, failures (closed port, wrong status, body regex) with the reason in debug
# output, reload, and the metric families against Debian's Go build on the same targets.
# Prints "N passed, N failed" last; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../../.."
BIN=${BIN:-build/release/blackbox_exporter/blackbox_exporter}
GO=${GO:-/usr/bin/prometheus-blackbox-exporter}
T=$(mktemp -d /tmp/bb-it-XXXXXX)
pass=0; fail=0; pids=()

ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
freeport() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    sleep 0.2
    rm -rf "$T"
}
trap cleanup EXIT
wait_port() {
    for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
[ -x "$BIN" ] || { bad "missing $BIN (make all)"; echo "$pass passed, $fail failed"; exit 1; }

HP=$(freeport); SP=$(freeport); TP=$(freeport); CLOSED=$(freeport); BP=$(freeport); GP=$(freeport)
DP=$(freeport)
DNSMASQ=${DNSMASQ:-/usr/sbin/dnsmasq}
mkdir -p "$T/www"; echo "hello blackbox" > "$T/www/index.html"
python3 -m http.server "$HP" --bind 127.0.0.1 --directory "$T/www" >/dev/null 2>&1 &
pids+=("$!")

# HTTPS: a self-signed certificate with a fixed notAfter (2030-01-02 03:04:05 UTC).
EXPIRY=1893553445
# OpenSSL 3.0's req has no -not_after: self-sign through `openssl ca` with -enddate.
mkdir -p "$T/ca"; : > "$T/ca/index.txt"; echo 01 > "$T/ca/serial"
cat > "$T/ca.cnf" <<CNF
[ca]
default_ca = cad
[cad]
database = $T/ca/index.txt
serial = $T/ca/serial
new_certs_dir = $T/ca
default_md = sha256
policy = pol
[pol]
commonName = supplied
[ext]
subjectAltName = DNS:localhost
basicConstraints = critical,CA:TRUE
CNF
{ openssl req -new -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/req.csr" \
      -subj /CN=localhost &&
  openssl ca -batch -config "$T/ca.cnf" -selfsign -keyfile "$T/key.pem" -in "$T/req.csr" \
      -out "$T/cert.pem" -startdate 20240101000000Z -enddate 20300102030405Z -extensions ext
} >"$T/openssl.log" 2>&1 || { bad "make test certificate"; cat "$T/openssl.log"; }
cat > "$T/https.py" <<PY
import http.server, ssl, os
os.chdir("$T/www")
srv = http.server.HTTPServer(("127.0.0.1", $SP), http.server.SimpleHTTPRequestHandler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("$T/cert.pem", "$T/key.pem")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
python3 "$T/https.py" >/dev/null 2>&1 &
pids+=("$!")
cat > "$T/banner.py" <<PY
import socketserver
class H(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 banner ready\r\n")
        line = self.rfile.readline().strip()
        self.wfile.write(b"got " + line + b"\r\n")
socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer(("127.0.0.1", $TP), H).serve_forever()
PY
python3 "$T/banner.py" >/dev/null 2>&1 &
pids+=("$!")

# DNS: dnsmasq in the foreground, authoritative for test.lan (for the SOA), nothing else.
# scripts/deps.sh --test installs it (dnsmasq-base); a missing one is a failure, not a skip.
if [ ! -x "$DNSMASQ" ]; then
    echo "FAIL dnsmasq installed at $DNSMASQ (scripts/deps.sh --test installs dnsmasq-base)"
    echo "0 passed, 1 failed"
    exit 1
fi
if [ -x "$DNSMASQ" ]; then
    "$DNSMASQ" --keep-in-foreground --port="$DP" --listen-address=127.0.0.1 --bind-interfaces \
        --no-resolv --no-hosts --log-facility="$T/dnsmasq.log" --pid-file="$T/dnsmasq.pid" \
        --host-record=www.test.lan,192.0.2.10,2001:db8::10 --host-record=mail.test.lan,192.0.2.25 \
        --mx-host=test.lan,mail.test.lan,10 --txt-record=test.lan,"v=spf1 -all" \
        --auth-server=ns.test.lan --auth-zone=test.lan --auth-soa=2024010101,hostmaster.test.lan \
        >"$T/dnsmasq.out" 2>&1 &
    pids+=("$!")
fi

cat > "$T/bb.yml" <<EOF2
modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
  http_204:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, valid_status_codes: [204]}
  http_regex:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, fail_if_body_matches_regexp: ["hello"]}
  https_ca:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, fail_if_not_ssl: true, tls_config: {ca_file: "$T/cert.pem"}}
  https_noverify:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, tls_config: {insecure_skip_verify: true}}
  tcp_connect:
    prober: tcp
    timeout: 5s
    tcp: {preferred_ip_protocol: ip4}
  tcp_banner:
    prober: tcp
    timeout: 5s
    tcp:
      preferred_ip_protocol: ip4
      query_response: [{expect: "^220 banner"}, {send: "QUIT"}]
  tcp_expand:
    prober: tcp
    timeout: 5s
    tcp:
      preferred_ip_protocol: ip4
      query_response: [{expect: "^220 (\\\\w+) ready"}, {send: "HELLO \${1}"}, {expect: "^got HELLO banner\$"}]
  tcp_badbanner:
    prober: tcp
    timeout: 2s
    tcp:
      preferred_ip_protocol: ip4
      query_response: [{expect: "^SSH-2.0"}]
  tcp_tls:
    prober: tcp
    timeout: 5s
    tcp: {preferred_ip_protocol: ip4, tls: true, tls_config: {insecure_skip_verify: true}}
  icmp:
    prober: icmp
    timeout: 3s
    icmp: {preferred_ip_protocol: ip4}
  dns_a:
    prober: dns
    timeout: 3s
    dns:
      preferred_ip_protocol: ip4
      query_name: www.test.lan
      query_type: A
      validate_answer_rrs: {fail_if_not_matches_regexp: ['www\.test\.lan\.\t[0-9]+\tIN\tA\t192\.0\.2\.10']}
  dns_aaaa:
    prober: dns
    timeout: 3s
    dns: {preferred_ip_protocol: ip4, query_name: www.test.lan, query_type: AAAA}
  dns_mx_tcp:
    prober: dns
    timeout: 3s
    dns:
      preferred_ip_protocol: ip4
      transport_protocol: tcp
      query_name: test.lan
      query_type: MX
      validate_answer_rrs: {fail_if_none_matches_regexp: ['MX\t10 mail\.test\.lan\.$']}
  dns_txt:
    prober: dns
    timeout: 3s
    dns:
      preferred_ip_protocol: ip4
      query_name: test.lan
      query_type: TXT
      validate_answer_rrs: {fail_if_matches_regexp: ['v=spf1 \+all']}
  dns_soa:
    prober: dns
    timeout: 3s
    dns: {preferred_ip_protocol: ip4, query_name: test.lan, query_type: SOA}
  dns_nx:
    prober: dns
    timeout: 3s
    dns: {preferred_ip_protocol: ip4, query_name: nope.test.lan, query_type: A}
  dns_badmatch:
    prober: dns
    timeout: 3s
    dns:
      preferred_ip_protocol: ip4
      transport_protocol: tcp
      query_name: www.test.lan
      query_type: A
      validate_answer_rrs: {fail_if_not_matches_regexp: ['198\.51\.100\.1$']}
EOF2
for p in "$HP" "$SP" "$TP"; do wait_port "$p" || bad "peer on port $p did not start"; done

"$BIN" --config.file="$T/bb.yml" --web.listen-address=127.0.0.1:$BP 2>"$T/bb.log" &
pids+=("$!"); BBPID=$!
wait_port "$BP" || { bad "blackbox_exporter did not start"; cat "$T/bb.log"; }
probe() { curl -s "http://127.0.0.1:$BP/probe?module=$1&target=$2${3:-}"; }
has() { grep -qxF "$2" <<<"$1"; }

out=$(probe http_2xx "127.0.0.1:$HP")
check "http success" has "$out" "probe_success 1"
check "http status 200" has "$out" "probe_http_status_code 200"
check "http ip hash" has "$out" "probe_ip_addr_hash 3.668918509e+09"
check "http body length" has "$out" "probe_http_uncompressed_body_length 15"
check "http five phases" test "$(grep -c '^probe_http_duration_seconds{phase=' <<<"$out")" = 5
out=$(probe http_204 "127.0.0.1:$HP" "&debug=true")
check "wrong status fails" grep -qx "probe_success 0" <<<"$out"
check "wrong status reason" grep -q 'Invalid HTTP response status code' <<<"$out"
out=$(probe http_regex "127.0.0.1:$HP" "&debug=true")
check "regex fails" grep -qx "probe_failed_due_to_regex 1" <<<"$out"
check "regex reason" grep -q 'Body matched regular expression' <<<"$out"
out=$(probe http_2xx "127.0.0.1:$CLOSED" "&debug=true")
check "closed port fails" grep -qx "probe_success 0" <<<"$out"
check "closed port reason" grep -q 'Error for HTTP request' <<<"$out"
out=$(probe https_ca "https://localhost:$SP/")
check "https success" has "$out" "probe_success 1"
check "https ssl" has "$out" "probe_http_ssl 1"
exp=$(awk '/^probe_ssl_earliest_cert_expiry /{printf "%d", $2}' <<<"$out")
check "https cert expiry $EXPIRY" test "$exp" = "$EXPIRY"
check "https tls version" grep -q '^probe_tls_version_info{version="TLS 1.[23]"} 1' <<<"$out"
out=$(probe http_2xx "https://127.0.0.1:$SP/" "&debug=true")
check "self-signed fails verification" grep -qx "probe_success 0" <<<"$out"
out=$(probe https_noverify "https://127.0.0.1:$SP/")
check "insecure_skip_verify success" has "$out" "probe_success 1"
check "no verified chain: Go zero time" has "$out" \
    "probe_ssl_last_chain_expiry_timestamp_seconds -6.21355968e+10"
out=$(probe tcp_connect "127.0.0.1:$TP")
check "tcp success" has "$out" "probe_success 1"
out=$(probe tcp_connect "127.0.0.1:$CLOSED")
check "tcp closed port fails" has "$out" "probe_success 0"
out=$(probe tcp_banner "127.0.0.1:$TP")
check "tcp banner success" has "$out" "probe_success 1"
out=$(probe tcp_expand "127.0.0.1:$TP" "&debug=true")
check "tcp send expands \${1} from the expect match" has "$out" "probe_success 1"
out=$(probe tcp_badbanner "127.0.0.1:$TP" "&debug=true")
check "tcp banner regex fails" has "$out" "probe_failed_due_to_regex 1"
out=$(probe tcp_tls "127.0.0.1:$SP")
check "tcp tls success" has "$out" "probe_success 1"
exp=$(awk '/^probe_ssl_earliest_cert_expiry /{printf "%d", $2}' <<<"$out")
check "tcp tls cert expiry" test "$exp" = "$EXPIRY"
out=$(probe icmp 127.0.0.1)
check "icmp success" has "$out" "probe_success 1"
check "icmp hop limit" grep -q '^probe_icmp_reply_hop_limit ' <<<"$out"
if [ -x "$DNSMASQ" ]; then
    for _ in $(seq 50); do [ -s "$T/dnsmasq.pid" ] && break; sleep 0.1; done
    D="127.0.0.1:$DP"
    out=$(probe dns_a "$D")
    check "dns A success" has "$out" "probe_success 1"
    check "dns A answer count" has "$out" "probe_dns_answer_rrs 1"
    check "dns three phases" test "$(grep -c '^probe_dns_duration_seconds{phase=' <<<"$out")" = 3
    check "dns A ip hash" has "$out" "probe_ip_addr_hash 3.668918509e+09"
    out=$(probe dns_aaaa "$D" "&debug=true")
    check "dns AAAA success" has "$out" "probe_success 1"
    check "dns AAAA rr text" grep -qF 'rr="www.test.lan.\t600\tIN\tAAAA\t2001:db8::10"' <<<"$out"
    out=$(probe dns_mx_tcp "$D")
    check "dns MX over TCP success" has "$out" "probe_success 1"
    out=$(probe dns_txt "$D" "&debug=true")
    check "dns TXT success" has "$out" "probe_success 1"
    check "dns TXT rr text" grep -qF 'IN\tTXT\t\"v=spf1 -all\""' <<<"$out"
    out=$(probe dns_soa "$D")
    check "dns SOA serial" has "$out" "probe_dns_serial 2.024010101e+09"
    out=$(probe dns_nx "$D" "&debug=true")
    check "dns NXDOMAIN fails" has "$out" "probe_success 0"
    check "dns NXDOMAIN queried" has "$out" "probe_dns_query_succeeded 1"
    check "dns NXDOMAIN reason" grep -q 'Rcode is not one of the valid rcodes.*NXDOMAIN' <<<"$out"
    out=$(probe dns_badmatch "$D" "&debug=true")
    check "dns not-matches regexp fails" has "$out" "probe_success 0"
    check "dns not-matches reason" grep -q 'At least one RR did not match regexp' <<<"$out"
    out=$(probe dns_a "127.0.0.1:$CLOSED")
    check "dns closed port fails" has "$out" "probe_dns_query_succeeded 0"
else
    bad "dnsmasq installed (scripts/deps.sh --test)"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BP/probe?module=nosuch&target=x")
check "unknown module 400" test "$code" = 400
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BP/probe?module=http_2xx")
check "missing target 400" test "$code" = 400
out=$(curl -s -H 'X-Prometheus-Scrape-Timeout-Seconds: 1.5' \
    "http://127.0.0.1:$BP/probe?module=http_2xx&target=127.0.0.1:$HP&debug=true")
check "scrape timeout header caps timeout" grep -q 'timeout_seconds=1"\?$\|timeout_seconds=1 ' <<<"$out"

# reload: a bad file is refused and the old config stays; SIGHUP reloads a good one.
cp "$T/bb.yml" "$T/bb.good"
printf 'modules:\n  x:\n    prober: http\n    bogus: 1\n' > "$T/bb.yml"
code=$(curl -s -o "$T/reload.out" -w '%{http_code}' -XPOST "http://127.0.0.1:$BP/-/reload")
check "bad reload 500" test "$code" = 500
check "bad reload names file:line" grep -q "bb.yml:4:5" "$T/reload.out"
check "old config kept" has "$(probe http_2xx "127.0.0.1:$HP")" "probe_success 1"
cp "$T/bb.good" "$T/bb.yml"
kill -HUP "$BBPID"; sleep 0.3
check "SIGHUP reload" grep -q 'Reloaded config file' "$T/bb.log"
check "alive after SIGHUP" has "$(probe http_2xx "127.0.0.1:$HP")" "probe_success 1"
if command -v promtool >/dev/null; then
    check "promtool /metrics" sh -c "curl -s http://127.0.0.1:$BP/metrics | promtool check metrics"
fi

# Parity with the Go build: the same families (and label names) per module.
families() { grep -v '^#' | sed -E 's/[ {].*//' | sort -u; }
labels() { grep -o '^[a-z_]*{[^}]*}' | sed -E 's/="[^"]*"//g' | sort -u; }
if [ -x "$GO" ]; then
    "$GO" --config.file="$T/bb.yml" --web.listen-address=127.0.0.1:$GP >/dev/null 2>&1 &
    pids+=("$!")
    dnscases=()
    [ -x "$DNSMASQ" ] && dnscases=("dns_a 127.0.0.1:$DP" "dns_soa 127.0.0.1:$DP" "dns_nx 127.0.0.1:$DP"
                                    "dns_mx_tcp 127.0.0.1:$DP" "dns_a 127.0.0.1:$CLOSED")
    if wait_port "$GP"; then
        for c in "http_2xx 127.0.0.1:$HP" "http_2xx 127.0.0.1:$CLOSED" "https_ca https://localhost:$SP/" \
                 "tcp_connect 127.0.0.1:$TP" "tcp_tls 127.0.0.1:$SP" "icmp 127.0.0.1" \
                 "${dnscases[@]}"; do
            set -- $c
            ours=$(probe "$1" "$2"); theirs=$(curl -s "http://127.0.0.1:$GP/probe?module=$1&target=$2")
            if [ "$(families <<<"$ours")" = "$(families <<<"$theirs")" ] &&
               [ "$(labels <<<"$ours")" = "$(labels <<<"$theirs")" ]; then
                ok "same families as Go: $1 $2"
            else
                bad "same families as Go: $1 $2"
                diff <(families <<<"$ours"; labels <<<"$ours") <(families <<<"$theirs"; labels <<<"$theirs")
            fi
        done
    else
        bad "Go blackbox_exporter did not start"
    fi
else
    bad "Go blackbox_exporter installed at $GO (scripts/deps.sh --test)"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
