// HaarCascade: reading OpenCV's cascade format, and the part of detectMultiScale around the
// window kernel (scales, pyramid, integral images, rows, grouping), each step as OpenCV 4.6 does it.
#include "haar_cascade.hpp"

#include <algorithm>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#pragma clang fp contract(off)

namespace vigil {

namespace {
// OpenCV lowers every stage threshold by this much when it reads a cascade.
constexpr float stage_threshold_eps = 1e-5f;
// detectMultiScale's grouping tolerance.
constexpr double group_eps = 0.2;
// The kernel reads up to this many values past a row's last window.
constexpr int overread = 64;

void corner_offsets(const cv::Rect &r, int stride, int32_t *ofs) {
    ofs[0] = r.x + stride * r.y;
    ofs[1] = r.x + r.width + stride * r.y;
    ofs[2] = r.x + stride * (r.y + r.height);
    ofs[3] = r.x + r.width + stride * (r.y + r.height);
}
/// One window's rectangle sum (wrapping, as the kernels' lanes do).
inline int32_t rect_sum(const int32_t *p, const int32_t *ofs) {
    return static_cast<int32_t>(static_cast<uint32_t>(p[ofs[0]]) - static_cast<uint32_t>(p[ofs[1]]) -
                                static_cast<uint32_t>(p[ofs[2]]) + static_cast<uint32_t>(p[ofs[3]]));
}
}  // namespace

int HaarCascade::widest() {
    static const int lanes = __builtin_cpu_supports("avx512f") ? 16 : __builtin_cpu_supports("avx2") ? 8 : 0;
    return lanes;
}

bool haar_window_passes(const HaarCascade::Compiled &cascade, int stage, const int32_t *p, float norm) {
    for (; stage < cascade.nstages; ++stage) {
        const HaarCascade::Stage &st = cascade.stages[stage];
        const HaarCascade::Stump *stump = cascade.stumps + st.first;
        double sum = 0;
        for (int i = 0; i < st.count; ++i, ++stump) {
            float value = stump->weight[0] * static_cast<float>(rect_sum(p, stump->ofs)) +
                          stump->weight[1] * static_cast<float>(rect_sum(p, stump->ofs + 4));
            if (stump->weight[2] != 0.0f) value += stump->weight[2] * static_cast<float>(rect_sum(p, stump->ofs + 8));
            value *= norm;
            sum += value < stump->threshold ? stump->left : stump->right;
        }
        if (sum < st.threshold) return false;
    }
    return true;
}

bool HaarCascade::load(const std::string &path) {
    stumps_.clear();
    stages_.clear();
    compiled_stride_ = -1;
    cv::FileStorage fs(path, cv::FileStorage::READ);
    if (!fs.isOpened()) {
        return false;  // unreadable
    }
    const cv::FileNode root = fs.getFirstTopLevelNode();
    if (static_cast<std::string>(root["stageType"]) != "BOOST" ||
        static_cast<std::string>(root["featureType"]) != "HAAR") {
        return false;  // not a boosted Haar cascade in OpenCV's current format
    }
    window_ = cv::Size(static_cast<int>(root["width"]), static_cast<int>(root["height"]));
    if (window_.width <= 2 || window_.height <= 2) {
        return false;  // no window size
    }
    if (static_cast<int>(root["featureParams"]["maxCatCount"]) != 0) {
        return false;  // categorical features (LBP)
    }

    const cv::FileNode features = root["features"];
    std::vector<Stump> feature_rects(features.size());
    size_t fi = 0;
    for (auto it = features.begin(); it != features.end(); ++it, ++fi) {
        const cv::FileNode feature = *it;
        if (static_cast<int>(feature["tilted"]) != 0) {
            return false;  // tilted features
        }
        Stump &s = feature_rects[fi];
        for (int r = 0; r < 3; ++r) {
            s.rect[r] = cv::Rect();
            s.weight[r] = 0.f;
        }
        const cv::FileNode rects = feature["rects"];
        if (rects.size() < 1 || rects.size() > 3) {
            return false;  // a feature of no rectangle or more than three
        }
        int r = 0;
        for (auto rt = rects.begin(); rt != rects.end(); ++rt, ++r) {
            const cv::FileNode v = *rt;
            s.rect[r] = cv::Rect(static_cast<int>(v[0]), static_cast<int>(v[1]), static_cast<int>(v[2]),
                                 static_cast<int>(v[3]));
            s.weight[r] = static_cast<float>(v[4]);
        }
    }

    const cv::FileNode stages = root["stages"];
    for (auto it = stages.begin(); it != stages.end(); ++it) {
        const cv::FileNode stage = *it;
        const cv::FileNode weak = stage["weakClassifiers"];
        Stage st{static_cast<int>(stumps_.size()), static_cast<int>(weak.size()),
                 static_cast<float>(stage["stageThreshold"]) - stage_threshold_eps};
        for (auto wt = weak.begin(); wt != weak.end(); ++wt) {
            const cv::FileNode nodes = (*wt)["internalNodes"];
            const cv::FileNode leaves = (*wt)["leafValues"];
            if (nodes.size() != 4 || leaves.size() != 2) {
                return false;  // trees deeper than one split
            }
            const int feature = static_cast<int>(nodes[2]);
            if (feature < 0 || static_cast<size_t>(feature) >= feature_rects.size()) {
                return false;  // a weak classifier naming a feature that does not exist
            }
            Stump s = feature_rects[static_cast<size_t>(feature)];
            s.threshold = static_cast<float>(nodes[3]);
            s.left = static_cast<float>(leaves[0]);
            s.right = static_cast<float>(leaves[1]);
            stumps_.push_back(s);
        }
        if (st.count == 0) {
            return false;  // an empty stage
        }
        stages_.push_back(st);
    }
    if (stages_.empty()) {
        return false;  // no stages
    }
    return true;
}

void HaarCascade::compile(int stride) {
    if (stride == compiled_stride_) return;
    for (Stump &s : stumps_) {
        for (int r = 0; r < 3; ++r) corner_offsets(s.rect[r], stride, s.ofs + 4 * r);
    }
    compiled_stride_ = stride;
}

std::vector<float> HaarCascade::pyramid(cv::Size image_size, double scale_factor, cv::Size min_size,
                                        cv::Size max_size) const {
    std::vector<float> all_scales, scales;
    for (double factor = 1;; factor *= scale_factor) {
        const cv::Size w(cvRound(window_.width * factor), cvRound(window_.height * factor));
        if (w.width > image_size.width || w.height > image_size.height) break;
        all_scales.push_back(static_cast<float>(factor));
    }
    for (const float scale : all_scales) {
        const cv::Size w(cvRound(window_.width * scale), cvRound(window_.height * scale));
        if (w.width > max_size.width || w.height > max_size.height) break;
        if (w.width < min_size.width || w.height < min_size.height) continue;
        scales.push_back(scale);
    }
    // OpenCV's answer to a min_size == max_size that falls between two scales.
    if (scales.empty() && !all_scales.empty()) {
        size_t nearest = 0;
        double best = 0;
        for (size_t i = 0; i < all_scales.size(); ++i) {
            const cv::Size w(cvRound(window_.width * all_scales[i]), cvRound(window_.height * all_scales[i]));
            const double d = (min_size.width - w.width) * (min_size.width - w.width) +
                             (min_size.height - w.height) * (min_size.height - w.height);
            if (i == 0 || best > d) {
                best = d;
                nearest = i;
            }
        }
        scales.push_back(all_scales[nearest]);
    }
    return scales;
}

void HaarCascade::detect(const cv::Mat &grey, int lanes, double scale_factor, int min_neighbors, cv::Size min_size,
                         cv::Size max_size, std::vector<cv::Rect> &objects, std::vector<int> &neighbours) {
    CV_Assert(grey.type() == CV_8UC1 && scale_factor > 1 && !stages_.empty() && (lanes == 16 || lanes == 8) &&
              lanes <= widest());
    objects.clear();
    neighbours.clear();
    const cv::Size image_size = grey.size();
    if (max_size.height == 0 || max_size.width == 0) max_size = image_size;
    if (image_size.height < window_.height || image_size.width < window_.width) return;

    const std::vector<float> scales = pyramid(image_size, scale_factor, min_size, max_size);
    if (scales.empty()) return;

    // Layer sizes as FeatureEvaluator::updateScaleData computes them; the rows each scale searches
    // as detectMultiScaleNoGrouping's stripes cover them.
    auto layer = [&](float scale) {
        return cv::Size(cvRound(image_size.width / scale) + 1, cvRound(image_size.height / scale) + 1);
    };
    auto working = [&](cv::Size integral) {
        return cv::Size(std::max(integral.width - window_.width, 0), std::max(integral.height - window_.height, 0));
    };
    const int nstripes = cvCeil(working(layer(scales[0])).width / 32.);
    if (nstripes <= 0) return;
    const int stride = layer(scales[0]).width + overread;
    compile(stride);
    Compiled cascade{stumps_.data(), stages_.data(), static_cast<int>(stages_.size()), {0, 0, 0, 0},
                     static_cast<double>((window_.width - 2) * (window_.height - 2))};
    corner_offsets(cv::Rect(1, 1, window_.width - 2, window_.height - 2), stride, cascade.nofs);

    std::vector<cv::Rect> candidates;
    for (const float scale : scales) {
        const cv::Size integral_size = layer(scale);
        const cv::Size work = working(integral_size);
        const int ystep = scale >= 2 ? 1 : 2;
        const int stripe = std::max((work.height / ystep + nstripes - 1) / nstripes, 1) * ystep;
        const int rows_end = std::min(nstripes * stripe, work.height);
        const int positions = (work.width + ystep - 1) / ystep;
        if (rows_end <= 0 || positions <= 0) continue;

        const cv::Size resized_size(integral_size.width - 1, integral_size.height - 1);
        cv::resize(grey, resized_, resized_size, 1. / scale, 1. / scale, cv::INTER_LINEAR_EXACT);
        const size_t needed = static_cast<size_t>(integral_size.height + 1) * stride + overread;
        if (sum_.size() < needed) {
            sum_.resize(needed);
            sqsum_.resize(needed);
        }
        cv::Mat sum(integral_size, CV_32S, sum_.data(), static_cast<size_t>(stride) * sizeof(int32_t));
        cv::Mat sqsum(integral_size, CV_32S, sqsum_.data(), static_cast<size_t>(stride) * sizeof(int32_t));
        cv::integral(resized_, sum, sqsum, cv::noArray(), CV_32S, CV_32S);

        const cv::Size object(cvRound(window_.width * scale), cvRound(window_.height * scale));
        hits_.resize(static_cast<size_t>(positions) + 16);
        for (int y = 0; y < rows_end; y += ystep) {
            const int32_t *sum_row = sum_.data() + static_cast<size_t>(y) * stride;
            const int32_t *sqsum_row = sqsum_.data() + static_cast<size_t>(y) * stride;
            const int found = lanes == 16 ? haar_scan_row_avx512(cascade, sum_row, sqsum_row, positions, ystep, hits_.data())
                                          : haar_scan_row_avx2(cascade, sum_row, sqsum_row, positions, ystep, hits_.data());
            for (int i = 0; i < found; ++i) {
                const int x = hits_[static_cast<size_t>(i)] * ystep;
                candidates.emplace_back(cvRound(x * scale), cvRound(y * scale), object.width, object.height);
            }
        }
    }

    cv::groupRectangles(candidates, neighbours, min_neighbors, group_eps);
    // CascadeClassifier::detectMultiScale clips the grouped boxes to the image and drops empty ones.
    const cv::Rect bounds(0, 0, image_size.width, image_size.height);
    for (size_t i = 0; i < candidates.size(); ++i) {
        const cv::Rect r = candidates[i] & bounds;
        if (r.area() <= 0) continue;
        objects.push_back(r);
        neighbours[objects.size() - 1] = neighbours[i];
    }
    neighbours.resize(objects.size());
}

}  // namespace vigil
