// The OpenCV parts of crime scoring: logistic regression (ml module), k-means
// hotspots, and a hotspot map a person can read. Gradient boosting lives in
// XGBoost's own C API (CXGBoost); nothing here keeps state between calls except
// a trained logistic model, which is serialised as OpenCV FileStorage text.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/ml.hpp>

#include "vigil_guard.hpp"

struct vg_logistic {
    cv::Ptr<cv::ml::LogisticRegression> model;
    std::string last_error;
};

extern "C" vg_logistic *vg_logistic_train(const float *features, const int32_t *labels, int32_t rows, int32_t columns,
                                          int32_t iterations, double learning_rate, double l2, char *error,
                                          size_t error_len) {
    if (features == nullptr || labels == nullptr || rows < 2 || columns < 1 || iterations < 1 || !(learning_rate > 0)) {
        vigil::write_error(error, error_len, "invalid training data or parameters");
        return nullptr;
    }
    try {
        auto handle = std::make_unique<vg_logistic>();
        const cv::Mat x(rows, columns, CV_32F, const_cast<float *>(features));
        cv::Mat y(rows, 1, CV_32F);
        for (int r = 0; r < rows; ++r) y.at<float>(r) = float(labels[r]);
        handle->model = cv::ml::LogisticRegression::create();
        // OpenCV's batch step divides by the sample count twice (alpha / m times a gradient
        // already averaged over m), so the rate it is given is scaled by m to mean what it says.
        handle->model->setLearningRate(learning_rate * rows);
        handle->model->setIterations(iterations);
        handle->model->setTrainMethod(cv::ml::LogisticRegression::BATCH);
        if (l2 > 0) {
            handle->model->setRegularization(cv::ml::LogisticRegression::REG_L2);
        } else {
            handle->model->setRegularization(cv::ml::LogisticRegression::REG_DISABLE);
        }
        if (!handle->model->train(cv::ml::TrainData::create(x, cv::ml::ROW_SAMPLE, y))) {
            vigil::write_error(error, error_len, "logistic regression did not train");
            return nullptr;
        }
        return handle.release();
    } catch (const std::exception &e) {
        vigil::write_error(error, error_len, std::string("OpenCV: ") + e.what());
    }
    return nullptr;
}

extern "C" vg_logistic *vg_logistic_load(const char *text, char *error, size_t error_len) {
    try {
        cv::FileStorage storage(text, cv::FileStorage::READ | cv::FileStorage::MEMORY);
        auto handle = std::make_unique<vg_logistic>();
        handle->model = cv::ml::LogisticRegression::create();
        handle->model->read(storage.getFirstTopLevelNode());
        if (!handle->model->isTrained()) {
            vigil::write_error(error, error_len, "not a trained logistic regression");
            return nullptr;
        }
        return handle.release();
    } catch (const std::exception &e) {
        vigil::write_error(error, error_len, std::string("OpenCV: ") + e.what());
    }
    return nullptr;
}

extern "C" int vg_logistic_save(vg_logistic *handle, char **out) {
    if (handle == nullptr || out == nullptr) return VG_ERR_ARGUMENT;
    return vigil::guarded(handle->last_error, [&]() -> int {
        cv::FileStorage storage(".yml", cv::FileStorage::WRITE | cv::FileStorage::MEMORY);
        storage << "logistic" << "{";
        handle->model->write(storage);
        storage << "}";
        const std::string text = storage.releaseAndGetString();
        *out = static_cast<char *>(std::malloc(text.size() + 1));
        if (*out == nullptr) return VG_ERR_INTERNAL;
        std::memcpy(*out, text.c_str(), text.size() + 1);
        return VG_OK;
    });
}

extern "C" int vg_logistic_probability(vg_logistic *handle, const float *features, int32_t rows, int32_t columns,
                                       float *out) {
    if (handle == nullptr || features == nullptr || out == nullptr || rows < 1) return VG_ERR_ARGUMENT;
    return vigil::guarded(handle->last_error, [&]() -> int {
        const cv::Mat x(rows, columns, CV_32F, const_cast<float *>(features));
        cv::Mat raw;
        handle->model->predict(x, raw, cv::ml::StatModel::RAW_OUTPUT);
        // Binary models answer one sigmoid column: P(class 1).
        cv::Mat column;
        raw.col(raw.cols - 1).convertTo(column, CV_32F);
        for (int r = 0; r < rows; ++r) out[r] = column.at<float>(r);
        return VG_OK;
    });
}

extern "C" const char *vg_logistic_last_error(const vg_logistic *handle) {
    return handle ? handle->last_error.c_str() : "no model";
}

extern "C" void vg_logistic_destroy(vg_logistic *handle) { delete handle; }

