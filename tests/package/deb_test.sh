#!/usr/bin/env bash
# The Debian package of a built tree (cmake/package.cmake): cpack -G DEB,
# then dpkg-deb --info/--contents and the unpacked files are checked:
# package name and architecture, every installed piece present under /usr,
# binaries of the right machine (`file`), no RUNPATH, every DT_NEEDED
# covered by the package itself or a declared dependency, the declared libc6
# at least the newest GLIBC symbol version used, a relocatable edgellm.pc.
# usage: deb_test.sh BUILD_DIR [DEB_ARCH [FILE_MACHINE]]
#   defaults: arm64 "ARM aarch64" (the cross build, build/aarch64)
# Then tests/package/consumer is built against the unpacked package and run
# with the packaged CLI (arm64: aarch64 toolchain, qemu-aarch64).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
arch=${2:-arm64}
machine=${3:-ARM aarch64}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
step() { echo "-- $*"; }

step "cpack -G DEB ($build)"
(cd "$build" && cpack -G DEB -B "$tmp/out") >"$tmp/cpack.log" 2>&1 || { cat "$tmp/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb=$(find "$tmp/out" -maxdepth 1 -name '*.deb' | head -n 1)
[ -n "$deb" ] || { cat "$tmp/cpack.log"; echo "FAIL: no .deb produced"; exit 1; }
echo "   $(basename "$deb")"

step "dpkg-deb --info"
dpkg-deb --info "$deb" >"$tmp/info" || { echo "FAIL: dpkg-deb --info"; exit 1; }
sed -n 's/^ \(Package\|Version\|Architecture\|Depends\|Installed-Size\):/   &/p' "$tmp/info"
grep -qx " Package: edgellm" "$tmp/info" || fail "package name is not edgellm"
grep -qx " Architecture: $arch" "$tmp/info" || fail "architecture is not $arch"
depends=$(sed -n 's/^ Depends: //p' "$tmp/info")
[ -n "$depends" ] || fail "no Depends"

step "dpkg-deb --contents"
dpkg-deb --contents "$deb" | awk '{print $6}' | sed 's|^\./||' >"$tmp/contents"
need=('usr/bin/edgellm$' 'usr/lib/(.*/)?libedgellm\.so\.0$' 'usr/lib/(.*/)?libedgellm\.so\.0\.[0-9.]+$'
  'usr/lib/(.*/)?libedgellm\.so$' 'usr/include/edgellm\.h$' 'usr/lib/(.*/)?pkgconfig/edgellm\.pc$'
  'usr/lib/(.*/)?cmake/edgellm/edgellmConfig\.cmake$' 'usr/lib/(.*/)?cmake/edgellm/edgellmConfigVersion\.cmake$'
  'usr/lib/(.*/)?cmake/edgellm/edgellmTargets\.cmake$')
for re in "${need[@]}"; do
  grep -Eq "^$re" "$tmp/contents" && echo "   $(grep -E "^$re" "$tmp/contents" | head -n 1)" || fail "missing in the package: $re"
done
grep -Eq 'test|bench|\.a$' "$tmp/contents" && fail "test/bench files packaged: $(grep -E 'test|bench|\.a$' "$tmp/contents")"

step "unpacked binaries"
x=$tmp/x
dpkg-deb -x "$deb" "$x"
readelf=readelf
[ "$arch" = arm64 ] && readelf=aarch64-linux-gnu-readelf
lib=$(find "$x/usr/lib" -name 'libedgellm.so.0.*' -type f | head -n 1)
[ -f "$x/usr/bin/edgellm" ] && [ -n "$lib" ] || fail "unpacked CLI or library missing"
mapfile -t elfs < <(find "$x" -type f -exec sh -c 'file -b "$1" | grep -q "^ELF" && echo "$1"' _ {} \; | sort)
for f in "${elfs[@]}"; do
  desc=$(file -b "$f")
  echo "   ${f#"$x"/}: ${desc%%, BuildID*}"
  case "$desc" in *"$machine"*) ;; *) fail "${f#"$x"/} is not $machine" ;; esac
  rp=$($readelf -d "$f" | grep -E 'RPATH|RUNPATH')
  [ -z "$rp" ] || fail "${f#"$x"/} keeps a run path: $rp"
