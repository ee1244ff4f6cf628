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
. tests/lib.sh
t_init bb-it
[ -x "$BIN" ] || { t_bad "missing $BIN (make all)"; t_finish; }

HP=$(t_free_port); SP=$(t_free_port); TP=$(t_free_port); CLOSED=$(t_free_port); BP=$(t_free_port); GP=$(t_free_port)
DP=$(t_free_port); AP=$(t_free_port); MP=$(t_free_port)
DNSMASQ=${DNSMASQ:-/usr/sbin/dnsmasq}
mkdir -p "$T/www"; echo "hello blackbox" > "$T/www/index.html"
python3 -m http.server "$HP" --bind 127.0.0.1 --directory "$T/www" >/dev/null 2>&1 &
t_pids+=("$!")

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
} >"$T/openssl.log" 2>&1 || { t_bad "make test certificate"; cat "$T/openssl.log"; }
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
t_pids+=("$!")
# HTTPS that wants a client certificate signed by the test CA (the same self-signed cert).
cat > "$T/mtls.py" <<PY
import http.server, ssl, os
os.chdir("$T/www")
srv = http.server.HTTPServer(("127.0.0.1", $MP), http.server.SimpleHTTPRequestHandler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("$T/cert.pem", "$T/key.pem")
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.load_verify_locations("$T/cert.pem")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
python3 "$T/mtls.py" >/dev/null 2>&1 &
t_pids+=("$!")
# An application server: redirect chains, headers, basic auth, POST, a target that hangs.
cat > "$T/app.py" <<PY
import http.server, socketserver, time, base64, gzip
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def send(self, code, body=b"", hdrs=()):
        self.send_response(code)
        for k, v in hdrs: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)
    def do_GET(self):
        p = self.path
        if p.startswith("/r/"):
            n = int(p[3:])
            if n == 0: return self.send(200, b"final page\n")
            return self.send(302, b"moved", [("Location", "/r/%d" % (n - 1))])
        if p == "/rel": return self.send(301, b"", [("Location", "r/1")])
        if p == "/abs": return self.send(301, b"", [("Location", "http://localhost:$AP/r/1")])
        if p == "/hdr":
            return self.send(200, b"headers\n", [("X-Test", "secret-value"), ("X-Test", "other"),
                             ("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")])
        if p == "/auth":
            a = self.headers.get("Authorization", "")
            good = "Basic " + base64.b64encode(b"user:pa ss").decode()
            return self.send(200 if a in (good, "Bearer tok123") else 401, b"auth\n")
        if p == "/slow":
            time.sleep(10)
            return self.send(200, b"late\n")
        if p == "/chunked":
            self.protocol_version = "HTTP/1.1"
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"5\r\nhello\r\n6\r\n chunk\r\n0\r\n\r\n")
            return
        if p == "/big": return self.send(200, b"x" * 5000)
        if p == "/gz":
            return self.send(200, gzip.compress(b"zipped text " * 100), [("Content-Encoding", "gzip")])
        if p == "/echo":
            return self.send(200, ("%s %s" % (self.command, self.headers.get("X-Custom", ""))).encode())
        self.send(404, b"no")
    do_HEAD = do_GET
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/post": return self.send(303, b"", [("Location", "/echo")])
        self.send(404, b"no")
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
S(("127.0.0.1", $AP), H).serve_forever()
PY
python3 "$T/app.py" >/dev/null 2>&1 &
t_pids+=("$!")
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
t_pids+=("$!")

# DNS: dnsmasq in the foreground, authoritative for test.lan (for the SOA), nothing else.
# scripts/deps.sh --test installs it (dnsmasq-base); a missing one is a failure, not a skip.
if [ ! -x "$DNSMASQ" ]; then
    t_bad "dnsmasq installed at $DNSMASQ (scripts/deps.sh --test installs dnsmasq-base)"; t_finish
