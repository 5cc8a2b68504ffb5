// A stump-based Haar cascade in OpenCV's format, evaluated sixteen (AVX-512F) or eight (AVX2)
// windows at a time.
//
// Why: Haar was 59-61% of the daemon's CPU, and OpenCV 4.6 evaluates one window at a time.
// Neighbouring windows read the integral image at neighbouring addresses, so sixteen of them
// can share each load. The result is the same as cv::CascadeClassifier::detectMultiScale's,
// window for window: the same scales, rows, skipped columns, float and double arithmetic,
// grouping and clipping (HaarEngineTests compares the two on real frames).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace vigil {

class HaarCascade {
public:
    /// One weak classifier: a Haar feature of up to three rectangles and its two leaves.
    struct Stump {
        cv::Rect rect[3];
        float weight[3];
        float threshold, left, right;
        int32_t ofs[12];  // the rectangles' corners in the integral image, for the current stride
    };
    struct Stage {
        int first, count;
        float threshold;
    };
    /// What one row search reads: the cascade with offsets for one integral-image stride.
    struct Compiled {
        const Stump *stumps;
        const Stage *stages;
        int nstages;
        int32_t nofs[4];  // the normalisation rectangle
        double area;      // its area
    };

    /// Reads `path`. False for a cascade this evaluator does not take (LBP, trees deeper than one
    /// node, tilted features): those stay on OpenCV's own evaluator.
    bool load(const std::string &path);

    /// The widest kernel this CPU runs: 16 lanes (AVX-512F), 8 (AVX2), or 0 (neither).
    static int widest();

    /// cv::CascadeClassifier::detectMultiScale(grey, objects, neighbours, scale_factor,
    /// min_neighbors, 0, min_size, max_size), computed here with the 16- or 8-lane kernel
    /// (`lanes`, at most widest()).
    void detect(const cv::Mat &grey, int lanes, double scale_factor, int min_neighbors, cv::Size min_size,
                cv::Size max_size, std::vector<cv::Rect> &objects, std::vector<int> &neighbours);

private:
    /// The window scales detectMultiScale searches: every one whose window fits the image, then
    /// those within the size limits; with none, the one nearest min_size.
    std::vector<float> pyramid(cv::Size image_size, double scale_factor, cv::Size min_size, cv::Size max_size) const;
    void compile(int stride);

    cv::Size window_;
    std::vector<Stump> stumps_;
    std::vector<Stage> stages_;
    int compiled_stride_ = -1;
    // Per-call buffers, kept to avoid reallocating for every search (a handle serves one thread).
    cv::Mat resized_;
    std::vector<int32_t> sum_, sqsum_;
    std::vector<int32_t> hits_;
};

/// Searches one row of windows: `positions` windows whose top-left corners are `step` (1 or 2)
/// columns apart, starting at `sum` / `sqsum`. Writes the indices of the windows that pass every
/// stage to `hits` and returns their count. Skips, as OpenCV does, the window after one that the
/// first stage rejects. `sum` and `sqsum` must be readable 64 values past the row's last window.
/// Sixteen windows at a time (AVX-512F) or eight (AVX2); call only what HaarCascade::widest allows.
int haar_scan_row_avx512(const HaarCascade::Compiled &cascade, const int32_t *sum, const int32_t *sqsum,
                         int positions, int step, int32_t *hits);
int haar_scan_row_avx2(const HaarCascade::Compiled &cascade, const int32_t *sum, const int32_t *sqsum,
                       int positions, int step, int32_t *hits);

/// One window's stages from `stage` on, in scalar code with the kernels' arithmetic: where a
/// kernel's chunk has a single window left alive, finishing it alone is cheaper.
bool haar_window_passes(const HaarCascade::Compiled &cascade, int stage, const int32_t *p, float norm);

}  // namespace vigil
