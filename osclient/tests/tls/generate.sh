#!/bin/sh
# Regenerates the test PKI of osclient's TLS tests (EC P-256, PKCS#8 keys, 100 years).
set -eu
cd "$(dirname "$0")"
days=36500
gen() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
gen ca.key
openssl req -x509 -new -key ca.key -sha256 -days $days -subj "/CN=osclient test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem
gen server.key
openssl req -new -key server.key -subj "/CN=localhost" -out server.csr
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days $days -sha256 -extfile server.ext -out server.pem
gen client.key
openssl req -new -key client.key -subj "/CN=osclient test client" -out client.csr
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > client.ext
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days $days -sha256 -extfile client.ext -out client.pem
gen other-ca.key
openssl req -x509 -new -key other-ca.key -sha256 -days $days -subj "/CN=unrelated CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" -out other-ca.pem
rm -f server.csr server.ext client.csr client.ext ca.srl other-ca.key
