# Raspberry Pi 5 (4x Cortex-A76, armv8.2-a + dotprod + fp16): the aarch64 cross toolchain, tuned with -mcpu=cortex-a76.
set(EDGELLM_TUNE_CPU cortex-a76)
include(${CMAKE_CURRENT_LIST_DIR}/aarch64-linux-gnu.cmake)
