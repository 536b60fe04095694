# One static library per layer. A layer's headers are reachable only through an include root of
# its own (the build tree's include/<layer>/, holding a link to the layer's folder under its
# usual path), and a library's include roots are its own and those of the layers it links: so
# `#include "policies/rule.h"` in webhook/cluster/ does not compile. test/layering/ proves it.

set(MESHWARD_INCLUDE_ROOTS ${CMAKE_BINARY_DIR}/include)

# meshward_layer(NAME DIRECTORY dir BELOW libs... [SOURCES extra...] [EXCLUDE files...])
function(meshward_layer name)
  cmake_parse_arguments(LAYER "" "DIRECTORY" "BELOW;SOURCES;EXCLUDE" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${LAYER_DIRECTORY}/*.cc)
  foreach(excluded ${LAYER_EXCLUDE})
    list(REMOVE_ITEM sources ${PROJECT_SOURCE_DIR}/${excluded})
  endforeach()

  set(root ${MESHWARD_INCLUDE_ROOTS}/${name})
  get_filename_component(parent ${root}/${LAYER_DIRECTORY} DIRECTORY)
  file(MAKE_DIRECTORY ${parent})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${LAYER_DIRECTORY} ${root}/${LAYER_DIRECTORY} SYMBOLIC)

  add_library(meshward_${name} STATIC ${sources} ${LAYER_SOURCES})
  target_include_directories(meshward_${name} PUBLIC ${root})
  target_compile_options(meshward_${name} PRIVATE ${MESHWARD_WARNINGS})
  target_precompile_headers(meshward_${name} PRIVATE ${MESHWARD_PRECOMPILED_HEADERS})
  target_link_libraries(meshward_${name} PUBLIC ${LAYER_BELOW})
  set_property(GLOBAL APPEND PROPERTY MESHWARD_LAYERS ${name})
  set_property(GLOBAL PROPERTY MESHWARD_LAYER_DIRECTORY_${name} ${LAYER_DIRECTORY})
endfunction()
