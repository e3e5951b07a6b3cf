# Vulkan backend (runtime/vulkan, shaders/): GLSL compute shaders compiled
# at build time by glslangValidator, which runs on the build machine (also
# when cross-compiling), to SPIR-V embedded in the library as byte arrays.
# EDGELLM_VULKAN: AUTO (default) builds the backend when the Vulkan loader,
# its headers and glslangValidator are all found; ON requires them; OFF
# leaves it out (runtime/vulkan/absent.cpp then answers every request with
# "built without Vulkan").
set(EDGELLM_VULKAN AUTO CACHE STRING "Vulkan backend: AUTO, ON or OFF")

# The loader and headers come from pkg-config (vulkan.pc), which also finds
# Debian's multiarch libvulkan-dev:arm64 for the cross build.
find_program(EDGELLM_GLSLANG glslangValidator)
find_package(PkgConfig REQUIRED)
pkg_check_modules(EDGELLM_VK QUIET vulkan)
if(EDGELLM_VULKAN STREQUAL "OFF")
  set(EDGELLM_HAVE_VULKAN OFF)
elseif(EDGELLM_GLSLANG AND EDGELLM_VK_FOUND)
  set(EDGELLM_HAVE_VULKAN ON)
elseif(EDGELLM_VULKAN STREQUAL "ON")
  message(FATAL_ERROR "EDGELLM_VULKAN=ON needs glslangValidator (glslang-tools), vulkan/vulkan.h "
                      "and libvulkan (libvulkan-dev): found '${EDGELLM_GLSLANG}', "
                      "vulkan.pc: '${EDGELLM_VK_FOUND}'")
else()
  set(EDGELLM_HAVE_VULKAN OFF)
endif()

file(GLOB EDGELLM_VULKAN_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/runtime/vulkan/*.cpp)
list(FILTER EDGELLM_RUNTIME_SOURCES EXCLUDE REGEX "/runtime/vulkan/")
if(NOT EDGELLM_HAVE_VULKAN)
  message(STATUS "edgellm: Vulkan backend OFF (needs libvulkan-dev and glslang-tools)")
  list(APPEND EDGELLM_RUNTIME_SOURCES ${PROJECT_SOURCE_DIR}/runtime/vulkan/absent.cpp)
  return()
endif()
message(STATUS "edgellm: Vulkan backend ON (loader ${EDGELLM_VK_VERSION}, ${EDGELLM_GLSLANG})")
list(FILTER EDGELLM_VULKAN_SOURCES EXCLUDE REGEX "/absent\\.cpp$")

# name | source | defines (comma-separated). Types: the weight formats the matmul and gather
# shaders read; KV: the cache element types.
set(_types F32 F16 Q8_0 Q4_0 Q4_K Q6_K)
set(_variants)
foreach(t IN LISTS _types)
  string(TOLOWER ${t} tl)
  list(APPEND _variants "matmul_${tl}|matmul.comp|TYPE_${t}" "get_rows_${tl}|get_rows.comp|TYPE_${t}"
                        "matmul_rows_${tl}|matmul.comp|TYPE_${t},ROWWISE")
endforeach()
foreach(kv F16 F32)
  string(TOLOWER ${kv} kl)
  list(APPEND _variants "kv_store_${kl}|kv_store.comp|KV_${kv}" "attention_${kl}|attention.comp|KV_${kv}")
endforeach()
list(APPEND _variants "norm|norm.comp|" "rope|rope.comp|" "glu|glu.comp|" "binary|binary.comp|")

set(_spv_dir ${PROJECT_BINARY_DIR}/shaders)
file(GLOB _shader_deps ${PROJECT_SOURCE_DIR}/shaders/*.glsl ${PROJECT_SOURCE_DIR}/shaders/*.comp)
set(_spv_files)
set(_spv_names)
foreach(v IN LISTS _variants)
  string(REPLACE "|" ";" parts "${v}")
  list(GET parts 0 name)
  list(GET parts 1 src)
  list(LENGTH parts np)
  set(defs)
  if(np GREATER 2)
    list(GET parts 2 dl)
    string(REPLACE "," ";" ds "${dl}")
    foreach(d IN LISTS ds)
      if(d)
        list(APPEND defs -D${d})
      endif()
    endforeach()
  endif()
  set(out ${_spv_dir}/${name}.spv)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_spv_dir}
    COMMAND ${EDGELLM_GLSLANG} -V --target-env vulkan1.1 ${defs}
            ${PROJECT_SOURCE_DIR}/shaders/${src} -o ${out} --quiet
    DEPENDS ${_shader_deps}
    COMMENT "glslang: shaders/${src} -> ${name}.spv"
    VERBATIM)
  list(APPEND _spv_files ${out})
  list(APPEND _spv_names ${name})
endforeach()

set(_embedded ${PROJECT_BINARY_DIR}/generated/vulkan_shaders.cpp)
add_custom_command(OUTPUT ${_embedded}
  COMMAND ${CMAKE_COMMAND} -DOUT=${_embedded} "-DNAMES=${_spv_names}" -DDIR=${_spv_dir}
          -P ${PROJECT_SOURCE_DIR}/cmake/embed_spirv.cmake
  DEPENDS ${_spv_files} ${PROJECT_SOURCE_DIR}/cmake/embed_spirv.cmake
  COMMENT "embedding the SPIR-V modules"
  VERBATIM)

list(APPEND EDGELLM_RUNTIME_SOURCES ${EDGELLM_VULKAN_SOURCES} ${_embedded})
add_library(edgellm_vulkan INTERFACE)
target_include_directories(edgellm_vulkan SYSTEM INTERFACE ${EDGELLM_VK_INCLUDE_DIRS})
target_link_directories(edgellm_vulkan INTERFACE ${EDGELLM_VK_LIBRARY_DIRS})
target_link_libraries(edgellm_vulkan INTERFACE ${EDGELLM_VK_LIBRARIES})
set(EDGELLM_VULKAN_LINK edgellm_vulkan)
