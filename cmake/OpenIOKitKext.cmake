# openiokit_add_kext(<target> BUNDLE_ID <id> INFO_PLIST <file> SOURCES <src>...
#                    [VERSION <v>] [OUTPUT_DIRECTORY <dir>] [EXECUTABLE_NAME <name>]
#                    [MODULE_START <function>] [MODULE_STOP <function>])
#
# Builds a kext in Apple's bundle layout:
#   <dir>/<target>.kext/Contents/Info.plist
#   <dir>/<target>.kext/Contents/MacOS/<CFBundleExecutable>     (an ELF shared object)
#
# INFO_PLIST is the Xcode-style template: $(PRODUCT_BUNDLE_IDENTIFIER), $(EXECUTABLE_NAME),
# $(PRODUCT_NAME), $(MODULE_VERSION), $(CURRENT_PROJECT_VERSION) (also the ${...} spelling and
# the :rfc1034identifier / :identifier modifiers) are expanded from the arguments. A binary
# plist is copied unchanged. The executable is named after the template's literal
# CFBundleExecutable, else EXECUTABLE_NAME, else <target>.
#
# MODULE_START / MODULE_STOP name extern "C" functions `kern_return_t f(kmod_info_t *, void *)`;
# when given, a kmod_info (KMOD_EXPLICIT_DECL) is generated as Xcode does, and the loader calls
# them after the constructors / before the destructors.
#
# The bundle path is stored in the target property OPENIOKIT_KEXT_BUNDLE_DIR. Only the imported
# or in-tree target OpenIOKit::Kernel is referenced, so the file works installed, out of tree.

include_guard(GLOBAL)

