/*
 * CVision: the C API over OpenCV, dlib and Tesseract that the camera pipeline calls.
 *
 * Why a C API: Swift's C++ interop mode is not used in Vigil, so the C++
 * libraries hide behind opaque handles and plain structs. Every entry point
 * catches every C++ exception and turns it into a status code plus a message
 * kept on the handle (or written to the caller's buffer for constructors).
 *
 * Threading: a handle is not thread-safe. Each camera or worker owns its own
 * handles and calls them from one serial queue.
 */
#ifndef VIGIL_CVISION_H
#define VIGIL_CVISION_H

#include <stddef.h>
#include <stdint.h>

/* The status codes and vg_free are shared with CAnalytics. */
#include "analytics.h"

#ifdef __cplusplus
extern "C" {
#endif


/** The encoder's embedding size (dlib_face_recognition_resnet_model_v1). */
#define VG_ENCODING_DIMS 128
/** Landmarks returned by the 5-point shape predictor. */
#define VG_LANDMARKS 5

/** A borrowed, packed 8-bit BGR image (what FFmpeg's swscale writes). */
typedef struct {
    const uint8_t *data;
    int32_t width;
    int32_t height;
    int32_t stride; /* bytes per row, >= width * 3 */
} vg_image;

typedef struct {
    int32_t x, y, width, height;
} vg_rect;

/** A detection with the detector's score (Haar: neighbour count; HOG: SVM margin). */
typedef struct {
    vg_rect box;
    double score;
} vg_detection;

/** Haar cascade parameters (cv::CascadeClassifier::detectMultiScale). */
typedef struct {
    double scale_factor;   /* e.g. 1.1 */
    int32_t min_neighbors; /* e.g. 5 */
    int32_t min_size;      /* smallest face side, pixels of the scaled image */
    double scale;          /* resize the image by this factor before detecting (1 = none) */
    int32_t equalize;      /* 1 = histogram-equalise the grey image first */
} vg_haar_params;

/** dlib HOG parameters. */
typedef struct {
    double scale;            /* resize the region by this factor before detecting */
    double pad_fraction;     /* pad each side by this fraction of the region (faces that fill the frame) */
    double adjust_threshold; /* added to the SVM threshold; 0 is dlib's default, < 0 finds more */
} vg_hog_params;

/* ---------------------------------------------------------------- detector */

typedef struct vg_detector vg_detector;

/** Loads a Haar cascade; builds dlib's HOG frontal face detector. */
vg_detector *vg_detector_create(const char *cascade_path, char *error, size_t error_len);
void vg_detector_destroy(vg_detector *detector);
const char *vg_detector_last_error(const vg_detector *detector);

/*
 * Which evaluator runs the Haar cascade. All give the same boxes. VG_HAAR_AVX512 and
 * VG_HAAR_AVX2 are Vigil's own, evaluating sixteen or eight neighbouring windows at once, for
 * stump cascades without tilted features (haarcascade_frontalface_default is one);
 * VG_HAAR_OPENCV is cv::CascadeClassifier, the fallback for every other CPU and cascade.
 * A new detector uses the widest its CPU and cascade allow.
 */
#define VG_HAAR_OPENCV 0
#define VG_HAAR_AVX2 1
#define VG_HAAR_AVX512 2

/** The widest evaluator this CPU runs. */
int32_t vg_haar_widest_engine(void);

/** Asks for an evaluator; returns the one in use (the asked one, or the widest below it that is available). */
int32_t vg_detector_set_haar_engine(vg_detector *detector, int32_t engine);

/** Haar cascade over the whole image. Boxes are in source pixels. */
int vg_detect_haar(vg_detector *detector, const vg_image *image, const vg_haar_params *params,
                   vg_detection *out, int32_t capacity, int32_t *count);

/** dlib HOG over `region` (NULL = the whole image). Boxes are in source pixels. */
int vg_detect_hog(vg_detector *detector, const vg_image *image, const vg_rect *region,
                  const vg_hog_params *params, vg_detection *out, int32_t capacity, int32_t *count);

/*
 * Prepared frames: the per-frame work every detection stage shares, done once.
 * vg_detector_prepare converts a frame to grey, shrinks it to the detection
 * scale and equalises it, and keeps that image in the handle; region searches
 * and track searches then read it until the next prepare. It also returns a
 * coarse luma grid (box-averaged, before equalisation) for motion analysis.
 */
typedef struct {
    double scale;          /* detection image = source * scale (0 < scale <= 1) */
    int32_t equalize;      /* 1 = histogram-equalise the detection image */
    int32_t grid_width;    /* motion grid columns (0 = no grid) */
    int32_t grid_height;   /* motion grid rows */
} vg_prepare_params;

int vg_detector_prepare(vg_detector *detector, const vg_image *image, const vg_prepare_params *params,
                        uint8_t *grid_out);

/** OpenCV's and OpenBLAS's worker threads for later calls (1 = none: the caller's thread does the work). */
void vg_set_native_threads(int32_t threads);

/** One Haar search inside the prepared image. Sizes and region are in source pixels. */
typedef struct {
    vg_rect region;        /* clamped to the frame */
    int32_t min_size;      /* smallest face side */
    int32_t max_size;      /* largest face side (0 = no limit) */
    double scale_factor;   /* pyramid step (> 1) */
    int32_t min_neighbors;
} vg_haar_search;

/** Haar cascade inside `search->region` of the prepared image. Boxes are in source pixels. */
int vg_detect_haar_prepared(vg_detector *detector, const vg_haar_search *search, vg_detection *out,
                            int32_t capacity, int32_t *count);

/* ----------------------------------------------------------------- encoder */

typedef struct vg_encoder vg_encoder;

typedef struct {
    float x, y;
} vg_point;

/** One encoded face: landmarks and the 128-d descriptor. */
typedef struct {
    vg_point landmarks[VG_LANDMARKS];
    float encoding[VG_ENCODING_DIMS];
    /** Variance of the Laplacian of the aligned grey chip: a sharpness figure for choosing evidence. */
    float sharpness;
} vg_face_encoding;

/** Loads the 5-point shape predictor and the ResNet face encoder. */
vg_encoder *vg_encoder_create(const char *shape_predictor_path, const char *recognition_model_path,
                              char *error, size_t error_len);
void vg_encoder_destroy(vg_encoder *encoder);
const char *vg_encoder_last_error(const vg_encoder *encoder);

/**
 * Aligns (5 landmarks, 150x150 chip, 25% padding) and encodes `count` faces
 * in one batch through the network. `out` must hold `count` entries.
 */
int vg_encode_faces(vg_encoder *encoder, const vg_image *image, const vg_rect *faces, int32_t count,
                    vg_face_encoding *out);

/* ------------------------------------------------------------------ plates */

typedef struct vg_plate_reader vg_plate_reader;

/** Longest plate text a read carries. */
#define VG_PLATE_TEXT 16

/**
 * The contour procedure's parameters. Sizes are at `work_width`, so one set
 * works on every camera resolution; vg_plate_default_params gives values
 * tuned on the shared plate sets (see the README's plate section).
 */
typedef struct {
    int32_t work_width;       /* the frame is resized to this width before localisation */
    int32_t blur;             /* Gaussian kernel side */
    int32_t close_width;      /* morphological closing kernel (joins a plate's vertical edges) */
    int32_t close_height;
    int32_t coarse;           /* 1 = a second pass with a kernel twice as large (big plates) */
    double min_aspect;        /* long side / short side of a candidate */
    double max_aspect;
    double min_area;          /* candidate area as a fraction of the frame */
    double max_area;
    double max_angle;         /* degrees from horizontal */
    int32_t crop_height;      /* deskewed crops are normalised to this height */
    double threshold_offset;  /* adaptive threshold constant on the value channel */
    double char_min_height;   /* character height as a fraction of the crop */
    double char_max_height;
    int32_t min_chars;        /* fewer segmented characters: not a plate */
    int32_t max_chars;
    double max_gap;           /* a gap wider than this many character heights ends the row */
    double plate_height;      /* plate height in character heights (reported box) */
    double plate_width;       /* fraction of the plate's width the character row spans */
    int32_t max_reads;        /* candidates read by OCR per frame, most plausible first */
    int32_t ocr_char_height;  /* characters are scaled to this height for Tesseract */
} vg_plate_params;

/** One candidate read: where it is, the characters segmented, and what OCR made of them. */
typedef struct {
    vg_rect box;          /* the plate candidate, axis-aligned, source pixels */
    vg_rect row;          /* the character row inside it */
    float angle;          /* deskew angle, degrees */
    int32_t char_count;   /* characters segmented */
    int32_t length;       /* characters read */
    char text[VG_PLATE_TEXT + 1];
    float confidence[VG_PLATE_TEXT]; /* per character, 0-1 */
    float mean_confidence;
    float plausibility;   /* segmentation's own ranking: regular rows of 5-8 characters spanning the plate score higher */
} vg_plate_read;

vg_plate_params vg_plate_default_params(void);

/** Loads Tesseract's LSTM `eng` model from `tessdata_dir` (NULL = Tesseract's default). */
vg_plate_reader *vg_plate_reader_create(const char *tessdata_dir, const vg_plate_params *params, char *error,
                                        size_t error_len);
void vg_plate_reader_destroy(vg_plate_reader *reader);
/** One reader serves cameras with different settings (one call at a time). */
void vg_plate_reader_set_params(vg_plate_reader *reader, const vg_plate_params *params);
const char *vg_plate_reader_last_error(const vg_plate_reader *reader);

/** Localises, segments and reads plates in a frame; most plausible candidates first. */
int vg_plate_read_frame(vg_plate_reader *reader, const vg_image *image, vg_plate_read *out, int32_t capacity,
                        int32_t *count);

/** Segments and reads an image that is already one plate (a crop). */
int vg_plate_read_crop(vg_plate_reader *reader, const vg_image *image, vg_plate_read *out);

/* ------------------------------------------------------------------- people */

typedef struct vg_people vg_people;

/** HOG people detection parameters (cv::HOGDescriptor::detectMultiScale). */
typedef struct {
    double scale;          /* resize the region by this factor before detecting (a person is >= 128 px tall after it) */
    double hit_threshold;  /* SVM margin a window needs; 0 is OpenCV's default, higher finds fewer */
    double pyramid_step;   /* > 1, e.g. 1.05 (thorough) to 1.2 (fast) */
} vg_people_params;

/** OpenCV's HOG descriptor with its built-in pedestrian SVM: no model file. */
vg_people *vg_people_create(char *error, size_t error_len);
void vg_people_destroy(vg_people *handle);
const char *vg_people_last_error(const vg_people *handle);
/** People in `region` (NULL: the whole image), boxes in source pixels, score = SVM margin. */
int vg_people_detect(vg_people *handle, const vg_image *image, const vg_rect *region, const vg_people_params *params,
                     vg_detection *out, int32_t capacity, int32_t *count);

/* ------------------------------------------------------------- left objects */

typedef struct vg_left_objects vg_left_objects;

/**
 * Two MOG2 background models: `long_rate` and `short_rate` are their learning rates per update
 * (e.g. 0.005 and 0.2: minutes and seconds to absorb a change).
 */
vg_left_objects *vg_left_objects_create(double long_rate, double short_rate, char *error, size_t error_len);
void vg_left_objects_destroy(vg_left_objects *handle);
const char *vg_left_objects_last_error(const vg_left_objects *handle);
/** Feeds a frame (shrunk by `scale` first); `out` gets the still-foreground blobs of at least `min_area` source px. */
int vg_left_objects_update(vg_left_objects *handle, const vg_image *image, double scale, int32_t min_area, vg_rect *out,
                           int32_t capacity, int32_t *count);

/* ---------------------------------------------------------------- evidence */

/**
 * Encodes a BGR image as JPEG into a malloc'd buffer the caller frees with
 * vg_free: the whole frame with `boxes` drawn (alert snapshots), or only
 * `crop` (face crops).
 */
int vg_encode_jpeg(const vg_image *image, const vg_rect *crop, const vg_rect *boxes, int32_t box_count,
                   int32_t quality, uint8_t **out, size_t *out_len, char *error, size_t error_len);

#ifdef __cplusplus
}
#endif

#endif
