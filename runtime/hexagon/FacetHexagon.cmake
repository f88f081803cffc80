# Building freestanding Hexagon code (runtime/hexagon, the Hexagon runner and
# its tests) with Debian's clang-14 and ld.lld-14, and running it with
# qemu-hexagon. The host C++ compiler cannot target Hexagon, so compiles and
# links are custom commands; the results are plain files (ELF executables and
# shared objects), not CMake library targets.
#
#   FACET_HEXAGON            ON when clang-14, ld.lld-14 and qemu-hexagon are
#                            found (OFF in the fuzzing build and when cross-
#                            compiling the runtime); says why when it is OFF
#   facet_add_hexagon_executable(<name> SOURCES <files...>
#       [INCLUDES <dirs...>] [COMPILE_OPTIONS <flags...>])
#                            a static ELF <name>.elf: the sources compiled
#                            freestanding and linked with the support layer
#                            (its _start calls `int main(int, char **)`);
#                            custom target <name>, file in its property
#                            FACET_HEXAGON_FILE
#   facet_add_hexagon_shared_library(<name> [SOURCES <files...>]
#       [OBJECTS <objects...>] [INCLUDES ...] [COMPILE_OPTIONS ...])
#                            <name>.so from PIC sources and prebuilt objects
#                            (Halide's), for SharedObject to load; undefined
#                            symbols are bound at load time
#
# Sources ending in .c are C11, all others C++17; includes are spelled from
# the repository root, as everywhere in Facet. Only the compiler's own
# headers exist (stddef.h, stdint.h, stdarg.h, float.h): no libc, no C++
# library.

find_program(FACET_HEXAGON_CLANG NAMES clang-14)
find_program(FACET_HEXAGON_LLD NAMES ld.lld-14)
find_program(FACET_QEMU_HEXAGON NAMES qemu-hexagon)

set(facet_hexagon_default ON)
set(facet_hexagon_why "")
if(FACET_FUZZ)
  set(facet_hexagon_default OFF)
  set(facet_hexagon_why "the fuzzing build needs only the host-side loader")
elseif(CMAKE_CROSSCOMPILING)
  set(facet_hexagon_default OFF)
  set(facet_hexagon_why "cross-compiling the runtime for another target")
else()
  foreach(tool FACET_HEXAGON_CLANG FACET_HEXAGON_LLD FACET_QEMU_HEXAGON)
    if(NOT ${tool})
      set(facet_hexagon_default OFF)
      string(APPEND facet_hexagon_why " ${tool} not found;")
    endif()
  endforeach()
  if(facet_hexagon_why)
    string(APPEND facet_hexagon_why
      " tools/setup-deps installs clang-14, lld-14 and qemu-user")
  endif()
endif()
option(FACET_HEXAGON
  "Build the freestanding Hexagon support layer and its qemu-hexagon tests"
  ${facet_hexagon_default})
if(NOT FACET_HEXAGON)
  message(STATUS "Hexagon support layer: OFF (${facet_hexagon_why})")
  return()
endif()
if(NOT FACET_HEXAGON_CLANG OR NOT FACET_HEXAGON_LLD)
  message(FATAL_ERROR "FACET_HEXAGON needs clang-14 and ld.lld-14 "
                      "(tools/setup-deps installs them)")
endif()
message(STATUS "Hexagon support layer: ON (${FACET_HEXAGON_CLANG})")

# v66 with 128-byte HVX: the newest CPU qemu-hexagon 7.2 loads (ELF e_flags
# <= 0x67) and the only HVX mode it models faithfully. -G0: no small-data
# section, whose GP register nothing would set up. -ffp-contract=off: no
# fused multiply-add, so float results equal the host's (test/hexagon).
# The flags are cache entries (internal) because the functions below run in
# other directories' scopes.
set(FACET_HEXAGON_TARGET_FLAGS --target=hexagon-unknown-linux-musl
  -mcpu=hexagonv66 -mhvx=v66 -mhvx-length=128B CACHE INTERNAL "")
set(FACET_HEXAGON_COMMON_FLAGS ${FACET_HEXAGON_TARGET_FLAGS} -O2
  -ffreestanding -nostdlibinc -G0 -ffp-contract=off -Wall -Wextra
  CACHE INTERNAL "")
