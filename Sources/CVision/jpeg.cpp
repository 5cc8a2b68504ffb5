// Evidence images: a JPEG of a frame (or a crop of it) with detection boxes drawn.
#include <cstdlib>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "guard.hpp"

extern "C" int vg_encode_jpeg(const vg_image *image, const vg_rect *crop, const vg_rect *boxes, int32_t box_count,
                              int32_t quality, uint8_t **out, size_t *out_len, char *error, size_t error_len) {
    if (!vigil::valid(image) || out == nullptr || out_len == nullptr || box_count < 0 ||
        (box_count > 0 && boxes == nullptr)) {
        vigil::write_error(error, error_len, "invalid image or output for JPEG encoding");
        return VG_ERR_ARGUMENT;
    }
    std::string message;
    const int status = vigil::guarded(message, [&]() -> int {
        cv::Mat canvas = vigil::borrow(*image).clone();
        for (int32_t i = 0; i < box_count; ++i) {
            const vg_rect &b = boxes[i];
            cv::rectangle(canvas, cv::Rect(b.x, b.y, b.width, b.height), cv::Scalar(0, 0, 255),
                          std::max(2, canvas.cols / 400));
        }
        if (crop != nullptr) {
            const cv::Rect area = vigil::clamp(*crop, *image);
            if (area.empty()) {
                message = "crop lies outside the image";
                return VG_ERR_ARGUMENT;
            }
            canvas = canvas(area);
        }
        std::vector<uint8_t> encoded;
        if (!cv::imencode(".jpg", canvas, encoded, {cv::IMWRITE_JPEG_QUALITY, quality})) {
            message = "JPEG encoder failed";
            return VG_ERR_INTERNAL;
        }
        auto *buffer = static_cast<uint8_t *>(std::malloc(encoded.size()));
        if (buffer == nullptr) {
            message = "out of memory";
            return VG_ERR_INTERNAL;
        }
        std::copy(encoded.begin(), encoded.end(), buffer);
        *out = buffer;
        *out_len = encoded.size();
        return VG_OK;
    });
    if (status != VG_OK) vigil::write_error(error, error_len, message);
    return status;
}

