# deps.cmake — finds every library Writ uses, by header and library name. A miss is fatal
# and says which Debian package to install, so a new machine fails with a clear message.

function(writ_find_dep var header lib package)
  find_path(${var}_INCLUDE_DIR NAMES ${header} PATH_SUFFIXES ${ARGN})
  find_library(${var}_LIBRARY NAMES ${lib})
  if(NOT ${var}_INCLUDE_DIR OR NOT ${var}_LIBRARY)
    message(FATAL_ERROR "Writ needs ${header} / lib${lib}: install the Debian package "
                        "'${package}' (apt-get install ${package}), or run .ci/install-deps")
  endif()
  set(${var}_INCLUDE_DIR ${${var}_INCLUDE_DIR} PARENT_SCOPE)
  set(${var}_LIBRARY ${${var}_LIBRARY} PARENT_SCOPE)
endfunction()

writ_find_dep(NETTLE    nettle/sha3.h     nettle        nettle-dev)
writ_find_dep(YAML      yaml.h            yaml          libyaml-dev)
writ_find_dep(Z3        z3.h              z3            libz3-dev)
writ_find_dep(BINARYEN  binaryen-c.h      binaryen      binaryen)
writ_find_dep(SECP256K1 secp256k1.h       secp256k1     libsecp256k1-dev)
writ_find_dep(PMEM2     libpmem2.h        pmem2         libpmem2-dev)
writ_find_dep(PMEMOBJ   libpmemobj.h      pmemobj       libpmemobj-dev)

find_program(LLVM_CONFIG NAMES llvm-config-14 llvm-config)
if(NOT LLVM_CONFIG)
  message(FATAL_ERROR "Writ needs LLVM 14's llvm-config: install the Debian package "
                      "'llvm-14-dev' (apt-get install llvm-14-dev), or run .ci/install-deps")
endif()
execute_process(COMMAND ${LLVM_CONFIG} --includedir OUTPUT_VARIABLE LLVM_INCLUDE_DIR
                OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${LLVM_CONFIG} --libdir OUTPUT_VARIABLE LLVM_LIBRARY_DIR
                OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${LLVM_CONFIG} --version OUTPUT_VARIABLE LLVM_VERSION
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT EXISTS ${LLVM_INCLUDE_DIR}/llvm-c/Core.h)
  message(FATAL_ERROR "Writ needs the LLVM-C headers (llvm-c/Core.h): install 'llvm-14-dev'")
endif()
find_library(LLVM_LIBRARY NAMES LLVM-14 LLVM PATHS ${LLVM_LIBRARY_DIR} NO_DEFAULT_PATH)
if(NOT LLVM_LIBRARY)
  message(FATAL_ERROR "Writ needs libLLVM-14.so: install 'llvm-14-dev'")
endif()

find_path(CMOCKA_INCLUDE_DIR NAMES cmocka.h)
find_library(CMOCKA_LIBRARY NAMES cmocka)
if(NOT CMOCKA_INCLUDE_DIR OR NOT CMOCKA_LIBRARY)
  message(FATAL_ERROR "Writ's unit tests need cmocka: install 'libcmocka-dev', or run .ci/install-deps")
endif()

message(STATUS "Writ dependencies: nettle, libyaml, z3, binaryen, secp256k1, pmem2, pmemobj, "
               "LLVM ${LLVM_VERSION}, cmocka — all found")
