#!/usr/bin/env bash
# Per-ISA kernel objects must not define weak (linker-merged) functions.
#
# Each kernels/<arch>/*_<isa>.cpp is compiled with its ISA's flags. An
# inline function with external linkage that such a file emits out of line
# becomes a weak symbol; the linker keeps one copy for every object that
# emitted it, and if that copy came from an AVX-512 or dotprod object, code
# meant for the baseline or another path would run its instructions (SIGILL
# on a CPU without them). Shared helpers therefore have internal linkage
# (kernels/repacked_groups.h); this test keeps it that way for every build
# (optimized, sanitized, cross) by listing the objects' weak functions.
#
# usage: isa_objects_test.sh NM OBJECT_DIR
set -uo pipefail
nm=${1:?nm}
dir=${2:?object dir}
mapfile -t objs < <(find "$dir" -name '*_avx2.cpp.o' -o -name '*_avx512.cpp.o' \
  -o -name '*_dotprod.cpp.o' -o -name '*_i8mm.cpp.o' -o -name '*_fp16.cpp.o' | sort)
if [ ${#objs[@]} -eq 0 ]; then
  echo "isa_objects_test: FAIL: no per-ISA kernel objects under $dir" >&2
  exit 1
fi
bad=0
for o in "${objs[@]}"; do
  # W = weak function/object with a default value (code here); V (weak
  # data such as DW.ref.__gxx_personality_v0) cannot hold instructions.
  weak=$("$nm" -C --defined-only "$o" | awk '$2 == "W"')
  if [ -n "$weak" ]; then
    echo "isa_objects_test: FAIL: $(basename "$o") defines weak functions:" >&2
    echo "$weak" | sed 's/^/  /' >&2
    bad=1
  fi
done
[ $bad -eq 0 ] && echo "isa_objects_test: ${#objs[@]} per-ISA kernel objects, no weak functions"
exit $bad