set(FACET_HEXAGON_CXX_FLAGS ${FACET_HEXAGON_COMMON_FLAGS} -std=c++17
  -fno-exceptions -fno-rtti -fno-threadsafe-statics CACHE INTERNAL "")
set(FACET_HEXAGON_C_FLAGS ${FACET_HEXAGON_COMMON_FLAGS} -std=c11
  CACHE INTERNAL "")

# Compiles SOURCES into objects under `object_dir`; their paths go to
# `out_var`. PIC for shared objects.
function(facet_hexagon_compile out_var object_dir)
  cmake_parse_arguments(ARG "PIC" "" "SOURCES;INCLUDES;COMPILE_OPTIONS"
    ${ARGN})
  file(MAKE_DIRECTORY ${object_dir})
  set(includes -I${PROJECT_SOURCE_DIR})
  foreach(dir ${ARG_INCLUDES})
    get_filename_component(dir ${dir} ABSOLUTE)
    list(APPEND includes -I${dir})
  endforeach()
  set(pic)
  if(ARG_PIC)
    set(pic -fPIC)
  endif()
  set(objects)
  foreach(source ${ARG_SOURCES})
    get_filename_component(path ${source} ABSOLUTE)
    file(RELATIVE_PATH relative ${PROJECT_SOURCE_DIR} ${path})
    string(REGEX REPLACE "[^A-Za-z0-9_.-]" "_" stem ${relative})
    set(object ${object_dir}/${stem}.o)
    if(path MATCHES "\\.c$")
      set(flags ${FACET_HEXAGON_C_FLAGS})
    else()
      set(flags ${FACET_HEXAGON_CXX_FLAGS})
    endif()
    add_custom_command(OUTPUT ${object}
      COMMAND ${FACET_HEXAGON_CLANG} ${flags} ${pic} ${includes}
              ${ARG_COMPILE_OPTIONS} -MD -MF ${object}.d -c ${path}
              -o ${object}
      DEPENDS ${path}
      DEPFILE ${object}.d
      COMMENT "Compiling ${relative} for Hexagon"
      VERBATIM)
    list(APPEND objects ${object})
  endforeach()
  set(${out_var} ${objects} PARENT_SCOPE)
endfunction()

function(facet_add_hexagon_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;INCLUDES;COMPILE_OPTIONS" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "facet_add_hexagon_executable(${name}): no SOURCES")
  endif()
  facet_hexagon_compile(objects ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir
    SOURCES ${ARG_SOURCES} INCLUDES ${ARG_INCLUDES}
    COMPILE_OPTIONS ${ARG_COMPILE_OPTIONS})
  get_property(support GLOBAL PROPERTY FACET_HEXAGON_SUPPORT_OBJECTS)
  set(output ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  add_custom_command(OUTPUT ${output}
    COMMAND ${FACET_HEXAGON_LLD} -static -e _start -o ${output} ${objects}
            ${support}
    DEPENDS ${objects} ${support}
    COMMENT "Linking Hexagon executable ${name}.elf"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${output})
  add_dependencies(${name} facet_hexagon_support)
  set_target_properties(${name} PROPERTIES FACET_HEXAGON_FILE ${output})
endfunction()

function(facet_add_hexagon_shared_library name)
  cmake_parse_arguments(ARG "" ""
    "SOURCES;OBJECTS;INCLUDES;COMPILE_OPTIONS" ${ARGN})
  set(objects)
  if(ARG_SOURCES)
    facet_hexagon_compile(objects ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir PIC
      SOURCES ${ARG_SOURCES} INCLUDES ${ARG_INCLUDES}
      COMPILE_OPTIONS ${ARG_COMPILE_OPTIONS})
  endif()
  list(APPEND objects ${ARG_OBJECTS})
  set(output ${CMAKE_CURRENT_BINARY_DIR}/${name}.so)
  # --hash-style=sysv: the loader counts symbols with DT_HASH.
  add_custom_command(OUTPUT ${output}
    COMMAND ${FACET_HEXAGON_LLD} -shared --hash-style=sysv -o ${output}
            ${objects}
    DEPENDS ${objects}
    COMMENT "Linking Hexagon shared object ${name}.so"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${output})
  set_target_properties(${name} PROPERTIES FACET_HEXAGON_FILE ${output})
endfunction()
