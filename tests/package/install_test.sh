#!/usr/bin/env bash
# `cmake --install` of a host build into a temporary prefix, then two outside
# builds of examples/simple.c against that installed tree only:
#   - tests/package/consumer (find_package(edgellm) + edgellm::edgellm)
#   - plain cc with `pkg-config --cflags --libs edgellm`
# Both, and the installed CLI, must run on a synthesized tiny model
# (tests/examples/simple_test.sh) with libedgellm resolved from the prefix.
# usage: install_test.sh BUILD_DIR   (a built host tree, e.g. build/release)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
step() { echo "-- $*"; }

step "cmake --install $build --prefix <tmp>/prefix"
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; echo "FAIL: install"; exit 1; }

lib=$(find "$prefix" -name 'libedgellm.so.0' | head -n 1)
[ -n "$lib" ] || { find "$prefix"; echo "FAIL: no libedgellm.so.0 installed"; exit 1; }
libdir=$(dirname "$lib")
for f in bin/edgellm include/edgellm.h; do
  [ -f "$prefix/$f" ] || fail "$f not installed"
done
for f in libedgellm.so pkgconfig/edgellm.pc cmake/edgellm/edgellmConfig.cmake \
    cmake/edgellm/edgellmConfigVersion.cmake cmake/edgellm/edgellmTargets.cmake; do
  [ -e "$libdir/$f" ] || fail "${libdir#"$prefix"/}/$f not installed"
done
stray=$(find "$prefix" -type f \( -name '*test*' -o -name '*bench*' -o -name '*.a' \))
[ -z "$stray" ] && echo "   no test/bench binaries or static libraries installed" || fail "installed: $stray"
# The export must name no build-tree target or path.
if grep -q -e "$build" -e "$root" -e edgellm_placement "$libdir"/cmake/edgellm/*.cmake "$libdir/pkgconfig/edgellm.pc"; then
  fail "installed package files mention the build tree or a non-installed target"
fi
for f in "$prefix/bin/edgellm" "$libdir"/libedgellm.so.0.*; do
  rp=$(readelf -d "$f" | grep -E 'RPATH|RUNPATH')
  [ -z "$rp" ] || fail "$f keeps a run path: $rp"
done

step "outside CMake project: find_package(edgellm) + edgellm::edgellm"
if cmake -S "$root/tests/package/consumer" -B "$tmp/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$tmp/consumer.log" 2>&1 &&
   cmake --build "$tmp/consumer" >>"$tmp/consumer.log" 2>&1; then
  grep -q "edgellm_DIR:PATH=$libdir/cmake/edgellm" "$tmp/consumer/CMakeCache.txt" ||
    fail "find_package found edgellm elsewhere: $(grep edgellm_DIR "$tmp/consumer/CMakeCache.txt")"
else
  cat "$tmp/consumer.log"; fail "consumer project did not build"
fi

step "pkg-config: cc simple.c \$(pkg-config --cflags --libs edgellm)"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
if flags=$(pkg-config --cflags --libs edgellm); then
  echo "   $flags"
  for d in $(pkg-config --libs-only-L edgellm) $(pkg-config --cflags-only-I edgellm); do
    case "$(realpath -m "${d:2}")" in
      "$(realpath "$libdir")" | "$(realpath "$prefix")/include") ;;
      *) fail "pkg-config points outside the prefix: $d" ;;
    esac
  done
  # shellcheck disable=SC2086
  cc -std=c11 -Wall -Wextra -Werror "$root/examples/simple.c" $flags -o "$tmp/simple_pc" ||
    fail "simple.c did not compile with pkg-config flags"
  [ "$(pkg-config --modversion edgellm)" = "$(sed -n 's/^Version: //p' "$libdir/pkgconfig/edgellm.pc")" ] ||
    fail "pkg-config --modversion"
else
  fail "pkg-config does not find edgellm"
fi

step "run the installed CLI and both outside builds (LD_LIBRARY_PATH=<prefix lib>)"
export LD_LIBRARY_PATH="$libdir"
for exe in "$prefix/bin/edgellm" "$tmp/consumer/simple_consumer" "$tmp/simple_pc"; do
  [ -x "$exe" ] || continue
  got=$(ldd "$exe" | awk '/libedgellm/ {print $3}')
  [ "$got" = "$libdir/libedgellm.so.0" ] || fail "$(basename "$exe") loads libedgellm from '$got', not the prefix"
done
for exe in "$tmp/consumer/simple_consumer" "$tmp/simple_pc"; do
  [ -x "$exe" ] || { fail "$(basename "$exe") missing"; continue; }
  echo "   $(basename "$exe"):"
  bash "$root/tests/examples/simple_test.sh" "$prefix/bin/edgellm" "$exe" || fail "$(basename "$exe") run"
done

if [ $fails -ne 0 ]; then echo "install_test: $fails check(s) failed"; exit 1; fi
echo "install_test: ok"
