// Shared by the C++ translation units of CAnalytics and CVision: the one place C++ exceptions
// become status codes. Not part of the Swift module (see module.modulemap).
#pragma once

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include <opencv2/core.hpp>

#include "analytics.h"

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

/// Writes an 8-bit BGR image as PNG (libpng; OpenCV's imgcodecs would pull in GDAL and HDF5).
/// On failure `error` says why, naming the path.
bool write_png(const std::string &path, const cv::Mat &bgr, std::string &error);

} // namespace vigil
