// Shared by the CVision translation units: borrowing images, on top of the exception guard
// CAnalytics and CVision share.
#pragma once

#include <opencv2/core.hpp>

#include "vigil_guard.hpp"
#include "vision.h"

namespace vigil {

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
