# Thread and memory placement: hwloc (CPU topology, CPU kinds, pinning) and
# libnuma (memory binding), both found with pkg-config. The aarch64 cross
# build finds Debian's multiarch arm64 packages (libhwloc-dev:arm64,
# libnuma-dev:arm64) through PKG_CONFIG_LIBDIR set by its toolchain file;
# their headers are architecture-independent in /usr/include, which the
# Debian cross compiler searches after its own sysroot.
find_package(PkgConfig REQUIRED)
pkg_check_modules(EDGELLM_HWLOC REQUIRED hwloc>=2.4)
pkg_check_modules(EDGELLM_NUMA REQUIRED numa)

add_library(edgellm_placement INTERFACE)
target_include_directories(edgellm_placement SYSTEM INTERFACE
  ${EDGELLM_HWLOC_INCLUDE_DIRS} ${EDGELLM_NUMA_INCLUDE_DIRS})
target_link_directories(edgellm_placement INTERFACE
  ${EDGELLM_HWLOC_LIBRARY_DIRS} ${EDGELLM_NUMA_LIBRARY_DIRS})
target_link_libraries(edgellm_placement INTERFACE ${EDGELLM_HWLOC_LIBRARIES} ${EDGELLM_NUMA_LIBRARIES})
message(STATUS "edgellm: hwloc ${EDGELLM_HWLOC_VERSION}, libnuma ${EDGELLM_NUMA_VERSION}")
