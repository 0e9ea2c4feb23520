#!/usr/bin/env bash
# cephwire bootstrap: installs every Debian package the project needs.
# Idempotent and quiet when everything is already present. Run as root on Debian 12.
set -euo pipefail

PACKAGES=(
  # build: Bazel 4.2.3 from Debian, offline
  bazel-bootstrap bazel-platforms
  # compilers: g++ 12 (default), clang-16 + libFuzzer/sanitizer runtimes
  g++ clang-16 libclang-rt-16-dev llvm-16
  # libraries (entered through Bazel local repositories, see third_party/)
  libgtest-dev libgmock-dev libbenchmark-dev libboost-dev libboost-system-dev
  libpcap-dev nlohmann-json3-dev libcli11-dev libfmt-dev libexpected-dev libisal-dev
  libssl-dev
  # real Ceph 16.2.15 (Pacific): cluster, client library, tools
  ceph-mon ceph-osd ceph-common librados-dev libradospp-dev librbd-dev
  # captures
  tshark libpcap0.8
  # misc tools used by scripts
  python3 jq xxd iproute2 procps
  # the conformance report is checked in a headless browser
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing ${#missing[@]} package(s): ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer once, non-interactively.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Bazel's output base lives under the user's cache; nothing else to set up.
if ! command -v bazel >/dev/null 2>&1; then
  echo "bootstrap: bazel not on PATH after install" >&2
  exit 1
fi
