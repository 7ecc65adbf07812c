// AudioRing: stereo float frames between the two PipeWire graphs of the
// audio bridge. The container's graph pushes, the host's pops (and the other
// way round for the microphone). Bounded: when the reader falls behind, the
// oldest frames go, so latency never grows; when it runs dry it gets silence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace ctop {

class AudioRing {
public:
    explicit AudioRing(size_t capacity_frames) : data_(capacity_frames * 2) {}

    // Interleaved L R L R ...
    void push_interleaved(const float* frames, size_t count);
    void pop_interleaved(float* frames, size_t count);

    size_t available() const;
    void clear();
    uint64_t dropped() const { return dropped_; }  // frames lost to overflow
    uint64_t starved() const { return starved_; }  // frames of silence for lack of data

private:
    size_t capacity() const { return data_.size() / 2; }
    // One frame in or out; the caller holds mutex_. A full ring drops its
    // oldest frame, an empty one yields silence.
    void put(float left, float right);
    void take(float& left, float& right);

    std::vector<float> data_;
    mutable std::mutex mutex_;
    uint64_t read_ = 0, write_ = 0;  // frame counters; index = counter % capacity
    uint64_t dropped_ = 0, starved_ = 0;
};

}  // namespace ctop