fi
if [ -x "$DNSMASQ" ]; then
    "$DNSMASQ" --keep-in-foreground --port="$DP" --listen-address=127.0.0.1 --bind-interfaces \
        --no-resolv --no-hosts --log-facility="$T/dnsmasq.log" --pid-file="$T/dnsmasq.pid" \
        --host-record=www.test.lan,192.0.2.10,2001:db8::10 --host-record=mail.test.lan,192.0.2.25 \
        --mx-host=test.lan,mail.test.lan,10 --txt-record=test.lan,"v=spf1 -all" \
        --auth-server=ns.test.lan --auth-zone=test.lan --auth-soa=2024010101,hostmaster.test.lan \
        >"$T/dnsmasq.out" 2>&1 &
    t_pids+=("$!")
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
  http_follow:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, fail_if_body_not_matches_regexp: ["^final page"]}
  http_nofollow:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, follow_redirects: false, valid_status_codes: [302]}
  http_hdr_match:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      fail_if_header_matches: [{header: X-Test, regexp: "^oth"}]
  http_hdr_notmatch:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      fail_if_header_not_matches: [{header: x-test, regexp: "^secret-"}, {header: X-None, regexp: "x", allow_missing: true}]
  http_hdr_missing:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      fail_if_header_not_matches: [{header: X-None, regexp: "x"}]
  http_basic:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, basic_auth: {username: user, password: "pa ss"}}
  http_bearer:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, bearer_token: tok123}
  http_post:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      method: POST
      body: "a=1"
      headers: {X-Custom: hdrval}
      fail_if_body_not_matches_regexp: ["^GET hdrval$"]
  http_limit:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, body_size_limit: 1KiB}
  http_v10:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, valid_http_versions: ["HTTP/1.1"]}
  http_gzip:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, compression: gzip, fail_if_body_not_matches_regexp: ["^zipped text zipped"]}
  http_deflate:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, compression: deflate}
  http_gzip_limit:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, compression: gzip, body_size_limit: 1KB}
  http_slow:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4}
  https_sni:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, tls_config: {ca_file: "$T/cert.pem", server_name: localhost}}
  https_badname:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, tls_config: {ca_file: "$T/cert.pem", server_name: other.example}}
  https_fail_ssl:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4, fail_if_ssl: true, tls_config: {ca_file: "$T/cert.pem"}}
  https_client:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      tls_config: {ca_file: "$T/cert.pem", cert_file: "$T/cert.pem", key_file: "$T/key.pem"}
  tcp_tls_ca:
    prober: tcp
    timeout: 5s
    tcp: {preferred_ip_protocol: ip4, tls: true, tls_config: {ca_file: "$T/cert.pem", server_name: localhost}}
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
for p in "$HP" "$SP" "$TP" "$AP" "$MP"; do t_wait_port "$p" || t_bad "peer on port $p did not start"; done

"$BIN" --config.file="$T/bb.yml" --web.listen-address=127.0.0.1:$BP 2>"$T/bb.log" &
t_pids+=("$!"); BBPID=$!
t_wait_port "$BP" || { t_bad "blackbox_exporter did not start"; cat "$T/bb.log"; }
probe() { curl -s "http://127.0.0.1:$BP/probe?module=$1&target=$2${3:-}"; }
has() { grep -qxF "$2" <<<"$1"; }

out=$(probe http_2xx "127.0.0.1:$HP")
t_check "http success" has "$out" "probe_success 1"
t_check "http status 200" has "$out" "probe_http_status_code 200"
t_check "http ip hash" has "$out" "probe_ip_addr_hash 3.668918509e+09"
t_check "http body length" has "$out" "probe_http_uncompressed_body_length 15"
t_check "http five phases" test "$(grep -c '^probe_http_duration_seconds{phase=' <<<"$out")" = 5
out=$(probe http_204 "127.0.0.1:$HP" "&debug=true")
t_check "wrong status fails" grep -qx "probe_success 0" <<<"$out"
t_check "wrong status reason" grep -q 'Invalid HTTP response status code' <<<"$out"
out=$(probe http_regex "127.0.0.1:$HP" "&debug=true")
t_check "regex fails" grep -qx "probe_failed_due_to_regex 1" <<<"$out"
t_check "regex reason" grep -q 'Body matched regular expression' <<<"$out"
out=$(probe http_2xx "127.0.0.1:$CLOSED" "&debug=true")
t_check "closed port fails" grep -qx "probe_success 0" <<<"$out"
t_check "closed port reason" grep -q 'Error for HTTP request' <<<"$out"
out=$(probe https_ca "https://localhost:$SP/")
t_check "https success" has "$out" "probe_success 1"
t_check "https ssl" has "$out" "probe_http_ssl 1"
exp=$(awk '/^probe_ssl_earliest_cert_expiry /{printf "%d", $2}' <<<"$out")
t_check "https cert expiry $EXPIRY" test "$exp" = "$EXPIRY"
t_check "https tls version" grep -q '^probe_tls_version_info{version="TLS 1.[23]"} 1' <<<"$out"
out=$(probe http_2xx "https://127.0.0.1:$SP/" "&debug=true")
t_check "self-signed fails verification" grep -qx "probe_success 0" <<<"$out"
out=$(probe https_noverify "https://127.0.0.1:$SP/")
t_check "insecure_skip_verify success" has "$out" "probe_success 1"
t_check "no verified chain: Go zero time" has "$out" \
    "probe_ssl_last_chain_expiry_timestamp_seconds -6.21355968e+10"
