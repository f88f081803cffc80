# Every symbol the Halide objects in OBJECTS (runtime and pipelines) leave
# undefined among themselves must be defined by the support layer (SUPPORT
# objects): the loader could not bind it otherwise. _GLOBAL_OFFSET_TABLE_ is
# the linker's own.
#   cmake -DNM=llvm-nm-19 -DOBJECTS=<objects> -DSUPPORT=<objects>
#         -P CheckUndefinedSymbols.cmake
cmake_policy(VERSION 3.20)

function(symbols out)
  execute_process(COMMAND ${NM} ${ARGN} OUTPUT_VARIABLE text
    RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${NM} ${ARGN} failed")
  endif()
  string(REGEX REPLACE "\n" ";" names "${text}")
  list(FILTER names EXCLUDE REGEX "(:$|^$)")
  set(${out} ${names} PARENT_SCOPE)
endfunction()

symbols(undefined -u -j ${OBJECTS})
symbols(halide_defined --defined-only -j ${OBJECTS})
symbols(support_defined --defined-only -j ${SUPPORT})
set(needed)
foreach(symbol ${undefined})
  if(NOT symbol IN_LIST halide_defined AND
     NOT symbol STREQUAL "_GLOBAL_OFFSET_TABLE_")
    list(APPEND needed ${symbol})
  endif()
endforeach()
list(REMOVE_DUPLICATES needed)
list(SORT needed)
set(missing)
foreach(symbol ${needed})
  if(NOT symbol IN_LIST support_defined)
    list(APPEND missing ${symbol})
  endif()
endforeach()
string(REPLACE ";" " " listed "${needed}")
message("the Halide objects need: ${listed}")
if(missing)
  message(FATAL_ERROR "not defined by runtime/hexagon: ${missing}")
endif()
