# Header-only Debian packages (Architecture: all: the same headers for every
# architecture) live outside the cross build's sysroot, where find_package
# does not look. This exposes just one folder of /usr/include as an
# INTERFACE target, so a cross build does not get the host's whole include
# directory on its search path.
function(edgellm_host_headers target folder)
  file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/third_party)
  file(CREATE_LINK /usr/include/${folder} ${CMAKE_BINARY_DIR}/third_party/${folder} SYMBOLIC)
  add_library(${target} INTERFACE IMPORTED GLOBAL)
  target_include_directories(${target} SYSTEM INTERFACE ${CMAKE_BINARY_DIR}/third_party)
endfunction()
