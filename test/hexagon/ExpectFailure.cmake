# Runs COMMAND (a ;-list) and passes when it exits non-zero with output
# matching EXPECT: a clear message and a failing status, both checked.
#   cmake -DCOMMAND=<cmd;args> -DEXPECT=<regex> -P ExpectFailure.cmake
cmake_policy(VERSION 3.20)
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE status
  OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(status EQUAL 0)
  message(FATAL_ERROR "expected a non-zero exit status")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT}")
  message(FATAL_ERROR "output does not match '${EXPECT}'")
endif()
