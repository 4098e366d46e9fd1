# Writes OUT: a C++ source defining `const char* NAME()` that returns the
# bytes of IN. Run at build time (cmake -P), so an edit of IN rebuilds it.
file(READ "${IN}" content)
string(FIND "${content}" ")embedded\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw string delimiter )embedded\"")
endif()
file(WRITE "${OUT}" "// Generated from ${IN} by cmake/embed_file.cmake; edit that file instead.\n"
  "namespace callscribe::app {\nconst char* ${NAME}() {\n  return R\"embedded(${content})embedded\";\n}\n}\n")
