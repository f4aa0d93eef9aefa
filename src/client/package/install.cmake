# Install rules for the client library, included from src/client/CMakeLists.txt.
#
# Layout under the prefix (see README.md, "C++ client library"):
#   include/spate/client/*.h, include/spate/common/{status,strong_id}.h   (the public headers)
#   lib/libspate_{client,auth,protocol,common}.a (+ OpenSSL and libcrypt from the system)
#   lib/cmake/SpateClient/   find_package(SpateClient CONFIG) -> Spate::client
#   lib/pkgconfig/spate-client.pc
# Headers keep their src/-relative paths and include/spate is the include directory, so users
# write #include "client/connection.h" exactly as the library's own code does, and the generic
# folder names client/ and common/ stay out of the prefix's include/.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The public API: connection.h and jetstream.h with everything they include. Internal headers
# (connection_core.h, jetstream_json.h, jetstream_state.h, async_publisher.h, nuid.h) stay out;
# the install test compiles a program against the installed tree, so a missing one shows.
set(SPATE_CLIENT_PUBLIC_HEADERS
    api_error.h
    connection.h
    errors.h
    jetstream.h
    jetstream_config.h
    jetstream_types.h
    js_msg.h
    key_value.h
    msg.h
    msg_view.h
    options.h
    ordered_consumer.h
    pull_subscription.h
    push_subscription.h
    subscription.h)
list(TRANSFORM SPATE_CLIENT_PUBLIC_HEADERS PREPEND ${PROJECT_SOURCE_DIR}/src/client/)
install(FILES ${SPATE_CLIENT_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/spate/client)
install(FILES ${PROJECT_SOURCE_DIR}/src/common/status.h ${PROJECT_SOURCE_DIR}/src/common/strong_id.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/spate/common)

# Exported as Spate::client, Spate::protocol, Spate::common. The libraries are static, so the
# exported client target links the other two (and Threads) itself: find_package is enough.
set_target_properties(spate_client PROPERTIES EXPORT_NAME client)
set_target_properties(spate_protocol PROPERTIES EXPORT_NAME protocol)
set_target_properties(spate_common PROPERTIES EXPORT_NAME common)
set_target_properties(spate_auth PROPERTIES EXPORT_NAME auth)

# A sanitizer build (SPATE_SANITIZE, what `make test` uses) compiles the libraries with ASan and
# UBSan, so whatever links them needs the sanitizer runtimes. The package says so itself rather
# than leaving every consumer to know how the libraries were built.
set(SPATE_CLIENT_SANITIZE_LINK "")
if(SPATE_SANITIZE)
  set(SPATE_CLIENT_SANITIZE_LINK "-fsanitize=address,undefined")
  target_link_options(spate_common INTERFACE
                      $<INSTALL_INTERFACE:${SPATE_CLIENT_SANITIZE_LINK}>)
endif()

install(
  TARGETS spate_client spate_auth spate_protocol spate_common
  EXPORT SpateClientTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/spate)

set(_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/SpateClient)
install(EXPORT SpateClientTargets NAMESPACE Spate:: DESTINATION ${_cmake_dir})
configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/SpateClientConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/SpateClientConfig.cmake INSTALL_DESTINATION ${_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/SpateClientConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/SpateClientConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/SpateClientConfigVersion.cmake DESTINATION ${_cmake_dir})

# The .pc file finds the prefix from its own place (${pcfiledir}), so the tree stays relocatable
# and `cmake --install --prefix DIR` needs no reconfigure.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(SPATE_CLIENT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _up /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
  set(SPATE_CLIENT_PC_PREFIX "\${pcfiledir}/${_up}")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/spate-client.pc.in
               ${CMAKE_CURRENT_BINARY_DIR}/spate-client.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/spate-client.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
