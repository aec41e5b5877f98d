#!/usr/bin/env bash
# Installs everything OneKey needs on a fresh machine: Debian packages (when root and missing),
# then the npm workspaces under Node 22 (Hardhat 3 and its native simulator need it; the
# machine may only have Node 20). Idempotent: a second run is quick.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE22_VERSION=22.23.3
# softhsm2 + opensc: the review service's PKCS#11 key store is tested on a real SoftHSM2 token.
# chromium: the SDK's cross-runtime tests and bench:sdk run the browser build in headless Chromium.
APT_PACKAGES=(postgresql softhsm2 opensc chromium)

need_apt=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing Debian packages ${need_apt[*]} (run as root or install them); the PostgreSQL and SoftHSM2 tests will be skipped" >&2
  fi
fi

npm_flags=(--no-audit --no-fund --loglevel=error)
if [ -x node_modules/.bin/node ] && node_modules/.bin/node -v | grep -q '^v22\.'; then
  PATH="$PWD/node_modules/.bin:$PATH" npm install "${npm_flags[@]}"
else
  # First install: run npm itself under Node 22 so platform-gated native bindings install.
  npx -y -p "node@${NODE22_VERSION}" -- npm install "${npm_flags[@]}"
fi

# Hardhat's simulator binding is skipped silently when npm ran under the wrong Node.
if [ ! -d node_modules/@nomicfoundation/edr-linux-x64-gnu ] && [ "$(uname -m)" = x86_64 ]; then
  echo "setup: EDR native binding missing; reinstalling under Node 22" >&2
  PATH="$PWD/node_modules/.bin:$PATH" npm install "${npm_flags[@]}"
fi

PATH="$PWD/node_modules/.bin:$PATH" npx hardhat build --quiet >/dev/null
PATH="$PWD/node_modules/.bin:$PATH" node scripts/gen-abis.ts --check
# Scripts, Hardhat and Ponder load @onekey/sdk from its build, like any other consumer.
PATH="$PWD/node_modules/.bin:$PATH" node scripts/sdk-build.ts --force
# The web app (app/dist), served by the local stack's app server.
PATH="$PWD/node_modules/.bin:$PATH" npm run build -w app >/dev/null
echo "setup: done (node $(node_modules/.bin/node -v))"
