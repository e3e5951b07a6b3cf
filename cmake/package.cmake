# CPack: a Debian package "edgellm" of everything cmake/install.cmake
# installs (under /usr). The architecture comes from the target processor,
# so the aarch64 cross build (cmake --preset aarch64) gives an arm64 .deb:
#   cmake --build build/aarch64 --target package   (or: cd build/aarch64 && cpack -G DEB)
# Runtime dependencies are declared explicitly (dpkg-shlibdeps does not
# handle the cross build); tests/package/deb_test.sh checks every DT_NEEDED
# of the packaged binaries against them.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(EDGELLM_DEB_ARCH arm64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(EDGELLM_DEB_ARCH amd64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^arm")
  set(EDGELLM_DEB_ARCH armhf)
else()
  set(EDGELLM_DEB_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()

# Runtime dependencies: computed when cpack runs, from what the built
# binaries really link (an optional library the CLI links, e.g. the HTTP
# server's cpp-httplib, is then declared too); see cmake/deb_depends.cmake.in.
configure_file(${PROJECT_SOURCE_DIR}/cmake/deb_depends.cmake.in ${PROJECT_BINARY_DIR}/deb_depends.cmake.gen @ONLY)
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/CPackDebDepends.cmake INPUT ${PROJECT_BINARY_DIR}/deb_depends.cmake.gen)
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_BINARY_DIR}/CPackDebDepends.cmake)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME edgellm)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "edgellm")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "LLM runtime for ARM Linux edge devices (library, C API header, CLI)")
set(CPACK_PACKAGE_DESCRIPTION "Runs GGUF language models on ARM Linux boards (Raspberry Pi 4/5, RK3588)\nwith a static memory plan. Contains libedgellm (C API), edgellm.h,\npkg-config and CMake package files, and the edgellm command-line tool.")
set(CPACK_PACKAGE_CONTACT "edgellm maintainers <edgellm@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_NAME edgellm)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${EDGELLM_DEB_ARCH})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
include(CPack)
