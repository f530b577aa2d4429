#!/usr/bin/env bash
# Installs, from Debian's packages, the programs the tests run that a fresh
# machine may lack: openssl (verifies pass signatures as a second, independent
# verifier), Chromium (the browser tests of shared/web/browsertest drive it),
# and Node.js with npm (installs the web pages' QR decoder and, for the pass.json
# schema checks, passkit-generator from their lockfiles), jq and curl (the
# README's deploy steps, which infra/template's test runs as written), and
# poppler-utils (reads the printed card's PDF as a reader would).
# DynamoDB Local and its JRE are installed by infra/dynamodb-local.
# Nothing is done when everything is already there.
set -euo pipefail

need=()
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)

if ((${#need[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-test-tools: missing ${need[*]}; install them (apt-get install ${need[*]}) or run as root" >&2
  exit 1
fi
echo "install-test-tools: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
