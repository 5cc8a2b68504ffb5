// PNG output for the analysis plots, through libpng's simplified API.
#include <png.h>

#include <cstdlib>
#include <cstring>

#include "vigil_guard.hpp"

bool vigil::write_png(const std::string &path, const cv::Mat &bgr, std::string &error) {
    if (bgr.type() != CV_8UC3 || bgr.empty()) {
        error = "cannot write " + path + ": not an 8-bit BGR image";
        return false;
    }
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = static_cast<png_uint_32>(bgr.cols);
    image.height = static_cast<png_uint_32>(bgr.rows);
    image.format = PNG_FORMAT_BGR;
    // The row stride is counted in components; for 8-bit samples that is bytes.
    if (png_image_write_to_file(&image, path.c_str(), 0, bgr.data, static_cast<png_int_32>(bgr.step[0]), nullptr) == 0) {
        error = "cannot write " + path + ": " + image.message;
        png_image_free(&image);
        return false;
    }
    return true;
}

extern "C" void vg_free(void *pointer) { std::free(pointer); }