out=$(probe tcp_connect "127.0.0.1:$TP")
t_check "tcp success" has "$out" "probe_success 1"
out=$(probe tcp_connect "127.0.0.1:$CLOSED")
t_check "tcp closed port fails" has "$out" "probe_success 0"
out=$(probe tcp_banner "127.0.0.1:$TP")
t_check "tcp banner success" has "$out" "probe_success 1"
out=$(probe tcp_expand "127.0.0.1:$TP" "&debug=true")
t_check "tcp send expands \${1} from the expect match" has "$out" "probe_success 1"
out=$(probe tcp_badbanner "127.0.0.1:$TP" "&debug=true")
t_check "tcp banner regex fails" has "$out" "probe_failed_due_to_regex 1"
out=$(probe tcp_tls "127.0.0.1:$SP")
t_check "tcp tls success" has "$out" "probe_success 1"
exp=$(awk '/^probe_ssl_earliest_cert_expiry /{printf "%d", $2}' <<<"$out")
t_check "tcp tls cert expiry" test "$exp" = "$EXPIRY"
# HTTP/1.1 prober behaviour: redirects, headers, auth, methods, limits, versions.
A="127.0.0.1:$AP"
out=$(probe http_follow "$A/r/3")
t_check "redirect chain followed" has "$out" "probe_success 1"
t_check "redirect chain count 3" has "$out" "probe_http_redirects 3"
t_check "redirect final status" has "$out" "probe_http_status_code 200"
out=$(probe http_follow "$A/rel")
t_check "relative redirect followed" has "$out" "probe_http_redirects 2"
out=$(probe http_follow "$A/abs")
t_check "absolute redirect to a name followed" has "$out" "probe_success 1"
out=$(probe http_nofollow "$A/r/3" "&debug=true")
t_check "no redirect: 302 accepted" has "$out" "probe_http_status_code 302"
t_check "no redirect: count 1 (Go's len(via))" has "$out" "probe_http_redirects 1"
t_check "no redirect: reason logged" grep -q 'Not following redirect' <<<"$out"
out=$(probe http_hdr_match "$A/hdr" "&debug=true")
t_check "header regex fails" has "$out" "probe_success 0"
t_check "header regex flags regex" has "$out" "probe_failed_due_to_regex 1"
t_check "header regex reason" grep -q 'Header matched regular expression' <<<"$out"
out=$(probe http_hdr_notmatch "$A/hdr")
t_check "header not-matches passes" has "$out" "probe_success 1"
t_check "last-modified" has "$out" "probe_http_last_modified_timestamp_seconds 1.44541248e+09"
t_check "HTTP/1.0 answer version" has "$out" "probe_http_version 1"
out=$(probe http_hdr_missing "$A/hdr" "&debug=true")
t_check "missing header fails" grep -q 'Missing required header' <<<"$out"
out=$(probe http_basic "$A/auth")
t_check "basic auth" has "$out" "probe_success 1"
out=$(probe http_bearer "$A/auth")
t_check "bearer token" has "$out" "probe_success 1"
out=$(probe http_2xx "$A/auth")
t_check "no auth: 401" has "$out" "probe_http_status_code 401"
out=$(probe http_post "$A/post")
t_check "POST 303 becomes GET with headers" has "$out" "probe_success 1"
out=$(probe http_2xx "$A/chunked")
t_check "chunked body length" has "$out" "probe_http_uncompressed_body_length 11"
t_check "chunked: no content length" has "$out" "probe_http_content_length -1"
t_check "chunked: HTTP/1.1" has "$out" "probe_http_version 1.1"
out=$(probe http_limit "$A/big" "&debug=true")
t_check "body_size_limit fails" has "$out" "probe_success 0"
t_check "body_size_limit reason" grep -q 'Failed to read HTTP response body' <<<"$out"
out=$(probe http_v10 "$A/r/0" "&debug=true")
t_check "valid_http_versions refuses HTTP/1.0" grep -q 'Invalid HTTP version number' <<<"$out"
out=$(probe http_gzip "$A/gz")
t_check "compression gzip: decoded body matched" has "$out" "probe_success 1"
t_check "compression gzip: uncompressed length" has "$out" "probe_http_uncompressed_body_length 1200"
out=$(probe http_deflate "$A/gz" "&debug=true")
t_check "compression deflate on gzip data fails" has "$out" "probe_success 0"
t_check "compression failure reason" grep -q 'Failed to read HTTP response body' <<<"$out"
out=$(probe http_gzip_limit "$A/gz")
t_check "body_size_limit applies after decompression" has "$out" "probe_success 0"
out=$(probe https_sni "https://127.0.0.1:$SP/")
t_check "https server_name + CA to an IP" has "$out" "probe_success 1"
t_check "https leaf info" grep -q '^probe_ssl_last_chain_info{.*subject="CN=localhost".*subjectalternative="localhost"} 1$' <<<"$out"
t_check "https verified chain expiry" has "$out" "probe_ssl_last_chain_expiry_timestamp_seconds 1.893553445e+09"
out=$(probe https_badname "https://127.0.0.1:$SP/" "&debug=true")
t_check "https wrong server_name fails" has "$out" "probe_success 0"
t_check "https wrong server_name reason" grep -q 'x509: certificate is not valid for other.example' <<<"$out"
out=$(probe https_ca "https://127.0.0.1:$SP/" "&hostname=localhost")
t_check "https hostname= is the TLS name" has "$out" "probe_success 1"
out=$(probe https_fail_ssl "https://localhost:$SP/" "&debug=true")
t_check "fail_if_ssl" grep -q 'Final request was over SSL' <<<"$out"
out=$(probe https_client "https://localhost:$MP/")
t_check "https client certificate" has "$out" "probe_success 1"
out=$(probe https_ca "https://localhost:$MP/")
t_check "https without the client certificate fails" has "$out" "probe_success 0"
out=$(probe tcp_tls_ca "127.0.0.1:$SP")
t_check "tcp tls server_name + CA" has "$out" "probe_success 1"
# One target that hangs does not hold up another probed at the same time.
probe http_slow "$A/slow" >/dev/null &
slowpid=$!
sleep 0.3
t0=$(date +%s.%N)
out=$(probe http_slow "$A/r/0")
t1=$(date +%s.%N)
t_check "fast probe beside a hanging one" has "$out" "probe_success 1"
t_check "fast probe returns in < 1 s beside a hanging one" awk -v a="$t0" -v b="$t1" 'BEGIN{exit !(b - a < 1)}'
kill -0 "$slowpid" 2>/dev/null && t_ok "hanging probe still running" || t_bad "hanging probe still running"
out=$(curl -s "http://127.0.0.1:$BP/probe?module=http_slow&target=$A/slow" \
      -H 'X-Prometheus-Scrape-Timeout-Seconds: 1.2')
