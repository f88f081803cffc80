# Checks that the runtime's binaries depend on nothing of the compiler:
#
#   cmake -DFILES="a;b" -DARCHIVES="c.a" -P CheckDependencies.cmake
#
# FILES (executables, shared objects): every DT_NEEDED entry (readelf -d)
# must be a C/C++ runtime or system library, libfacet.so itself, or a
# sanitizer runtime (sanitizer builds); and no library that ldd
# resolves, directly or transitively, may be MLIR, LLVM or Halide.
# ARCHIVES (static libraries): no undefined symbol may come from the mlir::,
# llvm:: or Halide:: namespaces (nm -C -u).

set(allowed "^(libstdc\\+\\+|libc\\+\\+|libc\\+\\+abi|libm|libgcc_s|libc|libpthread|libdl|librt|ld-linux[-a-z0-9_.]*|libasan|libubsan|libtsan|liblsan|libfacet)\\.so")
set(forbidden "(mlir|llvm|LLVM|MLIR|halide|Halide|libfmt|nlohmann)")
set(failed FALSE)

foreach(file IN LISTS FILES)
  execute_process(COMMAND readelf -d ${file} OUTPUT_VARIABLE dynamic
                  RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(SEND_ERROR "readelf -d ${file} failed")
    set(failed TRUE)
    continue()
  endif()
  string(REGEX MATCHALL "\\(NEEDED\\)[^\n]*\\[[^]]*\\]" needed "${dynamic}")
  foreach(line IN LISTS needed)
    string(REGEX REPLACE ".*\\[(.*)\\]" "\\1" library "${line}")
    message(STATUS "${file}: NEEDED ${library}")
    if(NOT library MATCHES "${allowed}")
      message(SEND_ERROR "${file} needs ${library}: the runtime may depend on "
                         "the C/C++ runtime, pthreads and dl only")
      set(failed TRUE)
    endif()
  endforeach()
  execute_process(COMMAND ldd ${file} OUTPUT_VARIABLE resolved
                  RESULT_VARIABLE status)
  if(resolved MATCHES "${forbidden}")
    message(SEND_ERROR "${file} loads a compiler library:\n${resolved}")
    set(failed TRUE)
  endif()
endforeach()

foreach(archive IN LISTS ARCHIVES)
  execute_process(COMMAND nm -C -u ${archive} OUTPUT_VARIABLE undefined
                  RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(SEND_ERROR "nm -C -u ${archive} failed")
    set(failed TRUE)
    continue()
  endif()
  string(REGEX MATCHALL "[^\n]*(mlir::|llvm::|Halide::|fmt::|nlohmann::)[^\n]*"
         bad "${undefined}")
  if(bad)
    message(SEND_ERROR "${archive} uses compiler symbols: ${bad}")
    set(failed TRUE)
  endif()
  message(STATUS "${archive}: no MLIR, LLVM or Halide symbols")
endforeach()

if(failed)
  message(FATAL_ERROR "runtime dependency check failed")
endif()
