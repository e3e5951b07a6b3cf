# Kernel sources: the portable reference always; per-ISA variants only for
# the target architecture, each compiled with the flags its name announces
# (runtime dispatch decides whether it may run).
file(GLOB EDGELLM_KERNEL_SOURCES CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/kernels/*.cpp ${PROJECT_SOURCE_DIR}/kernels/ref/*.cpp)

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(EDGELLM_ARCH_X86 ON)
  file(GLOB _x86 CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/kernels/x86/*.cpp)
  foreach(src IN LISTS _x86)
    if(src MATCHES "_avx512\\.cpp$")
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS
        "-mavx512f;-mavx512bw;-mavx512vl;-mavx512dq;-mavx512vnni;-mavx2;-mfma;-mf16c")
    elseif(src MATCHES "_avx2\\.cpp$")
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c")
    endif()
  endforeach()
  list(APPEND EDGELLM_KERNEL_SOURCES ${_x86})
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(EDGELLM_ARCH_ARM ON)
  file(GLOB _arm CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/kernels/arm/*.cpp)
  foreach(src IN LISTS _arm)
    if(src MATCHES "_i8mm\\.cpp$")
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-march=armv8.6-a+dotprod+i8mm+fp16")
    elseif(src MATCHES "_dotprod\\.cpp$")
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-march=armv8.2-a+dotprod+fp16")
    elseif(src MATCHES "_fp16\\.cpp$")
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-march=armv8.2-a+fp16")
    endif()
  endforeach()
  list(APPEND EDGELLM_KERNEL_SOURCES ${_arm})
endif()
