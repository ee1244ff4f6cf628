#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# parse_cases_record.py: (re)record parse_cases.h from a real Prometheus 2.42 server.
# Usage: run `prometheus --config.file=p.yml --web.listen-address=127.0.0.1:PORT` (any
# minimal config), then
#   parse_cases_record.py http://127.0.0.1:PORT [more_queries.txt ...]
# Every query already in parse_cases.h, plus one query per line of each extra file
# (a \x01 byte stands for a newline), is sent to /api/v1/format_query; the answer
# (the formatted text, or the error without its "invalid parameter" prefix) becomes
# the expectation. The header is rewritten in place.
import json, os, re, sys, urllib.error, urllib.parse, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, 'parse_cases.h')

def c_unescape(body):
    out, i = bytearray(), 0
    simple = {'n': 10, 't': 9, '"': 34, '\\': 92, '?': 63, 'r': 13}
    while i < len(body):
        c = body[i]
        if c != '\\':
            out += c.encode('latin-1'); i += 1; continue
        n = body[i + 1]
        if n in simple:
            out.append(simple[n]); i += 2
        else:
            out.append(int(body[i + 1:i + 4], 8)); i += 4
    return bytes(out)

def c_escape(b):
    o = '"'
    for ch in b:
        c = chr(ch)
        if c == '"': o += '\\"'
        elif c == '\\': o += '\\\\'
        elif c == '\n': o += '\\n'
        elif c == '\t': o += '\\t'
        elif c == '?': o += '\\?'
        elif 32 <= ch < 127: o += c
        else: o += '\\%03o' % ch
    return o + '"'

def ask(base, q):
    data = urllib.parse.urlencode({'query': q}).encode()
    try:
        d = json.load(urllib.request.urlopen(base + '/api/v1/format_query', data))
    except urllib.error.HTTPError as e:
        d = json.load(e)
    if d['status'] == 'success':
        return 1, d['data'].encode()
    return 0, d['error'].replace('invalid parameter "query": ', '').encode()

def main():
    base = sys.argv[1].rstrip('/')
    text = open(PATH, encoding='latin-1').read()
    head = text[:text.index('static const struct pql_case pql_cases[] = {')]
    queries = [c_unescape(m) for m in
               re.findall(r'^    \{"((?:[^"\\]|\\.)*)", [01],$', text, re.M)]
    for f in sys.argv[2:]:
        for line in open(f, 'rb').read().split(b'\n'):
            if line and line.replace(b'\x01', b'\n') not in queries:
                queries.append(line.replace(b'\x01', b'\n'))
    out = [head, 'static const struct pql_case pql_cases[] = {\n']
    for q in queries:
        ok, res = ask(base, q)
        out.append('    {%s, %d,\n     %s},\n' % (c_escape(q), ok, c_escape(res)))
    out.append('};\n')
    open(PATH, 'w', encoding='latin-1').write(''.join(out))
    print(f'{len(queries)} cases recorded', file=sys.stderr)

main()