t_check "hanging target times out" has "$out" "probe_success 0"
wait "$slowpid"
out=$(probe icmp 127.0.0.1)
t_check "icmp success" has "$out" "probe_success 1"
t_check "icmp hop limit" grep -q '^probe_icmp_reply_hop_limit ' <<<"$out"
if [ -x "$DNSMASQ" ]; then
    for _ in $(seq 50); do [ -s "$T/dnsmasq.pid" ] && break; sleep 0.1; done
    D="127.0.0.1:$DP"
    out=$(probe dns_a "$D")
    t_check "dns A success" has "$out" "probe_success 1"
    t_check "dns A answer count" has "$out" "probe_dns_answer_rrs 1"
    t_check "dns three phases" test "$(grep -c '^probe_dns_duration_seconds{phase=' <<<"$out")" = 3
    t_check "dns A ip hash" has "$out" "probe_ip_addr_hash 3.668918509e+09"
    out=$(probe dns_aaaa "$D" "&debug=true")
    t_check "dns AAAA success" has "$out" "probe_success 1"
    t_check "dns AAAA rr text" grep -qF 'rr="www.test.lan.\t600\tIN\tAAAA\t2001:db8::10"' <<<"$out"
    out=$(probe dns_mx_tcp "$D")
    t_check "dns MX over TCP success" has "$out" "probe_success 1"
    out=$(probe dns_txt "$D" "&debug=true")
    t_check "dns TXT success" has "$out" "probe_success 1"
    t_check "dns TXT rr text" grep -qF 'IN\tTXT\t\"v=spf1 -all\""' <<<"$out"
    out=$(probe dns_soa "$D")
    t_check "dns SOA serial" has "$out" "probe_dns_serial 2.024010101e+09"
    out=$(probe dns_nx "$D" "&debug=true")
    t_check "dns NXDOMAIN fails" has "$out" "probe_success 0"
    t_check "dns NXDOMAIN queried" has "$out" "probe_dns_query_succeeded 1"
    t_check "dns NXDOMAIN reason" grep -q 'Rcode is not one of the valid rcodes.*NXDOMAIN' <<<"$out"
    out=$(probe dns_badmatch "$D" "&debug=true")
    t_check "dns not-matches regexp fails" has "$out" "probe_success 0"
    t_check "dns not-matches reason" grep -q 'At least one RR did not match regexp' <<<"$out"
    out=$(probe dns_a "127.0.0.1:$CLOSED")
    t_check "dns closed port fails" has "$out" "probe_dns_query_succeeded 0"
