# The CLI's command-line parser: Debian's CLI11 (libcli11-dev, header-only,
# <CLI/CLI.hpp>). Required: the CLI has no other parser.
find_package(CLI11 2.1 CONFIG QUIET)
if(NOT CLI11_FOUND AND CMAKE_CROSSCOMPILING AND EXISTS /usr/include/CLI/CLI.hpp)
  # Header-only and the same for every architecture (Debian: Architecture
  # all), but outside the cross sysroot that find_package searches: expose
  # just its folder.
  file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/third_party)
  file(CREATE_LINK /usr/include/CLI ${CMAKE_BINARY_DIR}/third_party/CLI SYMBOLIC)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 SYSTEM INTERFACE ${CMAKE_BINARY_DIR}/third_party)
  set(CLI11_FOUND TRUE)
  set(CLI11_VERSION "(host headers)")
endif()
if(NOT CLI11_FOUND)
  message(FATAL_ERROR "CLI11 >= 2.1 was not found (Debian: libcli11-dev; scripts/deps.sh installs it)")
endif()
message(STATUS "edgellm: CLI11 ${CLI11_VERSION}")
