# Every dependency comes from Debian 12 packages (scripts/install-deps.sh). Nothing is downloaded.

find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(yaml-cpp REQUIRED)
# yaml-cpp 0.7 (Debian 12) exports `yaml-cpp`; 0.8 renamed it `yaml-cpp::yaml-cpp`.
if(TARGET yaml-cpp AND NOT TARGET yaml-cpp::yaml-cpp)
    add_library(yaml-cpp::yaml-cpp ALIAS yaml-cpp)
endif()
find_package(GTest REQUIRED)

if(NOT IKEWATCH_FUZZ)
    find_package(spdlog REQUIRED)
    find_package(Boost 1.74 REQUIRED)
    find_package(OpenSSL REQUIRED)
    find_package(CLI11 REQUIRED)
    find_package(benchmark REQUIRED)
    # Kafka: alerts to a topic, raw syslog from a topic (librdkafka's C API).
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
endif()
