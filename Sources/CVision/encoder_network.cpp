// The face encoder: dlib's 5-point shape predictor, 150x150 aligned chips and
// the ResNet of dlib_face_recognition_resnet_model_v1 (a 128-d metric embedding
// where same-person faces lie within ~0.6 of each other).
//
// The network type below is the one in dlib's dnn_face_recognition_ex.cpp and
// must match the serialized model exactly. It lives alone in this file because
// instantiating it takes ~40 s to compile.
#include <memory>
#include <string>
#include <vector>

#include <dlib/dnn.h>
#include <dlib/image_processing.h>
#include <dlib/opencv/cv_image.h>
#include <dlib/opencv/to_open_cv.h>
#include <opencv2/imgproc.hpp>

#include "guard.hpp"

namespace {
using namespace dlib;

template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual = add_prev1<block<N, BN, 1, tag1<SUBNET>>>;

template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<block<N, BN, 2, tag1<SUBNET>>>>>>;

template <int N, template <typename> class BN, int stride, typename SUBNET>
using block = BN<con<N, 3, 3, 1, 1, relu<BN<con<N, 3, 3, stride, stride, SUBNET>>>>>;

template <int N, typename SUBNET> using ares = relu<residual<block, N, affine, SUBNET>>;
template <int N, typename SUBNET> using ares_down = relu<residual_down<block, N, affine, SUBNET>>;

template <typename SUBNET> using alevel0 = ares_down<256, SUBNET>;
template <typename SUBNET> using alevel1 = ares<256, ares<256, ares_down<256, SUBNET>>>;
template <typename SUBNET> using alevel2 = ares<128, ares<128, ares_down<128, SUBNET>>>;
template <typename SUBNET> using alevel3 = ares<64, ares<64, ares<64, ares_down<64, SUBNET>>>>;
template <typename SUBNET> using alevel4 = ares<32, ares<32, ares<32, SUBNET>>>;

using face_net = loss_metric<fc_no_bias<128, avg_pool_everything<alevel0<alevel1<alevel2<alevel3<alevel4<
    max_pool<3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2, input_rgb_image_sized<150>>>>>>>>>>>>>;

constexpr unsigned long kChipSize = 150;
constexpr double kChipPadding = 0.25;
} // namespace

struct vg_encoder {
    dlib::shape_predictor predictor;
    face_net net;
    std::string last_error;
};

extern "C" vg_encoder *vg_encoder_create(const char *shape_predictor_path, const char *recognition_model_path,
                                         char *error, size_t error_len) {
    if (shape_predictor_path == nullptr || recognition_model_path == nullptr) {
        vigil::write_error(error, error_len, "no model path given");
        return nullptr;
    }
    auto encoder = std::make_unique<vg_encoder>();
    const char *loading = shape_predictor_path;
    try {
        dlib::deserialize(shape_predictor_path) >> encoder->predictor;
        loading = recognition_model_path;
        dlib::deserialize(recognition_model_path) >> encoder->net;
        return encoder.release();
    } catch (const std::exception &e) {
        vigil::write_error(error, error_len, std::string("cannot load model ") + loading + ": " + e.what());
    } catch (...) {
        vigil::write_error(error, error_len, std::string("cannot load model ") + loading);
    }
    return nullptr;
}

extern "C" void vg_encoder_destroy(vg_encoder *encoder) { delete encoder; }

extern "C" const char *vg_encoder_last_error(const vg_encoder *encoder) {
    return encoder ? encoder->last_error.c_str() : "no encoder";
}

extern "C" int vg_encode_faces(vg_encoder *encoder, const vg_image *image, const vg_rect *faces, int32_t count,
                               vg_face_encoding *out) {
    if (encoder == nullptr || !vigil::valid(image) || count < 0 || (count > 0 && (faces == nullptr || out == nullptr))) {
        return VG_ERR_ARGUMENT;
    }
    if (count == 0) return VG_OK;
    return vigil::guarded(encoder->last_error, [&]() -> int {
        cv::Mat source = vigil::borrow(*image);
        dlib::cv_image<dlib::bgr_pixel> view(source);
        std::vector<dlib::matrix<dlib::rgb_pixel>> chips(static_cast<size_t>(count));
        for (int32_t i = 0; i < count; ++i) {
            const vg_rect &f = faces[i];
            const dlib::rectangle box(f.x, f.y, f.x + f.width - 1, f.y + f.height - 1);
            const dlib::full_object_detection shape = encoder->predictor(view, box);
            for (unsigned long p = 0; p < VG_LANDMARKS && p < shape.num_parts(); ++p) {
                out[i].landmarks[p] = {static_cast<float>(shape.part(p).x()), static_cast<float>(shape.part(p).y())};
            }
            dlib::extract_image_chip(view, dlib::get_face_chip_details(shape, kChipSize, kChipPadding), chips[i]);

            cv::Mat chip_bgr = dlib::toMat(chips[i]);
            cv::Mat grey, laplacian;
            cv::cvtColor(chip_bgr, grey, cv::COLOR_RGB2GRAY);
            cv::Laplacian(grey, laplacian, CV_32F);
            cv::Scalar mean, deviation;
            cv::meanStdDev(laplacian, mean, deviation);
            out[i].sharpness = static_cast<float>(deviation[0] * deviation[0]);
        }
        const std::vector<dlib::matrix<float, 0, 1>> descriptors = encoder->net(chips, 16);
        for (int32_t i = 0; i < count; ++i) {
            const auto &d = descriptors[static_cast<size_t>(i)];
            if (d.size() != VG_ENCODING_DIMS) {
                encoder->last_error = "network returned a descriptor of unexpected size";
                return VG_ERR_INTERNAL;
            }
            for (long k = 0; k < VG_ENCODING_DIMS; ++k) out[i].encoding[k] = d(k);
        }
        return VG_OK;
    });
}
