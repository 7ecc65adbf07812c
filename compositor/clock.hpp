// The monotonic clock in milliseconds: input events carry it (as wlroots'
// wrapping 32-bit time_msec) and rate limits compare it.
#pragma once

#include <time.h>

#include <cstdint>

namespace ctop {

inline std::uint64_t monotonic_msec()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1000000;
}

// Nanoseconds, for the input latency bench: the session stamps each injected
// event with it and the client its handler, on the same clock.
inline std::uint64_t monotonic_nsec()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000 + static_cast<std::uint64_t>(ts.tv_nsec);
}

// The time stamp of an input event we synthesise.
inline std::uint32_t now_msec()
{
    return static_cast<std::uint32_t>(monotonic_msec());
}

}  // namespace ctop
