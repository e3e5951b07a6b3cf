# `edgellm serve` (cli/server/): Debian's cpp-httplib in split mode (the
# header declares, libcpp-httplib.so implements) and nlohmann-json. The
# library's pkg-config flags (CPPHTTPLIB_OPENSSL_SUPPORT, ...) change its class
# layouts, so they must reach every file that includes httplib.h: the imported
# target carries them. Without either library the CLI is built without the
# server and `edgellm serve` says what is missing.
find_package(PkgConfig REQUIRED)
pkg_check_modules(EDGELLM_HTTPLIB QUIET IMPORTED_TARGET cpp-httplib>=0.11)
find_package(nlohmann_json 3.2 QUIET)
if(NOT nlohmann_json_FOUND AND CMAKE_CROSSCOMPILING AND EXISTS /usr/include/nlohmann/json.hpp)
  edgellm_host_headers(nlohmann_json::nlohmann_json nlohmann)  # cmake/host_headers.cmake
  set(nlohmann_json_FOUND TRUE)
  set(nlohmann_json_VERSION "(host headers)")
endif()

set(EDGELLM_SERVE_MISSING "")
if(NOT EDGELLM_HTTPLIB_FOUND)
  set(EDGELLM_SERVE_MISSING "cpp-httplib >= 0.11 was not found by pkg-config (Debian: libcpp-httplib-dev)")
elseif(NOT nlohmann_json_FOUND)
  set(EDGELLM_SERVE_MISSING "nlohmann-json was not found (Debian: nlohmann-json3-dev)")
endif()

if(EDGELLM_SERVE_MISSING STREQUAL "")
  set(EDGELLM_HAVE_SERVER ON)
  file(GLOB EDGELLM_SERVER_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/cli/server/*.cpp)
  # utf8.cpp is in the CLI either way (run --json uses it too): not twice.
  list(REMOVE_ITEM EDGELLM_SERVER_SOURCES ${PROJECT_SOURCE_DIR}/cli/server/utf8.cpp)
  target_sources(edgellm_cli PRIVATE ${EDGELLM_SERVER_SOURCES})
  target_compile_definitions(edgellm_cli PRIVATE EDGELLM_HAVE_SERVER=1)
  target_link_libraries(edgellm_cli PRIVATE PkgConfig::EDGELLM_HTTPLIB nlohmann_json::nlohmann_json)
  message(STATUS "edgellm: serve with cpp-httplib ${EDGELLM_HTTPLIB_VERSION}, nlohmann-json ${nlohmann_json_VERSION}")
else()
  set(EDGELLM_HAVE_SERVER OFF)
  target_compile_definitions(edgellm_cli PRIVATE "EDGELLM_SERVE_MISSING=\"${EDGELLM_SERVE_MISSING}\"")
  message(STATUS "edgellm: building the CLI without serve: ${EDGELLM_SERVE_MISSING}")
endif()
