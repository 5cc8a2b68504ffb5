// A random forest (OpenCV ml RTrees) for small tabular problems such as EEG
// epoch features: train, save/load as OpenCV FileStorage YAML, and class
// probabilities as the share of trees voting for each class.
#include <memory>

#include <opencv2/ml.hpp>

#include "vigil_guard.hpp"

struct vg_forest {
    cv::Ptr<cv::ml::RTrees> model;
    std::string last_error;
};

extern "C" vg_forest *vg_forest_train(const float *features, const int32_t *labels, int32_t rows, int32_t columns,
                                      int32_t trees, int32_t max_depth, char *error, size_t error_len) {
    if (features == nullptr || labels == nullptr || rows < 2 || columns < 1 || trees < 1 || max_depth < 1) {
        vigil::write_error(error, error_len, "invalid training data or parameters");
        return nullptr;
    }
    try {
        auto forest = std::make_unique<vg_forest>();
        cv::theRNG().state = 0x5eed; // the same data trains the same forest
        const cv::Mat x(rows, columns, CV_32F, const_cast<float *>(features));
        const cv::Mat y(rows, 1, CV_32S, const_cast<int32_t *>(labels));
        forest->model = cv::ml::RTrees::create();
        forest->model->setMaxDepth(max_depth);
        forest->model->setMinSampleCount(2);
        forest->model->setCalculateVarImportance(false);
        forest->model->setTermCriteria(cv::TermCriteria(cv::TermCriteria::MAX_ITER, trees, 0));
        if (!forest->model->train(cv::ml::TrainData::create(x, cv::ml::ROW_SAMPLE, y))) {
            vigil::write_error(error, error_len, "the forest did not train");
            return nullptr;
        }
        return forest.release();
    } catch (const std::exception &e) {
        vigil::write_error(error, error_len, std::string("OpenCV: ") + e.what());
    }
    return nullptr;
}

extern "C" vg_forest *vg_forest_load(const char *path, char *error, size_t error_len) {
    try {
        auto forest = std::make_unique<vg_forest>();
        forest->model = cv::ml::RTrees::load(path);
        if (forest->model.empty() || !forest->model->isTrained()) {
            vigil::write_error(error, error_len, std::string(path) + ": not a trained forest");
            return nullptr;
        }
        return forest.release();
    } catch (const std::exception &e) {
        vigil::write_error(error, error_len, std::string(path) + ": " + e.what());
    }
    return nullptr;
}

extern "C" int vg_forest_save(vg_forest *forest, const char *path) {
    if (forest == nullptr || path == nullptr) return VG_ERR_ARGUMENT;
    return vigil::guarded(forest->last_error, [&]() -> int {
        forest->model->save(path);
        return VG_OK;
    });
}

extern "C" int vg_forest_probabilities(vg_forest *forest, const float *features, int32_t columns, const int32_t *classes,
                                       int32_t class_count, float *out) {
    if (forest == nullptr || features == nullptr || classes == nullptr || out == nullptr || class_count < 1) return VG_ERR_ARGUMENT;
    return vigil::guarded(forest->last_error, [&]() -> int {
        const cv::Mat x(1, columns, CV_32F, const_cast<float *>(features));
        cv::Mat votes;
        forest->model->getVotes(x, votes, 0);
        // Row 0 holds the class labels, row 1 this sample's votes.
        double total = 0;
        for (int c = 0; c < votes.cols; ++c) total += votes.at<int>(1, c);
        for (int k = 0; k < class_count; ++k) {
            out[k] = 0;
            for (int c = 0; c < votes.cols; ++c)
                if (votes.at<int>(0, c) == classes[k] && total > 0) out[k] = float(votes.at<int>(1, c) / total);
        }
        return VG_OK;
    });
}

extern "C" const char *vg_forest_last_error(const vg_forest *forest) { return forest ? forest->last_error.c_str() : "no forest"; }

extern "C" void vg_forest_destroy(vg_forest *forest) { delete forest; }
