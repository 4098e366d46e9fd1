# PocketSphinx 0.8+5prealpha and sphinxbase. Debian's sphinxbase.pc names an
# include folder that does not exist (/usr/include/sphinxbase), which CMake's
# imported targets refuse, so we find the pieces ourselves.
find_path(POCKETSPHINX_INCLUDE_DIR pocketsphinx.h PATH_SUFFIXES pocketsphinx)
find_path(SPHINXBASE_INCLUDE_DIR sphinxbase/cmd_ln.h PATH_SUFFIXES x86_64-linux-gnu ${CMAKE_LIBRARY_ARCHITECTURE})
find_library(POCKETSPHINX_LIBRARY pocketsphinx)
find_library(SPHINXBASE_LIBRARY sphinxbase)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(PocketSphinx DEFAULT_MSG POCKETSPHINX_INCLUDE_DIR
  SPHINXBASE_INCLUDE_DIR POCKETSPHINX_LIBRARY SPHINXBASE_LIBRARY)
if(PocketSphinx_FOUND AND NOT TARGET PocketSphinx::pocketsphinx)
  add_library(PocketSphinx::pocketsphinx UNKNOWN IMPORTED)
  set_target_properties(PocketSphinx::pocketsphinx PROPERTIES
    IMPORTED_LOCATION "${POCKETSPHINX_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${POCKETSPHINX_INCLUDE_DIR};${SPHINXBASE_INCLUDE_DIR};${SPHINXBASE_INCLUDE_DIR}/sphinxbase"
    INTERFACE_LINK_LIBRARIES "${SPHINXBASE_LIBRARY}")
endif()
