# Raspberry Pi 4 (4x Cortex-A72, armv8-a): the aarch64 cross toolchain, tuned with -mcpu=cortex-a72.
set(EDGELLM_TUNE_CPU cortex-a72)
include(${CMAKE_CURRENT_LIST_DIR}/aarch64-linux-gnu.cmake)
