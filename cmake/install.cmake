# Install rules: the shared library (edgellm::edgellm), edgellm.h, the
# edgellm CLI, a pkg-config file and a CMake package config, so outside
# projects use either
#   find_package(edgellm REQUIRED) + target_link_libraries(app edgellm::edgellm)
# or `pkg-config --cflags --libs edgellm`. Both files are relocatable (paths
# relative to where they are installed), so the same tree works under any
# --prefix and inside the .deb (cmake/package.cmake). Test and benchmark
# binaries are not installed.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(EDGELLM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/edgellm)

# The library links hwloc/libnuma/threads PRIVATEly: a shared library's
# private dependencies stay out of the exported interface, so the export
# names no build-tree target (edgellm_placement is never installed).
install(TARGETS edgellm EXPORT edgellmTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS edgellm_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/edgellm.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(EXPORT edgellmTargets NAMESPACE edgellm:: DESTINATION ${EDGELLM_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/edgellmConfig.cmake.in
  ${PROJECT_BINARY_DIR}/edgellmConfig.cmake INSTALL_DESTINATION ${EDGELLM_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/edgellmConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/edgellmConfig.cmake ${PROJECT_BINARY_DIR}/edgellmConfigVersion.cmake
  DESTINATION ${EDGELLM_CMAKE_DIR})

# pkg-config: prefix found from the .pc file's own folder (${pcfiledir}).
file(RELATIVE_PATH EDGELLM_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" EDGELLM_PC_TO_PREFIX "${EDGELLM_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/edgellm.pc.in ${PROJECT_BINARY_DIR}/edgellm.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/edgellm.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
