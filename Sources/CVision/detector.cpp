// Face detection primitives: OpenCV's Haar cascade (the fast per-frame proposer)
// and dlib's HOG detector (slower, far fewer false faces). Which to use when is
// policy and lives in Swift (VigilVision.FaceDetector); this file only measures.
#include <algorithm>
#include <cmath>
#include <dlfcn.h>
#include <memory>
#include <string>
#include <vector>

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv/cv_image.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "guard.hpp"
#include "haar_cascade.hpp"

namespace {
// dlib ships its HOG face model as a compressed string; decoding it costs 0.3-0.5 s of CPU here
// (8% of a `vigil scan --track` of the hamilton clip).
// It is decoded once per process and each detector takes a copy (a copy is cheap, and each
// handle still owns its own, so no two threads share one).
const dlib::frontal_face_detector &frontal_face_model() {
    static const dlib::frontal_face_detector model = dlib::get_frontal_face_detector();
    return model;
}
}  // namespace

struct vg_detector {
    cv::CascadeClassifier cascade;
    // The same cascade for Vigil's evaluator, when it takes it and the CPU has AVX2 or AVX-512F.
    vigil::HaarCascade vector_cascade;
    int32_t widest_engine = VG_HAAR_OPENCV;
    int32_t engine = VG_HAAR_OPENCV;
    dlib::frontal_face_detector hog = frontal_face_model();
    std::string last_error;
    // The frame vg_detector_prepare made: grey, at detection scale, equalised.
    cv::Mat prepared;
    double prepared_scale = 1;
    int prepared_width = 0, prepared_height = 0;
    bool prepared_ok = false;
};

extern "C" vg_detector *vg_detector_create(const char *cascade_path, char *error, size_t error_len) {
    if (cascade_path == nullptr) {
        vigil::write_error(error, error_len, "no cascade path given");
        return nullptr;
    }
    try {
        auto detector = std::make_unique<vg_detector>();
        if (!detector->cascade.load(cascade_path) || detector->cascade.empty()) {
            vigil::write_error(error, error_len, std::string("cannot load Haar cascade ") + cascade_path);
            return nullptr;
        }
        if (vg_haar_widest_engine() != VG_HAAR_OPENCV && detector->vector_cascade.load(cascade_path)) {
            detector->widest_engine = vg_haar_widest_engine();
        }
        detector->engine = detector->widest_engine;
        return detector.release();
    } catch (const std::exception &e) {
        vigil::write_error(error, error_len, std::string("cannot load Haar cascade ") + cascade_path + ": " + e.what());
    } catch (...) {
        vigil::write_error(error, error_len, std::string("cannot load Haar cascade ") + cascade_path);
    }
    return nullptr;
}

extern "C" void vg_detector_destroy(vg_detector *detector) { delete detector; }

extern "C" const char *vg_detector_last_error(const vg_detector *detector) {
    return detector ? detector->last_error.c_str() : "no detector";
}

extern "C" int32_t vg_haar_widest_engine(void) {
    const int lanes = vigil::HaarCascade::widest();
    return lanes == 16 ? VG_HAAR_AVX512 : lanes == 8 ? VG_HAAR_AVX2 : VG_HAAR_OPENCV;
}

extern "C" int32_t vg_detector_set_haar_engine(vg_detector *detector, int32_t engine) {
    if (detector == nullptr) return VG_HAAR_OPENCV;
    detector->engine = std::clamp(engine, static_cast<int32_t>(VG_HAAR_OPENCV), detector->widest_engine);
    return detector->engine;
}

namespace {
/// detectMultiScale on a grey image, by whichever evaluator the handle uses (their results are the same).
void haar_search(vg_detector *detector, const cv::Mat &grey, double scale_factor, int min_neighbors, cv::Size min_size,
                 cv::Size max_size, std::vector<cv::Rect> &faces, std::vector<int> &neighbours) {
    if (detector->engine != VG_HAAR_OPENCV) {
        const int lanes = detector->engine == VG_HAAR_AVX512 ? 16 : 8;
        detector->vector_cascade.detect(grey, lanes, scale_factor, min_neighbors, min_size, max_size, faces, neighbours);
    } else {
        detector->cascade.detectMultiScale(grey, faces, neighbours, scale_factor, min_neighbors, 0, min_size, max_size);
    }
}
}  // namespace

