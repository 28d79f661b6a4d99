# Compiler settings shared by every project target.

set(IKEWATCH_WARNINGS
    -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Wold-style-cast
    -Wnon-virtual-dtor -Woverloaded-virtual -Wdouble-promotion
    -Wformat=2 -Wimplicit-fallthrough)
# g++ 12 warns falsely with -Wrestrict inside std::string's own code once it inlines it (-O2,
# -O3: `"text" + std::to_string(n)`, even `s = "text"`); g++ 13 no longer does.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    list(APPEND IKEWATCH_WARNINGS -Wno-restrict)
endif()
# Errors only where the compiler and flags are known (developer presets, CI): another compiler
# or optimisation level may warn falsely, and a user's build must not fail on that.
if(IKEWATCH_WERROR)
    list(APPEND IKEWATCH_WARNINGS -Werror)
endif()

if(CMAKE_BUILD_TYPE STREQUAL "Debug")
    add_compile_options(-Og)
endif()

if(IKEWATCH_SANITIZE)
    add_compile_options(-fsanitize=${IKEWATCH_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    add_link_options(-fsanitize=${IKEWATCH_SANITIZE})
    if(IKEWATCH_SANITIZE MATCHES "thread")
        # Boost.Asio uses std::atomic_thread_fence, which TSan does not model; g++ warns about
        # every use in its headers. The fences only back up the locks TSan does see.
        add_compile_options(-Wno-tsan)
    endif()
endif()

if(IKEWATCH_HARDEN)
    add_compile_options(-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE)
    add_link_options(-pie -Wl,-z,relro -Wl,-z,now)
endif()

# With link-time optimisation g++ inlines across the whole program until it has grown by 40 %,
# then stops, even for one-line library functions (`string_view::substr`, `operator==`) called
# per character or per field on the parsing path. A larger allowance takes the replay of the
# benchmark mix from 2,856 to 2,698 instructions per line (bench/README.md) for about a third
# more code.
if(CMAKE_INTERPROCEDURAL_OPTIMIZATION AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(--param=inline-unit-growth=100)
    add_link_options(--param=inline-unit-growth=100)
endif()

# Apply the project's warnings (as errors with IKEWATCH_WERROR) and include root to a target of
# ours.
function(ikewatch_defaults target)
    target_compile_options(${target} PRIVATE ${IKEWATCH_WARNINGS})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()
