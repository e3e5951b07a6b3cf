# RK3588 (4x Cortex-A76 + 4x Cortex-A55, big.LITTLE): the aarch64 cross toolchain, tuned with -mcpu=cortex-a76.cortex-a55.
set(EDGELLM_TUNE_CPU cortex-a76.cortex-a55)
include(${CMAKE_CURRENT_LIST_DIR}/aarch64-linux-gnu.cmake)
