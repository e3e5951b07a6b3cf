#!/usr/bin/env bash
# Installs the Debian packages edgellm needs to build and test, only those
# that are missing (non-interactive). Safe to run repeatedly.
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ make pkg-config python3
  clang libclang-rt-14-dev            # libFuzzer + sanitizer runtimes
  googletest libgtest-dev nlohmann-json3-dev
  g++-aarch64-linux-gnu qemu-user     # aarch64 cross build, tests under qemu
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "deps: all packages present"
fi
