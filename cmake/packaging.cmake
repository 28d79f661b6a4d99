# Installation layout and the Debian package (CPack DEB). Included from the top-level
# CMakeLists.txt for every build except the fuzzing one.
#
#   cmake --build --preset release
#   cd build/release && cpack -G DEB          # -> ikewatch_<version>-1_<arch>.deb
#
# Paths under the prefix (binaries, documentation, the reference copy of the rule pack) are
# relative; the package uses the prefix /usr. Configuration, logrotate and the systemd unit
# belong to fixed system locations and use absolute destinations. CPack stages those through
# DESTDIR (CPACK_SET_DESTDIR), so building the package never touches the real /etc or /lib.
# A plain `cmake --install` writes them to the live system unless DESTDIR is set.

set(IKEWATCH_PACKAGING_DIR "${PROJECT_SOURCE_DIR}/packaging")

# --- what gets installed ---------------------------------------------------------------------

# The CLI installs itself to bin (cli/CMakeLists.txt), i.e. /usr/bin/ikewatch in the package.
install(TARGETS ikewatchd RUNTIME DESTINATION sbin)

install(FILES "${PROJECT_SOURCE_DIR}/config/ikewatch.yaml"
        DESTINATION /etc/ikewatch)
install(FILES "${IKEWATCH_PACKAGING_DIR}/rules.d/README"
        DESTINATION /etc/ikewatch/rules.d)
install(FILES "${IKEWATCH_PACKAGING_DIR}/ikewatch.logrotate"
        DESTINATION /etc/logrotate.d
        RENAME ikewatch)
install(FILES "${IKEWATCH_PACKAGING_DIR}/ikewatch.service"
        DESTINATION /lib/systemd/system)

install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/docs/rules.md"
              "${PROJECT_SOURCE_DIR}/docs/forwarding.md" "${PROJECT_SOURCE_DIR}/docs/security.md"
              "${IKEWATCH_PACKAGING_DIR}/debian/copyright"
        DESTINATION share/doc/ikewatch)
# changelog.Debian.gz is written at package time (packaging/debian/changelog.cmake), from the
# version being packaged. The manual pages install themselves (docs/man/CMakeLists.txt).
install(FILES "${PROJECT_SOURCE_DIR}/completion/ikewatch" "${PROJECT_SOURCE_DIR}/completion/ikewatchd"
        DESTINATION share/bash-completion/completions)
install(FILES "${IKEWATCH_PACKAGING_DIR}/lintian-overrides"
        DESTINATION share/lintian/overrides
        RENAME ikewatch)