extern "C" int vg_kmeans(const float *points, int32_t count, int32_t k, int32_t attempts, uint64_t seed,
                         int32_t *labels, float *centres, char *error, size_t error_len) {
    if (points == nullptr || labels == nullptr || centres == nullptr || k < 1 || count < k || attempts < 1) {
        vigil::write_error(error, error_len, "k-means needs at least k points and k >= 1");
        return VG_ERR_ARGUMENT;
    }
    std::string message;
    const int status = vigil::guarded(message, [&]() -> int {
        const cv::Mat data(count, 2, CV_32F, const_cast<float *>(points));
        cv::Mat assigned, found;
        // k-means++ seeding draws from OpenCV's global generator: fixing it makes runs repeatable.
        cv::theRNG().state = seed == 0 ? 1 : seed;
        cv::kmeans(data, k, assigned, cv::TermCriteria(cv::TermCriteria::EPS | cv::TermCriteria::COUNT, 300, 1e-4), attempts,
                   cv::KMEANS_PP_CENTERS, found);
        for (int i = 0; i < count; ++i) labels[i] = assigned.at<int>(i);
        for (int c = 0; c < k; ++c) {
            centres[2 * c] = found.at<float>(c, 0);
            centres[2 * c + 1] = found.at<float>(c, 1);
        }
        return VG_OK;
    });
    if (status != VG_OK) vigil::write_error(error, error_len, message);
    return status;
}

extern "C" int vg_convex_hull(const double *points, int32_t count, double *out, int32_t capacity, int32_t *out_count) {
    if (points == nullptr || out == nullptr || out_count == nullptr || count < 1) return VG_ERR_ARGUMENT;
    std::string message;
    return vigil::guarded(message, [&]() -> int {
        std::vector<cv::Point2d> input(count);
        for (int i = 0; i < count; ++i) input[i] = {points[2 * i], points[2 * i + 1]};
        std::vector<cv::Point2f> as_float(input.begin(), input.end());
        std::vector<int> indices;
        cv::convexHull(as_float, indices, false, false);
        if (int32_t(indices.size()) > capacity) return VG_ERR_CAPACITY;
        for (size_t i = 0; i < indices.size(); ++i) {
            out[2 * i] = input[indices[i]].x;
            out[2 * i + 1] = input[indices[i]].y;
        }
        *out_count = int32_t(indices.size());
        return VG_OK;
    });
}

namespace {
cv::Scalar cluster_colour(int label) {
    static const cv::Scalar colours[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44},   {40, 39, 214},
                                         {189, 103, 148}, {75, 86, 140}, {194, 119, 227}, {34, 189, 188},
                                         {207, 190, 23},  {120, 60, 200}};
    return label < 0 ? cv::Scalar(190, 190, 190) : colours[label % 10];
}
}

