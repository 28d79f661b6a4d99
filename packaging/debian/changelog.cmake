# CPack pre-build script: writes usr/share/doc/ikewatch/changelog.Debian.gz into the staged
# package, from the version being packaged (CPack's variables, including -D overrides given to
# cpack). The date is SOURCE_DATE_EPOCH when set (reproducible builds), else the packaging time.
# gzip -9n stores neither a file name nor a time stamp.

if(NOT CPACK_GENERATOR STREQUAL "DEB")
    return()
endif()

if(CPACK_DEBIAN_PACKAGE_VERSION)
    set(version "${CPACK_DEBIAN_PACKAGE_VERSION}")
else()
    set(version "${CPACK_PACKAGE_VERSION}")
endif()
set(upstream "${version}")
if(CPACK_DEBIAN_PACKAGE_RELEASE)
    string(APPEND version "-${CPACK_DEBIAN_PACKAGE_RELEASE}")
endif()
if(CPACK_DEBIAN_PACKAGE_EPOCH)
    set(version "${CPACK_DEBIAN_PACKAGE_EPOCH}:${version}")
endif()

string(TIMESTAMP date "%a, %d %b %Y %H:%M:%S +0000" UTC)

set(doc "${CPACK_TEMPORARY_DIRECTORY}/usr/share/doc/ikewatch")
file(MAKE_DIRECTORY "${doc}")
file(WRITE "${doc}/changelog.Debian"
     "ikewatch (${version}) ${CPACK_IKEWATCH_DISTRIBUTION}; urgency=medium\n"
     "\n"
     "  * ikewatch ${upstream} for Debian 12.\n"
     "\n"
     " -- ${CPACK_DEBIAN_PACKAGE_MAINTAINER}  ${date}\n")
execute_process(COMMAND gzip -9nf "${doc}/changelog.Debian" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip -9n changelog.Debian failed (${rc})")
endif()
file(CHMOD "${doc}/changelog.Debian.gz" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