else
    t_bad "dnsmasq installed (scripts/deps.sh --test)"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BP/probe?module=nosuch&target=x")
t_check "unknown module 400" test "$code" = 400
selfm() { curl -s "http://127.0.0.1:$BP/metrics"; }
t_check "blackbox_module_unknown_total counts it" has "$(selfm)" "blackbox_module_unknown_total 1"
t_check "config loaded: reload_successful 1" has "$(selfm)" "blackbox_exporter_config_last_reload_successful 1"
t_ok=$(selfm | awk '/^blackbox_exporter_config_last_reload_success_timestamp_seconds /{printf "%d", $2}')
t_check "reload success timestamp is now" test $(( $(date +%s) - ${t_ok:-0} )) -lt 600
# probe history: the landing page lists recent probes, /logs?id=N has their debug text
page=$(curl -s "http://127.0.0.1:$BP/")
t_check "landing page lists recent probes" grep -q "Recent Probes" <<<"$page"
lastid=$(grep -o "logs?id=[0-9]*" <<<"$page" | head -1 | cut -d= -f2)
t_check "newest probe first with a logs link" test -n "$lastid"
t_check "/logs?id= has the probe's debug text" sh -c "curl -s 'http://127.0.0.1:$BP/logs?id=$lastid' | grep -q 'Metrics that would have been returned'"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BP/logs?id=99999999")
t_check "/logs of an unknown id 404" test "$code" = 404
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BP/probe?module=http_2xx")
t_check "missing target 400" test "$code" = 400
out=$(curl -s -H 'X-Prometheus-Scrape-Timeout-Seconds: 1.5' \
    "http://127.0.0.1:$BP/probe?module=http_2xx&target=127.0.0.1:$HP&debug=true")
t_check "scrape timeout header caps timeout" grep -q 'timeout_seconds=1"\?$\|timeout_seconds=1 ' <<<"$out"