extern "C" int vg_plot_hotspots(const char *path, const char *title, const double *longitudes, const double *latitudes,
                                const int32_t *labels, int32_t count, const double *centre_lon, const double *centre_lat,
                                const int32_t *centre_ids, const int32_t *centre_counts, int32_t clusters, char *error, size_t error_len) {
    if (path == nullptr || longitudes == nullptr || latitudes == nullptr || labels == nullptr || count < 1 ||
        (clusters > 0 && (centre_lon == nullptr || centre_lat == nullptr || centre_ids == nullptr || centre_counts == nullptr))) {
        vigil::write_error(error, error_len, "invalid plot arguments");
        return VG_ERR_ARGUMENT;
    }
    std::string message;
    const int status = vigil::guarded(message, [&]() -> int {
        double lon0 = 1e9, lon1 = -1e9, lat0 = 1e9, lat1 = -1e9;
        for (int i = 0; i < count; ++i) {
            lon0 = std::min(lon0, longitudes[i]); lon1 = std::max(lon1, longitudes[i]);
            lat0 = std::min(lat0, latitudes[i]); lat1 = std::max(lat1, latitudes[i]);
        }
        const double pad_lon = std::max(1e-3, (lon1 - lon0) * 0.04), pad_lat = std::max(1e-3, (lat1 - lat0) * 0.04);
        lon0 -= pad_lon; lon1 += pad_lon; lat0 -= pad_lat; lat1 += pad_lat;
        // Equirectangular at the map's mean latitude, so distances look right on screen.
        const double aspect = (lon1 - lon0) * std::cos((lat0 + lat1) / 2 * M_PI / 180) / (lat1 - lat0);
        const int left = 110, right = 300, top = 80, bottom = 80, plot_h = 900;
        const int plot_w = std::max(400, std::min(1800, int(plot_h * aspect)));
        const int width = left + plot_w + right, height = top + plot_h + bottom;
        cv::Mat canvas(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
        const auto px = [&](double lon, double lat) {
            return cv::Point(left + int(plot_w * (lon - lon0) / (lon1 - lon0)), top + int(plot_h * (lat1 - lat) / (lat1 - lat0)));
        };
        cv::rectangle(canvas, cv::Point(left, top), cv::Point(left + plot_w, top + plot_h), cv::Scalar(0, 0, 0), 1);
        for (int t = 0; t <= 4; ++t) {
            const double lon = lon0 + (lon1 - lon0) * t / 4, lat = lat0 + (lat1 - lat0) * t / 4;
            char text[32];
            std::snprintf(text, sizeof text, "%.3f", lon);
            cv::putText(canvas, text, cv::Point(px(lon, lat0).x - 35, top + plot_h + 30), cv::FONT_HERSHEY_SIMPLEX, 0.55,
                        cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
            std::snprintf(text, sizeof text, "%.3f", lat);
            cv::putText(canvas, text, cv::Point(10, px(lon0, lat).y + 5), cv::FONT_HERSHEY_SIMPLEX, 0.55, cv::Scalar(0, 0, 0),
                        1, cv::LINE_AA);
            cv::line(canvas, cv::Point(px(lon, lat0).x, top), cv::Point(px(lon, lat0).x, top + plot_h), cv::Scalar(235, 235, 235));
            cv::line(canvas, cv::Point(left, px(lon0, lat).y), cv::Point(left + plot_w, px(lon0, lat).y), cv::Scalar(235, 235, 235));
        }
        // Noise first, so clusters draw over it; then each cluster's outline (convex hull).
        for (int pass = 0; pass < 2; ++pass)
            for (int i = 0; i < count; ++i)
                if ((labels[i] < 0) == (pass == 0))
                    cv::circle(canvas, px(longitudes[i], latitudes[i]), 2, cluster_colour(labels[i]), cv::FILLED, cv::LINE_AA);
        std::map<int, std::vector<cv::Point>> members;
        for (int i = 0; i < count; ++i)
            if (labels[i] >= 0) members[labels[i]].push_back(px(longitudes[i], latitudes[i]));
        for (const auto &entry : members) {
            if (entry.second.size() < 3) continue;
            std::vector<cv::Point> hull;
            cv::convexHull(entry.second, hull);
            cv::polylines(canvas, hull, true, cluster_colour(entry.first), 2, cv::LINE_AA);
        }
        for (int c = 0; c < clusters; ++c) {
            const cv::Point at = px(centre_lon[c], centre_lat[c]);
            const int radius = 6 + int(std::sqrt(double(centre_counts[c])) / 2);
            cv::circle(canvas, at, radius, cv::Scalar(0, 0, 0), 2, cv::LINE_AA);
            cv::putText(canvas, std::to_string(centre_ids[c]), at + cv::Point(radius + 3, 5), cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(0, 0, 0),
                        2, cv::LINE_AA);
        }
        // Legend: one line per cluster with its incident count, largest first.
        std::vector<int> order(clusters);
        for (int c = 0; c < clusters; ++c) order[c] = c;
        std::sort(order.begin(), order.end(), [&](int a, int b) { return centre_counts[a] > centre_counts[b]; });
        int ly = top + 20;
        cv::putText(canvas, "cluster: incidents", cv::Point(left + plot_w + 20, ly), cv::FONT_HERSHEY_SIMPLEX, 0.6,
                    cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
        for (int i = 0; i < std::min(clusters, 28); ++i) {
            ly += 28;
            cv::circle(canvas, cv::Point(left + plot_w + 30, ly - 5), 7, cluster_colour(centre_ids[order[i]]), cv::FILLED, cv::LINE_AA);
            cv::putText(canvas, std::to_string(centre_ids[order[i]]) + ": " + std::to_string(centre_counts[order[i]]),
                        cv::Point(left + plot_w + 45, ly), cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
        }
        cv::putText(canvas, title ? title : "", cv::Point(left, 40), cv::FONT_HERSHEY_SIMPLEX, 0.8, cv::Scalar(0, 0, 0), 2,
                    cv::LINE_AA);
        cv::putText(canvas, "longitude", cv::Point(left + plot_w / 2 - 40, height - 20), cv::FONT_HERSHEY_SIMPLEX, 0.7,
                    cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
        cv::putText(canvas, "latitude", cv::Point(10, top - 15), cv::FONT_HERSHEY_SIMPLEX, 0.7, cv::Scalar(0, 0, 0), 1,
                    cv::LINE_AA);
        if (!vigil::write_png(path, canvas, message)) return VG_ERR_INTERNAL;
        return VG_OK;
    });
    if (status != VG_OK) vigil::write_error(error, error_len, message);
    return status;
}
