# Checks that runtime/core/ stays libc-free, so the freestanding Hexagon
# runner (no libc, libstdc++, exceptions, RTTI or heap) can link it:
#
#   cmake -DCLANG=clang-14 -DNM=llvm-nm-19 -DSOURCE_DIR=<repo>
#         -DOUTPUT_DIR=<dir> -P CheckFreestandingCore.cmake
#
# Every runtime/core/*.cpp must compile with -ffreestanding -fno-exceptions
# -fno-rtti -nostdlibinc (so only the compiler's own headers, stddef.h,
# stdint.h and friends, are found) for Hexagon v66 and for the host triple.
# The Hexagon objects, taken together, may leave undefined only memcpy,
# memset, memmove, __cxa_pure_virtual and compiler-rt's __hexagon_* helpers
# (integer and float division): anything else is a libc or C++ runtime
# dependency that crept in; nor may they define a static constructor.
# Without clang-14 the test prints SKIPPED.

cmake_minimum_required(VERSION 3.20)

if(NOT CLANG OR NOT NM)
  message("SKIPPED: clang-14 or llvm-nm-19 not found; cannot check that "
          "runtime/core compiles freestanding for Hexagon")
  return()
endif()

file(GLOB sources "${SOURCE_DIR}/runtime/core/*.cpp")
if(NOT sources)
  message(FATAL_ERROR "no sources in ${SOURCE_DIR}/runtime/core")
endif()
set(flags -O2 -ffreestanding -fno-exceptions -fno-rtti -nostdlibinc
    -std=c++17 -Wall -Wextra -Werror -I${SOURCE_DIR})
execute_process(COMMAND ${CLANG} -print-target-triple
                OUTPUT_VARIABLE hostTriple OUTPUT_STRIP_TRAILING_WHITESPACE)
file(MAKE_DIRECTORY ${OUTPUT_DIR})

set(failed FALSE)
set(hexagonObjects)
foreach(triple hexagon-unknown-linux-musl ${hostTriple})
  set(cpu)
  if(triple MATCHES "^hexagon")
    set(cpu -mcpu=hexagonv66)
  endif()
  foreach(source IN LISTS sources)
    get_filename_component(name ${source} NAME_WE)
    set(object ${OUTPUT_DIR}/${triple}-${name}.o)
    execute_process(
      COMMAND ${CLANG} --target=${triple} ${cpu} ${flags} -c ${source}
              -o ${object}
      RESULT_VARIABLE status ERROR_VARIABLE errors)
    if(NOT status EQUAL 0)
      message(SEND_ERROR "${source} does not compile freestanding for "
                         "${triple}:\n${errors}")
      set(failed TRUE)
    elseif(triple MATCHES "^hexagon")
      list(APPEND hexagonObjects ${object})
    endif()
  endforeach()
endforeach()

# Symbols one core object leaves undefined and another defines are fine.
if(hexagonObjects)
  execute_process(COMMAND ${NM} --defined-only --format=just-symbols
                          ${hexagonObjects}
                  OUTPUT_VARIABLE defined RESULT_VARIABLE status1)
  execute_process(COMMAND ${NM} -u --format=just-symbols ${hexagonObjects}
                  OUTPUT_VARIABLE undefined RESULT_VARIABLE status2)
  if(NOT status1 EQUAL 0 OR NOT status2 EQUAL 0)
    message(FATAL_ERROR "${NM} failed on the Hexagon objects")
  endif()
  string(REGEX MATCHALL "[^\n]+" defined "${defined}")
  # A static constructor would need the runner to run .init_array.
  foreach(symbol IN LISTS defined)
    if(symbol MATCHES "^_GLOBAL__sub_I_")
      message(SEND_ERROR "runtime/core has a static constructor (${symbol})")
      set(failed TRUE)
    endif()
  endforeach()
  string(REGEX MATCHALL "[^\n]+" undefined "${undefined}")
  list(REMOVE_DUPLICATES undefined)
  set(allowed "^(memcpy|memset|memmove|__cxa_pure_virtual|__hexagon_[A-Za-z0-9_]+)$")
  foreach(symbol IN LISTS undefined)
    if(symbol MATCHES ":$" OR symbol IN_LIST defined)
      continue()
    endif()
    if(NOT symbol MATCHES "${allowed}")
      message(SEND_ERROR "runtime/core needs ${symbol}: the freestanding "
                         "core may call only memcpy, memset, memmove and "
                         "compiler builtins")
      set(failed TRUE)
    else()
      message(STATUS "allowed external symbol: ${symbol}")
    endif()
  endforeach()
endif()

if(failed)
  message(FATAL_ERROR "runtime/core is not freestanding")
endif()
list(LENGTH sources count)
message(STATUS "runtime/core: ${count} files compile freestanding for "
               "Hexagon v66 and the host")
