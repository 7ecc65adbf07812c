// The parsers that read files take a path: the fuzz input goes into a memfd
// and the parser reads /proc/self/fd/N, without touching the disk.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace ctop::fuzz {

inline std::string as_file(const uint8_t* data, size_t size)
{
    static int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    ftruncate(fd, 0);
    pwrite(fd, data, size, 0);
    return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace ctop::fuzz
