# Every Hexagon ELF in FILES must have e_flags <= 0x67 (CPU v67 or older):
# qemu-hexagon 7.2 refuses anything newer.
#   cmake -DREADELF=llvm-readelf-19 -DFILES=<files> -P CheckElfFlags.cmake
cmake_policy(VERSION 3.20)
foreach(file ${FILES})
  execute_process(COMMAND ${READELF} -h ${file} OUTPUT_VARIABLE header
    RESULT_VARIABLE status)
  if(NOT status EQUAL 0 OR NOT header MATCHES "Flags: +0x([0-9a-f]+)")
    message(FATAL_ERROR "cannot read the ELF header of ${file}")
  endif()
  math(EXPR flags "0x${CMAKE_MATCH_1}")
  message("${file}: e_flags 0x${CMAKE_MATCH_1}")
  if(flags GREATER 103)
    message(FATAL_ERROR "${file}: e_flags 0x${CMAKE_MATCH_1} > 0x67")
  endif()
endforeach()
