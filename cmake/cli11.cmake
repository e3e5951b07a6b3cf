# The CLI's command-line parser: Debian's CLI11 (libcli11-dev, header-only,
# <CLI/CLI.hpp>). Required: the CLI has no other parser.
find_package(CLI11 2.1 CONFIG QUIET)
if(NOT CLI11_FOUND AND CMAKE_CROSSCOMPILING AND EXISTS /usr/include/CLI/CLI.hpp)
  edgellm_host_headers(CLI11::CLI11 CLI)  # cmake/host_headers.cmake
  set(CLI11_FOUND TRUE)
  set(CLI11_VERSION "(host headers)")
endif()
if(NOT CLI11_FOUND)
  message(FATAL_ERROR "CLI11 >= 2.1 was not found (Debian: libcli11-dev; scripts/deps.sh installs it)")
endif()
message(STATUS "edgellm: CLI11 ${CLI11_VERSION}")
