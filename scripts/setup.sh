#!/usr/bin/env bash
# Installs every Debian 12 package callscribe needs (only what is missing),
# then configures and builds. Only apt-get runs as root (through sudo when
# you are not root), so build/ stays yours. Quick when everything is there.
# Afterwards: build/callscribe serve
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config git clang libclang-rt-14-dev llvm
  libcaf-dev libboost-dev libboost-test-dev libboost-program-options-dev
  libcurl4-openssl-dev nlohmann-json3-dev libssl-dev libicu-dev libspdlog-dev libfmt-dev
  libsoci-dev libsqlite3-dev libpq-dev sqlite3
  libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us
  libsndfile1-dev libsamplerate0-dev libmpg123-dev flite sox
  pocketsphinx pocketsphinx-testdata sctk
  wamerican wrk
  chromium chromium-driver
  postgresql
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  as_root=()
  if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
      echo "setup: installing ${missing[*]} needs root; run this script as root once" >&2
      exit 1
    fi
    as_root=(sudo)
  fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [[ ${1:-} == --install-only ]]; then exit 0; fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build
# An example call for the README's quick start (`callscribe simulate-call`).
if [[ ! -f build/example-call.wav ]]; then
  flite -voice rms -t "Hello, I am locked out of my house in Boston. I need a locksmith as soon as possible." \
    -o build/example-call.wav
fi
