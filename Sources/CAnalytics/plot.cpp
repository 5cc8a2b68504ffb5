// A spectrum plot a person can read: log power density against frequency, one
// curve per channel group, the frequency bands shaded and named. Drawn with
// OpenCV (Hershey fonts need no font files) and written as PNG.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "vigil_guard.hpp"

namespace {
const cv::Scalar kColours[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44}, {40, 39, 214}, {189, 103, 148},
                               {75, 86, 140}, {194, 119, 227}, {127, 127, 127}};
const cv::Scalar kShades[] = {{250, 235, 225}, {225, 245, 250}, {230, 250, 230}, {240, 230, 250}, {235, 235, 235}};
}

extern "C" int vg_plot_spectra(const char *path, const char *title, const double *frequencies, int32_t bins,
                               const double *densities, const char *const *labels, int32_t series,
                               const double *band_edges, const char *const *band_names, int32_t bands,
                               double max_frequency, char *error, size_t error_len) {
    if (path == nullptr || frequencies == nullptr || densities == nullptr || bins < 2 || series < 1 || labels == nullptr ||
        (bands > 0 && (band_edges == nullptr || band_names == nullptr))) {
        vigil::write_error(error, error_len, "invalid plot arguments");
        return VG_ERR_ARGUMENT;
    }
    std::string message;
    const int status = vigil::guarded(message, [&]() -> int {
        const int width = 1600, height = 900, left = 120, right = 260, top = 80, bottom = 90;
        cv::Mat canvas(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
        const double fmax = max_frequency > 0 ? max_frequency : frequencies[bins - 1];
        double lo = 1e300, hi = -1e300;
        for (int s = 0; s < series; ++s)
            for (int k = 1; k < bins; ++k)
                if (frequencies[k] <= fmax && densities[s * bins + k] > 0) {
                    lo = std::min(lo, std::log10(densities[s * bins + k]));
                    hi = std::max(hi, std::log10(densities[s * bins + k]));
                }
        if (!(hi > lo)) { lo = -1; hi = 1; }
        lo = std::floor(lo); hi = std::ceil(hi);
        const auto x = [&](double f) { return left + int((width - left - right) * f / fmax); };
        const auto y = [&](double p) { return top + int((height - top - bottom) * (hi - p) / (hi - lo)); };
        for (int b = 0; b < bands; ++b) {
            const double f0 = band_edges[2 * b], f1 = std::min(band_edges[2 * b + 1], fmax);
            if (f0 >= fmax) continue;
            cv::rectangle(canvas, cv::Point(x(f0), top), cv::Point(x(f1), height - bottom), kShades[b % 5], cv::FILLED);
            cv::putText(canvas, band_names[b], cv::Point(x(f0) + 6, top + 24), cv::FONT_HERSHEY_SIMPLEX, 0.7, cv::Scalar(60, 60, 60), 2,
                        cv::LINE_AA);
        }
        // Axes, ticks and grid.
        cv::rectangle(canvas, cv::Point(left, top), cv::Point(width - right, height - bottom), cv::Scalar(0, 0, 0), 1);
        for (double f = 0; f <= fmax + 1e-9; f += fmax > 60 ? 10 : 5) {
            cv::line(canvas, cv::Point(x(f), height - bottom), cv::Point(x(f), height - bottom + 8), cv::Scalar(0, 0, 0), 1);
            cv::putText(canvas, std::to_string(int(f)), cv::Point(x(f) - 10, height - bottom + 30), cv::FONT_HERSHEY_SIMPLEX, 0.6,
                        cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
        }
        for (double p = lo; p <= hi + 1e-9; p += 1) {
            cv::line(canvas, cv::Point(left, y(p)), cv::Point(width - right, y(p)), cv::Scalar(220, 220, 220), 1);
            cv::putText(canvas, "1e" + std::to_string(int(p)), cv::Point(left - 70, y(p) + 6), cv::FONT_HERSHEY_SIMPLEX, 0.6,
                        cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
        }
        cv::putText(canvas, "frequency (Hz)", cv::Point(width / 2 - 80, height - 25), cv::FONT_HERSHEY_SIMPLEX, 0.8,
                    cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
        cv::putText(canvas, "power density (uV^2/Hz, log)", cv::Point(10, top - 10), cv::FONT_HERSHEY_SIMPLEX, 0.7,
                    cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
        cv::putText(canvas, title ? title : "", cv::Point(left, 34), cv::FONT_HERSHEY_SIMPLEX, 0.9, cv::Scalar(0, 0, 0), 2,
                    cv::LINE_AA);
        for (int s = 0; s < series; ++s) {
            std::vector<cv::Point> points;
            for (int k = 1; k < bins && frequencies[k] <= fmax; ++k) {
                const double d = densities[s * bins + k];
                if (d > 0) points.emplace_back(x(frequencies[k]), y(std::log10(d)));
            }
            const cv::Scalar colour = kColours[s % 8];
            cv::polylines(canvas, points, false, colour, 2, cv::LINE_AA);
            const int ly = top + 20 + 32 * s;
            cv::line(canvas, cv::Point(width - right + 20, ly), cv::Point(width - right + 60, ly), colour, 3, cv::LINE_AA);
            cv::putText(canvas, labels[s], cv::Point(width - right + 70, ly + 6), cv::FONT_HERSHEY_SIMPLEX, 0.6,
                        cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
        }
        if (!vigil::write_png(path, canvas, message)) return VG_ERR_INTERNAL;
        return VG_OK;
    });
    if (status != VG_OK) vigil::write_error(error, error_len, message);
    return status;
}
