// A stacked bar chart a person can read: one bar per period, one colour per group, the counts
// on a linear axis with whole-number ticks, and a legend. Used for case statistics.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "vigil_guard.hpp"

namespace {
const cv::Scalar kBarColours[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44}, {40, 39, 214}, {189, 103, 148},
                                  {75, 86, 140}, {194, 119, 227}, {127, 127, 127}, {34, 189, 188}, {207, 190, 23}};

/// A tick step of 1, 2 or 5 times a power of ten giving at most about 8 ticks.
double tick_step(double top) {
    const double raw = std::max(1.0, top / 8);
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * power >= raw) return m * power;
    return 10 * power;
}
}

extern "C" int vg_plot_bars(const char *path, const char *title, const char *const *periods, int32_t period_count,
                            const char *const *groups, int32_t group_count, const double *values, const char *y_label,
                            char *error, size_t error_len) {
    if (path == nullptr || periods == nullptr || groups == nullptr || values == nullptr || period_count < 1 || group_count < 1) {
        vigil::write_error(error, error_len, "invalid chart arguments");
        return VG_ERR_ARGUMENT;
    }
    std::string message;
    const int status = vigil::guarded(message, [&]() -> int {
        const int width = 1600, height = 900, left = 110, right = 300, top = 80, bottom = 150;
        cv::Mat canvas(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
        double highest = 1;
        for (int p = 0; p < period_count; ++p) {
            double total = 0;
            for (int g = 0; g < group_count; ++g) total += std::max(0.0, values[p * group_count + g]);
            highest = std::max(highest, total);
        }
        const double step = tick_step(highest);
        const double ceiling = std::ceil(highest / step) * step;
        const int plot_w = width - left - right, plot_h = height - top - bottom;
        const auto y = [&](double v) { return top + int(plot_h * (1 - v / ceiling)); };
        for (double v = 0; v <= ceiling + 1e-9; v += step) {
            cv::line(canvas, cv::Point(left, y(v)), cv::Point(width - right, y(v)), cv::Scalar(225, 225, 225), 1);
            cv::putText(canvas, std::to_string(int(std::lround(v))), cv::Point(left - 60, y(v) + 6), cv::FONT_HERSHEY_SIMPLEX, 0.6,
                        cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
        }
        const double slot = double(plot_w) / period_count;
        const int bar = std::clamp(int(slot * 0.7), 2, 140);
        // Label at most about 30 periods so the text stays readable.
        const int label_every = std::max(1, (period_count + 29) / 30);
        for (int p = 0; p < period_count; ++p) {
            const int x0 = left + int(slot * p + (slot - bar) / 2);
            double base = 0;
            for (int g = 0; g < group_count; ++g) {
                const double v = std::max(0.0, values[p * group_count + g]);
                if (v <= 0) continue;
                cv::rectangle(canvas, cv::Point(x0, y(base + v)), cv::Point(x0 + bar, y(base)), kBarColours[g % 10], cv::FILLED);
                base += v;
            }
            if (p % label_every == 0) {
                // Period labels are written at an angle-free offset: alternate rows when crowded.
                const int row = (period_count > 12 && (p / label_every) % 2) ? 28 : 0;
                cv::putText(canvas, periods[p], cv::Point(x0 - 10, height - bottom + 28 + row), cv::FONT_HERSHEY_SIMPLEX, 0.5,
                            cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
            }
        }
        cv::rectangle(canvas, cv::Point(left, top), cv::Point(width - right, height - bottom), cv::Scalar(0, 0, 0), 1);
        cv::putText(canvas, title ? title : "", cv::Point(left, 40), cv::FONT_HERSHEY_SIMPLEX, 0.9, cv::Scalar(0, 0, 0), 2,
                    cv::LINE_AA);
        cv::putText(canvas, y_label ? y_label : "", cv::Point(10, top - 12), cv::FONT_HERSHEY_SIMPLEX, 0.7, cv::Scalar(0, 0, 0), 1,
                    cv::LINE_AA);
        for (int g = 0; g < std::min(group_count, 24); ++g) {
            const int ly = top + 20 + 30 * g;
            cv::rectangle(canvas, cv::Point(width - right + 20, ly - 14), cv::Point(width - right + 42, ly + 4), kBarColours[g % 10],
                          cv::FILLED);
            cv::putText(canvas, groups[g], cv::Point(width - right + 52, ly + 2), cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(0, 0, 0), 1,
                        cv::LINE_AA);
        }
        if (!vigil::write_png(path, canvas, message)) return VG_ERR_INTERNAL;
        return VG_OK;
    });
    if (status != VG_OK) vigil::write_error(error, error_len, message);
    return status;
}
