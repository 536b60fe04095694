#!/usr/bin/env bash
# Mints the TLS material meshward serves with, using only openssl: an EC P-256 CA and a
# serving certificate for the webhook Service (and localhost), optionally a client
# certificate for --client-ca. Prints the base64 caBundle on stdout and nothing else.
set -euo pipefail

usage() {
  cat >&2 <<'EOF'
Usage: certs/generate.sh --service NAME --namespace NS --out DIR [--days N] [--ca-days N] [--force]
       certs/generate.sh --client NAME --out DIR [--days N]

  --service NAME    the webhook Service; the serving certificate (DIR/tls.crt, DIR/tls.key) is
                    valid for NAME, NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local, localhost,
                    127.0.0.1 and ::1
  --namespace NS    the Service's namespace (required with --service)
  --out DIR         where the files go (created if missing)
  --days N          lifetime of the serving/client certificate in days (default 365)
  --ca-days N       lifetime of a new CA in days (default 3650)
  --force           replace an existing CA (DIR/ca.key); every caBundle must then be updated
  --client NAME     also mint DIR/client.crt and DIR/client.key (CN=NAME, clientAuth), signed
                    by the CA in DIR (created when DIR has none)

Prints the base64 caBundle (DIR/ca.crt) on stdout as one line; progress goes to stderr.
EOF
}

fail() {
  echo "generate.sh: $*" >&2
  exit 1
}

usage_error() {
  echo "generate.sh: $*; run with --help for usage" >&2
  exit 2
}

service=""
namespace=""
out_dir=""
client=""
days=365
ca_days=3650
force=false

while [ $# -gt 0 ]; do
  case "$1" in
    --service|--namespace|--out|--days|--ca-days|--client)
      [ $# -ge 2 ] || usage_error "$1 needs a value"
      case "$1" in
        --service) service=$2 ;;
        --namespace) namespace=$2 ;;
        --out) out_dir=$2 ;;
        --days) days=$2 ;;
        --ca-days) ca_days=$2 ;;
        --client) client=$2 ;;
      esac
      shift 2
      ;;
    --force) force=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done

dns_label='^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'
positive_integer='^[1-9][0-9]{0,5}$'

[ -n "$out_dir" ] || usage_error "--out is required"
[ -n "$service" ] || [ -n "$client" ] || usage_error "give --service (with --namespace) and/or --client"
if [ -n "$service" ]; then
  [ -n "$namespace" ] || usage_error "--service needs --namespace"
  [[ "$service" =~ $dns_label ]] || usage_error "--service '$service' is not a DNS-1123 label"
  [[ "$namespace" =~ $dns_label ]] || usage_error "--namespace '$namespace' is not a DNS-1123 label"
elif [ -n "$namespace" ]; then
  usage_error "--namespace needs --service"
fi
if [ -n "$client" ] && ! [[ "$client" =~ ^[A-Za-z0-9][-A-Za-z0-9_.:@]{0,63}$ ]]; then
  usage_error "--client '$client' must be 1-64 letters, digits or -_.:@"
fi
[[ "$days" =~ $positive_integer ]] || usage_error "--days must be a positive number of days"
[[ "$ca_days" =~ $positive_integer ]] || usage_error "--ca-days must be a positive number of days"
command -v openssl >/dev/null || fail "openssl is not installed"

mkdir -p "$out_dir"
ca_exists=false
if [ -e "$out_dir/ca.key" ]; then
  ca_exists=true
fi
if $ca_exists && [ -n "$service" ] && ! $force; then
  fail "$out_dir/ca.key exists; pass --force to replace the CA (every caBundle must then be updated)"
fi
new_ca=false
if ! $ca_exists || $force; then
  new_ca=true
  [ "$days" -le "$ca_days" ] || usage_error "--days ($days) must not exceed --ca-days ($ca_days)"
elif [ ! -f "$out_dir/ca.crt" ]; then
  fail "$out_dir/ca.key exists but $out_dir/ca.crt does not"
fi

# Everything is written to a scratch folder beside the outputs and renamed into place, so an
# interrupted run never leaves a half-written pair; keys are private from the start.
umask 077
work=$(mktemp -d "$out_dir/.generate.XXXXXX")
trap 'rm -rf "$work"' EXIT

cat >"$work/openssl.cnf" <<EOF
[req]
distinguished_name = subject
prompt = no

[subject]
CN = meshward

[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName = @server_names

[server_names]
DNS.1 = ${service:-unused}
DNS.2 = ${service:-unused}.${namespace:-unused}
DNS.3 = ${service:-unused}.${namespace:-unused}.svc
DNS.4 = ${service:-unused}.${namespace:-unused}.svc.cluster.local
DNS.5 = localhost
IP.1 = 127.0.0.1
IP.2 = ::1

[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
EOF

run_openssl() {
  local output
  if ! output=$(openssl "$@" 2>&1); then
    echo "$output" >&2
    fail "openssl $1 failed"
  fi
}

new_key() {
  run_openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
}

random_serial() {
  # 64 random bits with a leading 0x01 byte keep the serial positive and unique.
  echo "0x01$(openssl rand -hex 8)"
}

# sign_leaf KEY CERT SUBJECT_CN EXTENSION_SECTION
sign_leaf() {
  run_openssl req -new -config "$work/openssl.cnf" -key "$1" -subj "/CN=$3" -out "$work/leaf.csr"
  run_openssl x509 -req -in "$work/leaf.csr" -CA "$ca_crt" -CAkey "$ca_key" -set_serial "$(random_serial)" \
    -days "$days" -sha256 -extfile "$work/openssl.cnf" -extensions "$4" -out "$2"
}

ca_key="$out_dir/ca.key"
ca_crt="$out_dir/ca.crt"
if $new_ca; then
  ca_key="$work/ca.key"
  ca_crt="$work/ca.crt"
  new_key "$ca_key"
  run_openssl req -x509 -new -config "$work/openssl.cnf" -key "$ca_key" -subj "/CN=meshward-ca" \
    -days "$ca_days" -sha256 -extensions ca -out "$ca_crt"
  echo "generate.sh: new CA (valid $ca_days days)" >&2
fi

if [ -n "$service" ]; then
  new_key "$work/tls.key"
  sign_leaf "$work/tls.key" "$work/tls.crt" "$service.$namespace.svc" server
  echo "generate.sh: serving certificate for $service.$namespace.svc (valid $days days)" >&2
fi

if [ -n "$client" ]; then
  new_key "$work/client.key"
  sign_leaf "$work/client.key" "$work/client.crt" "$client" client
  echo "generate.sh: client certificate for $client (valid $days days)" >&2
fi

# A replaced CA invalidates every certificate it signed that this run did not re-issue.
if $new_ca && $ca_exists; then
  for file in tls.crt tls.key client.crt client.key; do
    if [ ! -f "$work/$file" ] && [ -e "$out_dir/$file" ]; then
      rm -f "$out_dir/$file"
      echo "generate.sh: removed $out_dir/$file (signed by the replaced CA)" >&2
    fi
  done
fi

for file in ca.crt tls.crt client.crt; do
  if [ -f "$work/$file" ]; then
    chmod 0644 "$work/$file"
  fi
done
for file in ca.key ca.crt tls.key tls.crt client.key client.crt; do
  if [ -f "$work/$file" ]; then
    mv -f "$work/$file" "$out_dir/$file"
    echo "generate.sh: wrote $out_dir/$file" >&2
  fi
done

openssl base64 -A -in "$out_dir/ca.crt"
echo
