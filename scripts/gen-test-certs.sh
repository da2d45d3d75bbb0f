#!/usr/bin/env bash
# Test certificates for TLS, made with openssl as Redis's utils/gen-test-certs.sh
# makes them for its suite (the same files and names, so Redis's suite run with
# --tls finds them where it looks):
#
#   DIR/ca.{crt,key}       a self-signed CA
#   DIR/redis.{crt,key}    a certificate with no key usage restriction
#   DIR/server.{crt,key}   restricted to TLS servers
#   DIR/client.{crt,key}   restricted to TLS clients
#   DIR/redis.dh           DH parameters (2048 bits)
#
# Usage: scripts/gen-test-certs.sh [DIR]   (default tests/tls, as Redis's)
# Files already there are kept (a CA key, a DH file), so a rerun is quick.
set -euo pipefail
dir=${1:-tests/tls}
mkdir -p "$dir"
command -v openssl >/dev/null || { echo "gen-test-certs: openssl not found (apt-get install openssl)" >&2; exit 2; }

gen_cert() { # name cn [x509 options...]
  local name=$1 cn=$2; shift 2
  [[ -f $dir/$name.key ]] || openssl genrsa -out "$dir/$name.key" 2048 2>/dev/null
  openssl req -new -sha256 -subj "/O=Redis Test/CN=$cn" -key "$dir/$name.key" |
    openssl x509 -req -sha256 -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAserial "$dir/ca.txt" \
      -CAcreateserial -days 365 "$@" -out "$dir/$name.crt" 2>/dev/null
}

[[ -f $dir/ca.key ]] || openssl genrsa -out "$dir/ca.key" 4096 2>/dev/null
[[ -f $dir/ca.crt ]] || openssl req -x509 -new -nodes -sha256 -key "$dir/ca.key" -days 3650 \
  -subj '/O=Redis Test/CN=Certificate Authority' -out "$dir/ca.crt"

cat > "$dir/openssl.cnf" <<'CNF'
[ server_cert ]
keyUsage = digitalSignature, keyEncipherment
nsCertType = server

[ client_cert ]
keyUsage = digitalSignature, keyEncipherment
nsCertType = client
CNF

gen_cert server Server-only -extfile "$dir/openssl.cnf" -extensions server_cert
gen_cert client Client-only -extfile "$dir/openssl.cnf" -extensions client_cert
gen_cert redis Generic-cert
# DH parameters: RFC 7919's ffdhe2048 group (PKCS#3, as Redis reads them), made at once
[[ -f $dir/redis.dh ]] || openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$dir/redis.dh"
