#!/usr/bin/env bash
# Installs the Debian packages edgellm needs to build and test, only those
# that are missing (non-interactive). Safe to run repeatedly.
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ make pkg-config python3
  clang libclang-rt-14-dev            # libFuzzer + sanitizer runtimes
  googletest libgtest-dev nlohmann-json3-dev
  libcli11-dev                        # the CLI's command-line parser (header-only, any architecture)
  libsimde-dev                        # AVX-512 kernels checked under emulation on AVX2 hosts
  g++-aarch64-linux-gnu qemu-user     # aarch64 cross build, tests under qemu
  libhwloc-dev libnuma-dev            # CPU topology, thread pinning, NUMA placement
  libhwloc-dev:arm64 libnuma-dev:arm64  # the same for the cross build (Debian multiarch)
  libcpp-httplib-dev curl             # edgellm serve (HTTP) and its tests
  libcpp-httplib-dev:arm64            # the same for the cross build
  libgpiod-dev libgpiod-dev:arm64     # examples/appliance (GPIO button + LED)
  dpkg-dev file                       # packaging checks (dpkg-deb, file)
  libvulkan-dev glslang-tools         # Vulkan backend: loader + headers, GLSL -> SPIR-V at build time
  libvulkan-dev:arm64                 # the same for the cross build
  mesa-vulkan-drivers                 # lavapipe: a CPU Vulkan device for the Vulkan tests
)

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

# The cross build links arm64 hwloc/libnuma from Debian's multiarch packages.
need_update=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "deps: enabling the arm64 architecture (multiarch) for the cross build"
  $SUDO dpkg --add-architecture arm64
  need_update=1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ] || [ $need_update -eq 1 ]; then
  echo "deps: installing ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "deps: all packages present"
fi

# The server tests drive edgellm serve with the official openai npm client:
# Node.js + npm from Debian unless a Node.js with npm is already installed.
if ! command -v npm >/dev/null 2>&1; then
  echo "deps: installing nodejs npm"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