done

# Every needed shared library: provided by this package or a declared dependency.
declare -A pkg_of=([libc.so.6]=libc6 [libm.so.6]=libc6 [libpthread.so.0]=libc6 [libdl.so.2]=libc6
  [ld-linux-aarch64.so.1]=libc6 [ld-linux-x86-64.so.2]=libc6 [libstdc++.so.6]=libstdc++6
  [libgcc_s.so.1]=libgcc-s1 [libhwloc.so.15]=libhwloc15 [libnuma.so.1]=libnuma1
  [libcpp-httplib.so.0.11]=libcpp-httplib0.11 [libgpiod.so.2]=libgpiod2 [libvulkan.so.1]=libvulkan1)
for so in $(for f in "${elfs[@]}"; do $readelf -d "$f"; done | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u); do
  if [ "$so" = libedgellm.so.0 ]; then continue; fi
  p=${pkg_of[$so]:-}
  if [ -z "$p" ]; then fail "needed $so: no known Debian package (add it to the map and to CPACK_DEBIAN_PACKAGE_DEPENDS)"
  elif [[ ", $depends," != *", $p"[\ ,]* ]]; then fail "needed $so but Depends lacks $p"
  else echo "   needs $so -> $p"; fi
done
glibc=$(for f in "${elfs[@]}"; do $readelf -V "$f"; done | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n 1)
declared=$(echo "$depends" | sed -n 's/.*libc6 (>= \([0-9.]*\)).*/\1/p')
if [ -z "$declared" ]; then fail "Depends has no libc6 (>= version)"
elif [ "$(printf '%s\n%s\n' "$glibc" "$declared" | sort -V | tail -n 1)" != "$declared" ]; then
  fail "binaries need GLIBC_$glibc but Depends says libc6 (>= $declared)"
else echo "   newest GLIBC symbol version used: $glibc (Depends: libc6 >= $declared)"; fi

step "edgellm.pc relocated into the unpacked tree"
pc=$(find "$x/usr/lib" -name edgellm.pc | head -n 1)
if [ -n "$pc" ]; then
  ldir=$(PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_LIBDIR='' pkg-config --variable=libdir edgellm)
  [ "$(realpath -m "$ldir")" = "$(dirname "$lib")" ] && echo "   libdir=$ldir" || fail "edgellm.pc libdir $ldir is not the packaged library's folder"
fi

# The package as a development kit: tests/package/consumer (find_package)
# built against the unpacked tree, then run with the packaged CLI on a tiny
# model (arm64: cross-compiled with the aarch64 toolchain, run under qemu).
cfg=(-DCMAKE_BUILD_TYPE=Release "-Dedgellm_DIR=$(dirname "$pc")/../cmake/edgellm")
emu=()
if [ "$arch" = arm64 ]; then
  sysroot=/usr/aarch64-linux-gnu
  cfg+=(--toolchain "$root/toolchains/aarch64-linux-gnu.cmake")
  emu=(qemu-aarch64 -L "$sysroot" -E "LD_LIBRARY_PATH=$sysroot/lib:$(dirname "$lib")")
  command -v qemu-aarch64 >/dev/null || { echo "FAIL: qemu-aarch64 missing"; exit 1; }
fi
step "outside project against the unpacked package, run with the packaged CLI"
if cmake -S "$root/tests/package/consumer" -B "$tmp/consumer" -G Ninja "${cfg[@]}" >"$tmp/consumer.log" 2>&1 &&
   cmake --build "$tmp/consumer" >>"$tmp/consumer.log" 2>&1; then
  LD_LIBRARY_PATH=$([ "$arch" = arm64 ] || dirname "$lib") \
    bash "$root/tests/examples/simple_test.sh" "$x/usr/bin/edgellm" "$tmp/consumer/simple_consumer" "${emu[@]}" ||
    fail "the packaged CLI / consumer did not run"
else
  cat "$tmp/consumer.log"; fail "consumer project did not build against the package"
fi

if [ $fails -ne 0 ]; then echo "deb_test: $fails check(s) failed"; exit 1; fi
echo "deb_test: ok"