extern "C" int vg_detect_haar(vg_detector *detector, const vg_image *image, const vg_haar_params *params,
                              vg_detection *out, int32_t capacity, int32_t *count) {
    if (detector == nullptr || !vigil::valid(image) || params == nullptr || count == nullptr ||
        params->scale <= 0 || params->scale_factor <= 1.0) {
        return VG_ERR_ARGUMENT;
    }
    return vigil::guarded(detector->last_error, [&]() -> int {
        cv::Mat gray;
        cv::cvtColor(vigil::borrow(*image), gray, cv::COLOR_BGR2GRAY);
        if (params->scale != 1.0) {
            cv::resize(gray, gray, cv::Size(), params->scale, params->scale,
                       params->scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
        }
        if (params->equalize) cv::equalizeHist(gray, gray);
        std::vector<cv::Rect> faces;
        std::vector<int> neighbours;
        const int min_side = std::max(1, params->min_size);
        haar_search(detector, gray, params->scale_factor, params->min_neighbors, cv::Size(min_side, min_side), cv::Size(),
                    faces, neighbours);
        *count = static_cast<int32_t>(faces.size());
        if (*count > capacity) return VG_ERR_CAPACITY;
        for (size_t i = 0; i < faces.size(); ++i) {
            const cv::Rect &f = faces[i];
            out[i].box = {static_cast<int32_t>(f.x / params->scale), static_cast<int32_t>(f.y / params->scale),
                          static_cast<int32_t>(f.width / params->scale), static_cast<int32_t>(f.height / params->scale)};
            out[i].score = i < neighbours.size() ? neighbours[i] : 0;
        }
        return VG_OK;
    });
}

extern "C" int vg_detect_hog(vg_detector *detector, const vg_image *image, const vg_rect *region,
                             const vg_hog_params *params, vg_detection *out, int32_t capacity, int32_t *count) {
    if (detector == nullptr || !vigil::valid(image) || params == nullptr || count == nullptr || params->scale <= 0 ||
        params->pad_fraction < 0) {
        return VG_ERR_ARGUMENT;
    }
    return vigil::guarded(detector->last_error, [&]() -> int {
        cv::Rect area(0, 0, image->width, image->height);
        if (region != nullptr) area = vigil::clamp(*region, *image);
        *count = 0;
        if (area.empty()) return VG_OK;

        cv::Mat work = vigil::borrow(*image)(area);
        if (params->scale != 1.0) {
            cv::resize(work, work, cv::Size(), params->scale, params->scale,
                       params->scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
        }
        const int pad_x = static_cast<int>(work.cols * params->pad_fraction);
        const int pad_y = static_cast<int>(work.rows * params->pad_fraction);
        if (pad_x > 0 || pad_y > 0) {
            cv::copyMakeBorder(work, work, pad_y, pad_y, pad_x, pad_x, cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
        } else if (!work.isContinuous()) {
            work = work.clone();
        }

        dlib::cv_image<dlib::bgr_pixel> view(work);
        std::vector<dlib::rect_detection> found;
        detector->hog(view, found, params->adjust_threshold);

        *count = static_cast<int32_t>(found.size());
        if (*count > capacity) return VG_ERR_CAPACITY;
        for (size_t i = 0; i < found.size(); ++i) {
            const dlib::rectangle &r = found[i].rect;
            const double x = (r.left() - pad_x) / params->scale + area.x;
            const double y = (r.top() - pad_y) / params->scale + area.y;
            out[i].box = {static_cast<int32_t>(x), static_cast<int32_t>(y),
                          static_cast<int32_t>(r.width() / params->scale),
                          static_cast<int32_t>(r.height() / params->scale)};
            out[i].score = found[i].detection_confidence;
        }
        return VG_OK;
    });
}

extern "C" int vg_detector_prepare(vg_detector *detector, const vg_image *image, const vg_prepare_params *params,
                                   uint8_t *grid_out) {
    if (detector == nullptr || !vigil::valid(image) || params == nullptr || params->scale <= 0 || params->scale > 1 ||
        params->grid_width < 0 || params->grid_height < 0 || (params->grid_width > 0 && grid_out == nullptr)) {
        return VG_ERR_ARGUMENT;
    }
    return vigil::guarded(detector->last_error, [&]() -> int {
        detector->prepared_ok = false;
        cv::Mat &gray = detector->prepared;
        cv::cvtColor(vigil::borrow(*image), gray, cv::COLOR_BGR2GRAY);
        if (params->grid_width > 0 && params->grid_height > 0) {
            // Box-averaged cells: each cell's mean luma, so noise averages out before motion is judged.
            cv::Mat grid(params->grid_height, params->grid_width, CV_8UC1, grid_out);
            cv::resize(gray, grid, grid.size(), 0, 0, cv::INTER_AREA);
        }
        if (params->scale != 1.0) cv::resize(gray, gray, cv::Size(), params->scale, params->scale, cv::INTER_AREA);
        if (params->equalize) cv::equalizeHist(gray, gray);
        detector->prepared_scale = params->scale;
        detector->prepared_width = image->width;
        detector->prepared_height = image->height;
        detector->prepared_ok = true;
        return VG_OK;
    });
}

extern "C" int vg_detect_haar_prepared(vg_detector *detector, const vg_haar_search *search, vg_detection *out,
                                       int32_t capacity, int32_t *count) {
    if (detector == nullptr || search == nullptr || count == nullptr || search->scale_factor <= 1.0 ||
        search->min_size < 1 || search->max_size < 0) {
        return VG_ERR_ARGUMENT;
    }
    if (!detector->prepared_ok) {
        detector->last_error = "no prepared frame";
        return VG_ERR_ARGUMENT;
    }
    return vigil::guarded(detector->last_error, [&]() -> int {
        const double s = detector->prepared_scale;
        *count = 0;
        const cv::Rect source = cv::Rect(search->region.x, search->region.y, search->region.width, search->region.height) &
                                cv::Rect(0, 0, detector->prepared_width, detector->prepared_height);
        // The same rectangle in the detection image (rounded outwards).
        cv::Rect area(static_cast<int>(source.x * s), static_cast<int>(source.y * s),
                      static_cast<int>(std::ceil(source.width * s)), static_cast<int>(std::ceil(source.height * s)));
        area &= cv::Rect(0, 0, detector->prepared.cols, detector->prepared.rows);
        const int min_side = std::max(1, static_cast<int>(std::lround(search->min_size * s)));
        if (area.width < min_side || area.height < min_side) return VG_OK;
        const int max_side = search->max_size > 0 ? std::max(min_side, static_cast<int>(std::lround(search->max_size * s))) : 0;
        std::vector<cv::Rect> faces;
        std::vector<int> neighbours;
        haar_search(detector, detector->prepared(area), search->scale_factor, search->min_neighbors,
                    cv::Size(min_side, min_side), max_side > 0 ? cv::Size(max_side, max_side) : cv::Size(), faces,
                    neighbours);
        *count = static_cast<int32_t>(faces.size());
        if (*count > capacity) return VG_ERR_CAPACITY;
        for (size_t i = 0; i < faces.size(); ++i) {
            const cv::Rect &f = faces[i];
            out[i].box = {static_cast<int32_t>((f.x + area.x) / s), static_cast<int32_t>((f.y + area.y) / s),
                          static_cast<int32_t>(f.width / s), static_cast<int32_t>(f.height / s)};
            out[i].score = i < neighbours.size() ? neighbours[i] : 0;
        }
        return VG_OK;
    });
}

extern "C" void vg_set_native_threads(int32_t threads) {
    try {
        cv::setNumThreads(threads);
    } catch (...) {
        // Only a hint: OpenCV keeps its default when it cannot change it.
    }
    // dlib's encoder multiplies through BLAS. Debian's libblas.so.3 is OpenBLAS on most machines,
    // whose pthread build starts a thread per core and, between calls, spins them on sched_yield:
    // with one analysis worker per core already busy, that spinning took about an eighth of a
    // 2-core node at 8 cameras. Looked up by name, because the alternative may be another BLAS.
    using set_threads = void (*)(int);
    if (auto set = reinterpret_cast<set_threads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(threads);
}
