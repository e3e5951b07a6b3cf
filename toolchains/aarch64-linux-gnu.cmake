# Cross build for 64-bit ARM Linux with Debian's g++-aarch64-linux-gnu.
# The baseline is armv8-a (runs on every Cortex-A53 and later); faster
# kernels are compiled per file and chosen at run time.
# Tests run transparently under qemu-aarch64 (ctest uses the emulator);
# pick the emulated CPU with -DEDGELLM_QEMU_CPU=cortex-a53|cortex-a72|
# cortex-a76|max, or leave it empty and set QEMU_CPU in the environment.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

set(EDGELLM_AARCH64_SYSROOT /usr/aarch64-linux-gnu CACHE PATH "aarch64 runtime libraries for qemu")
set(CMAKE_FIND_ROOT_PATH ${EDGELLM_AARCH64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Libraries beyond libc (hwloc, libnuma) come from Debian's multiarch arm64
# packages (dpkg --add-architecture arm64; scripts/deps.sh installs them):
# pkg-config reads their arm64 .pc files, which point at
# /usr/lib/aarch64-linux-gnu; qemu's loader finds them there at run time.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
# Those packages also install Debian's arm64 libc in /lib/aarch64-linux-gnu,
# a different build from the cross toolchain's libc in the sysroot. qemu -L
# runs the sysroot's ld.so, which would find that libc first on its default
# path, and a mismatched ld.so/libc pair hangs in pthread_create. An RPATH
# to the sysroot keeps the pair matched. It is a build-tree RPATH only:
# `cmake --install` and the .deb (cmake/package.cmake) strip it, so
# installed binaries carry no RUNPATH.
set(CMAKE_BUILD_RPATH "${EDGELLM_AARCH64_SYSROOT}/lib")

set(EDGELLM_QEMU_CPU "" CACHE STRING "qemu -cpu model for running tests (empty: $QEMU_CPU or qemu's default)")
if(EDGELLM_QEMU_CPU)
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L ${EDGELLM_AARCH64_SYSROOT} -cpu ${EDGELLM_QEMU_CPU})
else()
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L ${EDGELLM_AARCH64_SYSROOT})
endif()

if(EDGELLM_TUNE_CPU)
  set(CMAKE_C_FLAGS_INIT "-mcpu=${EDGELLM_TUNE_CPU}")
  set(CMAKE_CXX_FLAGS_INIT "-mcpu=${EDGELLM_TUNE_CPU}")
endif()