# The pack is compiled into both binaries; this copy is only there to read and to start
# local overrides from.
file(GLOB IKEWATCH_PACK_FILES CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/rules/pack/*.yaml")
install(FILES ${IKEWATCH_PACK_FILES} DESTINATION share/ikewatch/rules)

# --- the Debian package ----------------------------------------------------------------------

# Who answers for the package (the Maintainer field and the changelog's signature line), and
# the project's web page. Set both when building a package to distribute:
#   cmake --preset release -DIKEWATCH_DEB_MAINTAINER="Name <address>" -DIKEWATCH_HOMEPAGE=URL
# Debian's DEBFULLNAME and DEBEMAIL, when set at the first configure, give the default
# maintainer.
if(DEFINED ENV{DEBFULLNAME} AND DEFINED ENV{DEBEMAIL})
    set(IKEWATCH_DEFAULT_MAINTAINER "$ENV{DEBFULLNAME} <$ENV{DEBEMAIL}>")
else()
    set(IKEWATCH_DEFAULT_MAINTAINER "ikewatch maintainers <maintainers@ikewatch.invalid>")
endif()
set(IKEWATCH_DEB_MAINTAINER "${IKEWATCH_DEFAULT_MAINTAINER}"
    CACHE STRING "Maintainer of the Debian package: \"Name <address>\"")
set(IKEWATCH_HOMEPAGE "" CACHE STRING "Homepage field of the Debian package (a URL; empty: none)")
if(NOT IKEWATCH_DEB_MAINTAINER MATCHES "^[^<>]+ <[^<>@ ]+@[^<>@ ]+\\.[^<>@ ]+>$")
    message(FATAL_ERROR "IKEWATCH_DEB_MAINTAINER must read \"Name <user@host.domain>\", "
                        "not \"${IKEWATCH_DEB_MAINTAINER}\"")
endif()

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "ikewatch")
set(CPACK_PACKAGE_VENDOR "ikewatch")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${IKEWATCH_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")

# Staging: everything under DESTDIR, with /usr as the prefix for the relative destinations.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX "/usr")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_NAME "ikewatch")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${IKEWATCH_DEB_MAINTAINER}")
if(IKEWATCH_HOMEPAGE)
    set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${IKEWATCH_HOMEPAGE}")
endif()
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# dpkg-shlibdeps adds the shared libraries the binaries link (yaml-cpp, spdlog, fmt, libstdc++,
# libc ...) to these; adduser is needed by the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "logrotate")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "ikewatch reads the syslog of Cisco ASA, FTD, PIX and IOS devices, rebuilds the
IKE negotiation state of every peer and explains, with the log lines as
evidence, why an IPsec tunnel does not come up.
.
This package contains the ikewatchd syslog receiver (UDP and TCP, with a
systemd unit and logrotate configuration) and the ikewatch command for
replaying logs, checking rule files and explaining states and codes.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${IKEWATCH_PACKAGING_DIR}/debian/postinst"
    "${IKEWATCH_PACKAGING_DIR}/debian/prerm"
    "${IKEWATCH_PACKAGING_DIR}/debian/postrm"
    "${IKEWATCH_PACKAGING_DIR}/debian/conffiles")
# Maintainer scripts 0755 and conffiles 0644 whatever their mode in the checkout.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# Runs after CPack has staged the files: writes changelog.Debian.gz for the version packaged
# (so `cpack -D CPACK_PACKAGE_VERSION=...` gets a matching changelog too).
set(CPACK_PRE_BUILD_SCRIPTS "${IKEWATCH_PACKAGING_DIR}/debian/changelog.cmake")
set(CPACK_IKEWATCH_DISTRIBUTION "bookworm")

set(CPACK_SOURCE_GENERATOR "TGZ")
# Regular expressions; the backslashes are doubled again because CPack writes them into its
# configuration file unescaped.
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build/" "\\\\.swp$" "/__pycache__/")

include(CPack)

# --- the package tests (ctest -L packaging) ------------------------------------------------------

# The manual pages and the bash completions, against the options the built binaries list.
add_test(NAME packaging_man_pages
         COMMAND ${CMAKE_COMMAND} -E env
                 "IKEWATCH=$<TARGET_FILE:ikewatch>" "IKEWATCHD=$<TARGET_FILE:ikewatchd>"
                 "IKEWATCH_MAN_DIR=${IKEWATCH_MAN_BUILD_DIR}"
                 bash "${PROJECT_SOURCE_DIR}/tests/packaging/check_man_pages.sh")
add_test(NAME packaging_completion
         COMMAND ${CMAKE_COMMAND} -E env
                 "IKEWATCH=$<TARGET_FILE:ikewatch>" "IKEWATCHD=$<TARGET_FILE:ikewatchd>"
                 bash "${PROJECT_SOURCE_DIR}/tests/packaging/check_completion.sh")
set_tests_properties(packaging_man_pages packaging_completion PROPERTIES LABELS packaging)

# The package, built twice (this version and an earlier one) for the tests that need it.
set(IKEWATCH_PACKAGE_TEST_DIR "${PROJECT_BINARY_DIR}/packaging-test")
add_test(NAME packaging_build
         COMMAND ${CMAKE_COMMAND} -E env
                 "CPACK=${CMAKE_CPACK_COMMAND}"
                 "IKEWATCH_BUILD_DIR=${PROJECT_BINARY_DIR}"
                 "IKEWATCH_PACKAGE_DIR=${IKEWATCH_PACKAGE_TEST_DIR}"
                 bash "${PROJECT_SOURCE_DIR}/tests/packaging/build_packages.sh")
set_tests_properties(packaging_build PROPERTIES
                     LABELS packaging FIXTURES_SETUP ikewatch_packages TIMEOUT 600)

# Control fields, files, conffiles, maintainer scripts, unit, logrotate, the packaged daemon.
add_test(NAME packaging_deb
         COMMAND ${CMAKE_COMMAND} -E env
                 "IKEWATCH_DEB=${IKEWATCH_PACKAGE_TEST_DIR}/current"
                 "IKEWATCH_VERSION=${PROJECT_VERSION}"
                 "IKEWATCH_MAINTAINER=${IKEWATCH_DEB_MAINTAINER}"
                 "IKEWATCH_HOMEPAGE=${IKEWATCH_HOMEPAGE}"
                 bash "${PROJECT_SOURCE_DIR}/tests/packaging/check_package.sh")
# Debian's own checks: no lintian error or warning without a reasoned override.
add_test(NAME packaging_lintian
         COMMAND ${CMAKE_COMMAND} -E env
                 "IKEWATCH_DEB=${IKEWATCH_PACKAGE_TEST_DIR}/current"
                 bash "${PROJECT_SOURCE_DIR}/tests/packaging/check_lintian.sh")
# Install, upgrade over the earlier build with a local conffile edit, remove and purge, in a clean
# Debian root (debootstrap; the base root is cached between runs, see the script).
add_test(NAME packaging_install
         COMMAND ${CMAKE_COMMAND} -E env
                 "IKEWATCH_PACKAGE_DIR=${IKEWATCH_PACKAGE_TEST_DIR}"
                 bash "${PROJECT_SOURCE_DIR}/tests/packaging/check_install.sh")
set_tests_properties(packaging_deb packaging_lintian packaging_install PROPERTIES
                     LABELS packaging FIXTURES_REQUIRED ikewatch_packages TIMEOUT 900)