# reload: a bad file is refused and the old config stays; SIGHUP reloads a good one.
cp "$T/bb.yml" "$T/bb.good"
printf 'modules:\n  x:\n    prober: http\n    bogus: 1\n' > "$T/bb.yml"
code=$(curl -s -o "$T/reload.out" -w '%{http_code}' -XPOST "http://127.0.0.1:$BP/-/reload")
t_check "bad reload 500" test "$code" = 500
t_check "bad reload names file:line" grep -q "bb.yml:4:5" "$T/reload.out"
t_check "old config kept" has "$(probe http_2xx "127.0.0.1:$HP")" "probe_success 1"
t_check "bad reload: reload_successful 0" has "$(selfm)" "blackbox_exporter_config_last_reload_successful 0"
cp "$T/bb.good" "$T/bb.yml"
kill -HUP "$BBPID"; sleep 0.3
t_check "SIGHUP reload" grep -q 'Reloaded config file' "$T/bb.log"
t_check "alive after SIGHUP" has "$(probe http_2xx "127.0.0.1:$HP")" "probe_success 1"
t_check "SIGHUP reload: reload_successful 1" has "$(selfm)" "blackbox_exporter_config_last_reload_successful 1"
if command -v promtool >/dev/null; then
    t_check "promtool /metrics" sh -c "curl -s http://127.0.0.1:$BP/metrics | promtool check metrics"
fi

# Parity with the Go build: the same families (and label names) per module.
families() { grep -v '^#' | sed -E 's/[ {].*//' | sort -u; }
values() { grep -v '^#' | grep -Ev '^probe_(duration_seconds|http_duration_seconds|dns_lookup_time_seconds|ip_addr_hash)' | sort; }
labels() { grep -o '^[a-z_]*{[^}]*}' | sed -E 's/="[^"]*"//g' | sort -u; }
if [ -x "$GO" ]; then
    "$GO" --config.file="$T/bb.yml" --web.listen-address=127.0.0.1:$GP >/dev/null 2>&1 &
    t_pids+=("$!")
    dnscases=()
    [ -x "$DNSMASQ" ] && dnscases=("dns_a 127.0.0.1:$DP" "dns_soa 127.0.0.1:$DP" "dns_nx 127.0.0.1:$DP"
                                    "dns_mx_tcp 127.0.0.1:$DP" "dns_a 127.0.0.1:$CLOSED")
    if t_wait_port "$GP"; then
        for c in "http_2xx 127.0.0.1:$HP" "http_2xx 127.0.0.1:$CLOSED" "https_ca https://localhost:$SP/" \
                 "tcp_connect 127.0.0.1:$TP" "tcp_tls 127.0.0.1:$SP" "icmp 127.0.0.1" \
                 "${dnscases[@]}"; do
            set -- $c
            ours=$(probe "$1" "$2"); theirs=$(curl -s "http://127.0.0.1:$GP/probe?module=$1&target=$2")
            if [ "$(families <<<"$ours")" = "$(families <<<"$theirs")" ] &&
               [ "$(labels <<<"$ours")" = "$(labels <<<"$theirs")" ]; then
                t_ok "same families as Go: $1 $2"
            else
                t_bad "same families as Go: $1 $2"
                diff <(families <<<"$ours"; labels <<<"$ours") <(families <<<"$theirs"; labels <<<"$theirs")
            fi
        done
        # ... and the same values, but for timings, hashes and our HTTP/1.1-only version.
        A="127.0.0.1:$AP"
        for c in "http_follow $A/r/3" "http_follow $A/abs" "http_nofollow $A/r/3" "http_hdr_match $A/hdr" \
                 "http_hdr_notmatch $A/hdr" "http_2xx $A/chunked" "http_2xx $A/auth" "http_basic $A/auth" \
                 "http_limit $A/big" "http_post $A/post" "http_gzip $A/gz" "http_deflate $A/gz" "http_gzip_limit $A/gz" "https_sni https://127.0.0.1:$SP/" \
                 "https_ca https://localhost:$SP/" "https_noverify https://127.0.0.1:$SP/" \
                 "tcp_tls 127.0.0.1:$SP" "https_client https://localhost:$MP/"; do
            set -- $c
            ours=$(probe "$1" "$2"); theirs=$(curl -s "http://127.0.0.1:$GP/probe?module=$1&target=$2")
            if [ "$(values <<<"$ours")" = "$(values <<<"$theirs")" ]; then
                t_ok "same values as Go: $1 $2"
            else
                t_bad "same values as Go: $1 $2"
                diff <(values <<<"$ours") <(values <<<"$theirs")
            fi
        done
    else
        t_bad "Go blackbox_exporter did not start"
    fi
else
    t_bad "Go blackbox_exporter installed at $GO (scripts/deps.sh --test)"
fi
t_summary