# The kext's static constructors are moved out of .init_array (which dlopen would run) into
# `openiokit_mod_init`, bracketed by openiokit_mod_init_start/_end: the loader runs them itself
# inside the class-registration window, as xnu's OSRuntimeInitializeCPP runs a kext's
# __mod_init_func, and can therefore report a constructor that throws instead of aborting.
# Destructors stay with the dynamic loader (__cxa_finalize at dlclose).
set(_OPENIOKIT_KEXT_MODINIT_LD "${CMAKE_BINARY_DIR}/CMakeFiles/openiokit_kext_modinit.ld")
file(WRITE "${_OPENIOKIT_KEXT_MODINIT_LD}.tmp" "SECTIONS
{
  openiokit_mod_init :
  {
    openiokit_mod_init_start = .;
    KEEP (*(SORT_BY_INIT_PRIORITY(.init_array.*) SORT_BY_INIT_PRIORITY(.ctors.*)))
    KEEP (*(.init_array .ctors))
    openiokit_mod_init_end = .;
  }
}
INSERT BEFORE .init_array;
")
configure_file("${_OPENIOKIT_KEXT_MODINIT_LD}.tmp" "${_OPENIOKIT_KEXT_MODINIT_LD}" COPYONLY)

function(_openiokit_kext_expand out text)
  set(result "${text}")
  foreach(pair IN LISTS ARGN)
    string(FIND "${pair}" "=" eq)
    string(SUBSTRING "${pair}" 0 ${eq} name)
    math(EXPR value_start "${eq} + 1")
    string(SUBSTRING "${pair}" ${value_start} -1 value)
    # $(NAME), ${NAME}, and Xcode's :rfc1034identifier-style modifiers.
    string(REGEX REPLACE "\\$[({]${name}(:[A-Za-z0-9_]+)?[)}]" "${value}" result "${result}")
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

function(openiokit_add_kext target)
  cmake_parse_arguments(PARSE_ARGV 1 KEXT ""
    "BUNDLE_ID;INFO_PLIST;VERSION;OUTPUT_DIRECTORY;EXECUTABLE_NAME;MODULE_START;MODULE_STOP"
    "SOURCES")
  if(NOT KEXT_BUNDLE_ID)
    message(FATAL_ERROR "openiokit_add_kext(${target}): BUNDLE_ID is required")
  endif()
  if(NOT KEXT_INFO_PLIST)
    message(FATAL_ERROR "openiokit_add_kext(${target}): INFO_PLIST is required")
  endif()
  if(NOT KEXT_SOURCES)
    message(FATAL_ERROR "openiokit_add_kext(${target}): SOURCES is required")
  endif()
  if(KEXT_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "openiokit_add_kext(${target}): unknown arguments ${KEXT_UNPARSED_ARGUMENTS}")
  endif()
  get_filename_component(plist_in "${KEXT_INFO_PLIST}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${plist_in}")
    message(FATAL_ERROR "openiokit_add_kext(${target}): INFO_PLIST ${plist_in} does not exist")
  endif()
  if(NOT KEXT_VERSION)
    if(PROJECT_VERSION)
      set(KEXT_VERSION "${PROJECT_VERSION}")
    else()
      set(KEXT_VERSION "1.0.0")
    endif()
  endif()
  if(NOT KEXT_OUTPUT_DIRECTORY)
    set(KEXT_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  set(bundle "${KEXT_OUTPUT_DIRECTORY}/${target}.kext")

  # Re-run configuration when the template changes.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${plist_in}")
  file(READ "${plist_in}" head LIMIT 6)
  set(exe "${KEXT_EXECUTABLE_NAME}")
  if(head STREQUAL "bplist")
    if(NOT exe)
      set(exe "${target}")
    endif()
    configure_file("${plist_in}" "${bundle}/Contents/Info.plist" COPYONLY)
  else()
    file(READ "${plist_in}" plist_text)
    # A literal CFBundleExecutable in the template names the executable.
    if(plist_text MATCHES "<key>CFBundleExecutable</key>[ \t\r\n]*<string>([^<$]+)</string>")
      set(exe "${CMAKE_MATCH_1}")
    elseif(NOT exe)
      set(exe "${target}")
    endif()
    _openiokit_kext_expand(plist_text "${plist_text}"
      "PRODUCT_BUNDLE_IDENTIFIER=${KEXT_BUNDLE_ID}"
      "EXECUTABLE_NAME=${exe}"
      "PRODUCT_NAME=${target}"
      "TARGET_NAME=${target}"
      "MODULE_NAME=${KEXT_BUNDLE_ID}"
      "MODULE_VERSION=${KEXT_VERSION}"
      "CURRENT_PROJECT_VERSION=${KEXT_VERSION}"
      "MARKETING_VERSION=${KEXT_VERSION}"
      "DEVELOPMENT_LANGUAGE=en")
    # Written through a staging file so the bundle's copy only changes when its text does.
    set(staged "${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/${target}.kext-Info.plist")
    file(WRITE "${staged}" "${plist_text}")
    configure_file("${staged}" "${bundle}/Contents/Info.plist" COPYONLY)
  endif()

  set(sources ${KEXT_SOURCES})
  if(KEXT_MODULE_START OR KEXT_MODULE_STOP)
    # Xcode's generated <product>_info.c: the kmod_info the loader reads start/stop from.
    set(start "${KEXT_MODULE_START}")
    set(stop "${KEXT_MODULE_STOP}")
    set(decls "")
    if(start)
      string(APPEND decls "extern \"C\" kern_return_t ${start}(kmod_info_t *, void *);\n")
    else()
      set(start "nullptr")
    endif()
    if(stop)
      string(APPEND decls "extern \"C\" kern_return_t ${stop}(kmod_info_t *, void *);\n")
    else()
      set(stop "nullptr")
    endif()
    set(info_src "${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/${target}_info.cpp")
    file(CONFIGURE OUTPUT "${info_src}" CONTENT
"// Generated by openiokit_add_kext for ${KEXT_BUNDLE_ID}.
#include <mach/kmod.h>
${decls}
extern \"C\" {
__attribute__((visibility(\"default\"))) KMOD_EXPLICIT_DECL(${KEXT_BUNDLE_ID}, \"${KEXT_VERSION}\", ${start}, ${stop})
}
" @ONLY)
    list(APPEND sources "${info_src}")
  endif()

  add_library(${target} MODULE ${sources})
  target_link_libraries(${target} PRIVATE OpenIOKit::Kernel)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++'s STB_GNU_UNIQUE symbols (inline/template statics) would keep the object mapped after
    # dlclose, so an unloaded kext would never really leave.
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fno-gnu-unique>)
  endif()
  target_link_options(${target} PRIVATE "LINKER:-T,${_OPENIOKIT_KEXT_MODINIT_LD}")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${_OPENIOKIT_KEXT_MODINIT_LD}")
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    SUFFIX ""
    OUTPUT_NAME "${exe}"
    # $<0:> keeps multi-config generators from appending a per-configuration directory.
    LIBRARY_OUTPUT_DIRECTORY "${bundle}/Contents/MacOS$<0:>"
    OPENIOKIT_KEXT_BUNDLE_DIR "${bundle}"
    OPENIOKIT_KEXT_BUNDLE_ID "${KEXT_BUNDLE_ID}"
    OPENIOKIT_KEXT_EXECUTABLE "${exe}")
endfunction()
