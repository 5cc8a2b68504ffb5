// Left objects: foreground that appeared and stays. Two MOG2 background models watch the same
// (shrunk) frames: a long-term one that takes minutes to absorb a change and a short-term one
// that takes seconds. A pixel that is foreground to the long model but already background to
// the short one belongs to something that arrived and then stopped moving: a bag put down, a
// parked car, and also a person standing still (the caller rules people out).
#include <algorithm>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <opencv2/video/background_segm.hpp>

#include "guard.hpp"

struct vg_left_objects {
    cv::Ptr<cv::BackgroundSubtractorMOG2> long_term;
    cv::Ptr<cv::BackgroundSubtractorMOG2> short_term;
    double long_rate = 0;
    double short_rate = 0;
    int updates = 0;
    std::string last_error;
};

extern "C" vg_left_objects *vg_left_objects_create(double long_rate, double short_rate, char *error, size_t error_len) {
    if (!(long_rate > 0 && long_rate < short_rate && short_rate <= 1)) {
        vigil::write_error(error, error_len, "left objects: need 0 < long rate < short rate <= 1");
        return nullptr;
    }
    try {
        auto *handle = new vg_left_objects();
        handle->long_term = cv::createBackgroundSubtractorMOG2(500, 16, false);
        handle->short_term = cv::createBackgroundSubtractorMOG2(500, 16, false);
        handle->long_rate = long_rate;
        handle->short_rate = short_rate;
        return handle;
    } catch (const std::exception &e) {
        vigil::write_error(error, error_len, std::string("left objects: ") + e.what());
        return nullptr;
    }
}

extern "C" void vg_left_objects_destroy(vg_left_objects *handle) { delete handle; }

extern "C" const char *vg_left_objects_last_error(const vg_left_objects *handle) {
    return handle == nullptr ? "no handle" : handle->last_error.c_str();
}

extern "C" int vg_left_objects_update(vg_left_objects *handle, const vg_image *image, double scale, int32_t min_area,
                                      vg_rect *out, int32_t capacity, int32_t *count) {
    if (handle == nullptr || !vigil::valid(image) || count == nullptr || !(scale > 0 && scale <= 1) || min_area < 1) {
        return VG_ERR_ARGUMENT;
    }
    return vigil::guarded(handle->last_error, [&]() -> int {
        *count = 0;
        cv::Mat small;
        cv::resize(vigil::borrow(*image), small, cv::Size(), scale, scale, cv::INTER_AREA);
        cv::GaussianBlur(small, small, cv::Size(5, 5), 0);
        cv::Mat long_mask, short_mask;
        // The first frames teach both models the scene as it is.
        const bool learning = handle->updates < 5;
        handle->long_term->apply(small, long_mask, learning ? 1.0 / (handle->updates + 1) : handle->long_rate);
        handle->short_term->apply(small, short_mask, learning ? 1.0 / (handle->updates + 1) : handle->short_rate);
        handle->updates += 1;
        if (learning) return VG_OK;
        cv::Mat still = long_mask & ~short_mask;
        cv::morphologyEx(still, still, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
        cv::morphologyEx(still, still, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(7, 7)));
        std::vector<std::vector<cv::Point>> contours;
        cv::findContours(still, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
        const double area_scale = scale * scale;
        for (const auto &contour : contours) {
            const cv::Rect r = cv::boundingRect(contour);
            if (cv::contourArea(contour) / area_scale < min_area) continue;
            if (*count >= capacity) return VG_ERR_CAPACITY;
            out[*count] = {static_cast<int32_t>(r.x / scale), static_cast<int32_t>(r.y / scale),
                           static_cast<int32_t>(r.width / scale), static_cast<int32_t>(r.height / scale)};
            *count += 1;
        }
        return VG_OK;
    });
}
