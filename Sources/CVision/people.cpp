// People: OpenCV's HOG descriptor with its built-in pedestrian SVM (Dalal-Triggs,
// getDefaultPeopleDetector), so no weights are downloaded. A 64x128 window finds people
// about 100-400 px tall at scale 1; a region is shrunk first so small cameras and large
// regions cost the same per pixel.
#include <vector>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "guard.hpp"

struct vg_people {
    cv::HOGDescriptor hog;
    std::string last_error;
};

extern "C" vg_people *vg_people_create(char *error, size_t error_len) {
    try {
        auto *handle = new vg_people();
        handle->hog.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
        return handle;
    } catch (const std::exception &e) {
        vigil::write_error(error, error_len, std::string("HOG people detector: ") + e.what());
        return nullptr;
    }
}

extern "C" void vg_people_destroy(vg_people *handle) { delete handle; }

extern "C" const char *vg_people_last_error(const vg_people *handle) {
    return handle == nullptr ? "no detector" : handle->last_error.c_str();
}

extern "C" int vg_people_detect(vg_people *handle, const vg_image *image, const vg_rect *region,
                                const vg_people_params *params, vg_detection *out, int32_t capacity, int32_t *count) {
    if (handle == nullptr || !vigil::valid(image) || params == nullptr || count == nullptr || params->scale <= 0 ||
        params->scale > 4 || params->pyramid_step <= 1.0) {
        return VG_ERR_ARGUMENT;
    }
    return vigil::guarded(handle->last_error, [&]() -> int {
        cv::Rect area(0, 0, image->width, image->height);
        if (region != nullptr) area = vigil::clamp(*region, *image);
        *count = 0;
        cv::Mat work = vigil::borrow(*image)(area);
        if (params->scale != 1.0) {
            cv::resize(work, work, cv::Size(), params->scale, params->scale,
                       params->scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
        }
        // A region smaller than one detection window cannot hold a person.
        if (work.cols < 64 || work.rows < 128) return VG_OK;
        cv::Mat grey;
        cv::cvtColor(work, grey, cv::COLOR_BGR2GRAY);
        std::vector<cv::Rect> found;
        std::vector<double> weights;
        handle->hog.detectMultiScale(grey, found, weights, params->hit_threshold, cv::Size(8, 8), cv::Size(16, 16),
                                     params->pyramid_step, 2.0, false);
        *count = static_cast<int32_t>(found.size());
        if (*count > capacity) return VG_ERR_CAPACITY;
        for (size_t i = 0; i < found.size(); ++i) {
            const cv::Rect &r = found[i];
            out[i].box = {static_cast<int32_t>(r.x / params->scale + area.x), static_cast<int32_t>(r.y / params->scale + area.y),
                          static_cast<int32_t>(r.width / params->scale), static_cast<int32_t>(r.height / params->scale)};
            out[i].score = i < weights.size() ? weights[i] : 0;
        }
        return VG_OK;
    });
}
