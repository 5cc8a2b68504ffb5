// Shared by the CVision translation units: the one place C++ exceptions become status codes.
#pragma once

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include <opencv2/core.hpp>

#include "vision.h"

namespace vigil {

/// Copies a message into a caller's buffer (constructors have no handle yet).
inline void write_error(char *buffer, size_t length, const std::string &message) {
    if (buffer == nullptr || length == 0) return;
    std::snprintf(buffer, length, "%s", message.c_str());
}

/// Runs `body`, turning any exception into VG_ERR_INTERNAL with its message in `last_error`.
/// Every extern "C" entry point that can reach OpenCV or dlib goes through here.
template <typename Body>
int guarded(std::string &last_error, Body &&body) {
    try {
        last_error.clear();
        return body();
    } catch (const cv::Exception &error) {
        last_error = std::string("OpenCV: ") + error.what();
    } catch (const std::exception &error) {
        last_error = error.what();
    } catch (...) {
        last_error = "unknown C++ exception";
    }
    return VG_ERR_INTERNAL;
}

/// Wraps a borrowed vg_image as a cv::Mat header (no copy). OpenCV never writes through it.
inline cv::Mat borrow(const vg_image &image) {
    return cv::Mat(image.height, image.width, CV_8UC3, const_cast<uint8_t *>(image.data),
                   static_cast<size_t>(image.stride));
}

inline bool valid(const vg_image *image) {
    return image != nullptr && image->data != nullptr && image->width > 0 && image->height > 0 &&
           image->stride >= image->width * 3;
}

/// Clamps a rectangle to the image; an empty result means "outside".
inline cv::Rect clamp(const vg_rect &rect, const vg_image &image) {
    return cv::Rect(rect.x, rect.y, rect.width, rect.height) & cv::Rect(0, 0, image.width, image.height);
}

} // namespace vigil
