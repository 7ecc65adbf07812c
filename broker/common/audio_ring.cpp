// The bridge's frame buffer.
#include "audio_ring.hpp"

#include <algorithm>

namespace ctop {

void AudioRing::put(float left, float right)
{
    if (write_ - read_ == capacity()) {
        ++read_;
        ++dropped_;
    }
    size_t at = static_cast<size_t>(write_++ % capacity()) * 2;
    data_[at] = left;
    data_[at + 1] = right;
}

void AudioRing::take(float& left, float& right)
{
    if (read_ == write_) {
        left = right = 0.0f;
        ++starved_;
        return;
    }
    size_t at = static_cast<size_t>(read_++ % capacity()) * 2;
    left = data_[at];
    right = data_[at + 1];
}

void AudioRing::push_interleaved(const float* frames, size_t count)
{
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < count; ++i) put(frames[2 * i], frames[2 * i + 1]);
}

void AudioRing::pop_interleaved(float* frames, size_t count)
{
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < count; ++i) take(frames[2 * i], frames[2 * i + 1]);
}

size_t AudioRing::available() const
{
    std::lock_guard lock(mutex_);
    return static_cast<size_t>(write_ - read_);
}

void AudioRing::clear()
{
    std::lock_guard lock(mutex_);
    read_ = write_;
}

}  // namespace ctop
