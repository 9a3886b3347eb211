# The SDK as installed by `cmake --install build --prefix PREFIX`: the libraries, the three
# header roots, a CMake package (find_package(OpenIOKit CONFIG)) with openiokit_add_kext, and
# pkg-config files. Everything is relative to PREFIX, so a moved prefix keeps working.
include(CMakePackageConfigHelpers)

set(OPENIOKIT_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/openiokit)
set(OPENIOKIT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/OpenIOKit)

# Header roots: kernel (Kernel.framework), user (IOKit.framework + CoreFoundation), shared.
foreach(root kernel user shared)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/${root}/
          DESTINATION ${OPENIOKIT_INSTALL_INCLUDEDIR}/${root})
endforeach()

# Imported names: OpenIOKit::Kernel (what a kext compiles and links against),
# OpenIOKit::IOKit (IOKitLib, for clients), OpenIOKit::CoreFoundation, OpenIOKit::SDKShared.
set(_openiokit_exported)
foreach(pair "openiokit_sdk_shared:SDKShared:shared" "openiokit_kernel:Kernel:kernel"
             "openiokit_cf:CoreFoundation:user" "openiokit_iokit:IOKit:user")
  string(REPLACE ":" ";" parts "${pair}")
  list(GET parts 0 target)
  list(GET parts 1 export_name)
  list(GET parts 2 root)
  if(TARGET ${target})
    set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "INTERFACE_LIBRARY")
      target_include_directories(${target} INTERFACE
        $<INSTALL_INTERFACE:${OPENIOKIT_INSTALL_INCLUDEDIR}/${root}>)
    else()
      target_include_directories(${target} PUBLIC
        $<INSTALL_INTERFACE:${OPENIOKIT_INSTALL_INCLUDEDIR}/${root}>)
    endif()
    list(APPEND _openiokit_exported ${target})
  endif()
endforeach()

install(TARGETS ${_openiokit_exported} EXPORT OpenIOKitTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT OpenIOKitTargets NAMESPACE OpenIOKit:: DESTINATION ${OPENIOKIT_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/templates/OpenIOKitConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/OpenIOKitConfig.cmake
  INSTALL_DESTINATION ${OPENIOKIT_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/OpenIOKitConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/OpenIOKitConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/OpenIOKitConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/OpenIOKitKext.cmake
        DESTINATION ${OPENIOKIT_INSTALL_CMAKEDIR})

# pkg-config: `openiokit` for clients, `openiokit-kext` for kexts. ${pcfiledir} keeps them
# relocatable.
foreach(pc openiokit openiokit-kext)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/templates/${pc}.pc.in
                 ${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/${pc}.pc @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/${pc}.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
