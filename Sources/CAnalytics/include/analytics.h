/*
 * CAnalytics: the C API over the parts of OpenCV the analysis services use
 * (random forests and logistic regression from ml, k-means, convex hulls,
 * plots written as PNG with libpng).
 *
 * Why apart from CVision: these need only OpenCV's core, imgproc and ml. The
 * face and plate code needs imgcodecs, objdetect, dlib and Tesseract, which
 * pull in about 200 more shared libraries (GDAL and HDF5 behind imgcodecs);
 * keeping them out lets `vigil crime` and `vigil eeg` start in milliseconds.
 *
 * Every entry point catches every C++ exception and turns it into a status
 * code plus a message kept on the handle (or written to the caller's buffer).
 * A handle is not thread-safe.
 */
#ifndef VIGIL_CANALYTICS_H
#define VIGIL_CANALYTICS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes returned by every call of CAnalytics and CVision. Messages come from vg_*_last_error. */
enum {
    VG_OK = 0,
    VG_ERR_ARGUMENT = -1,   /* a bad parameter (null image, zero size...) */
    VG_ERR_MODEL = -2,      /* a model or cascade file could not be loaded */
    VG_ERR_INTERNAL = -3,   /* an exception from OpenCV or dlib */
    VG_ERR_CAPACITY = -4,   /* the output array was too small */
};

/* ------------------------------------------------------------------- forest */

typedef struct vg_forest vg_forest;

/** Trains an OpenCV random forest on `rows` x `columns` features with integer class labels (deterministic). */
vg_forest *vg_forest_train(const float *features, const int32_t *labels, int32_t rows, int32_t columns, int32_t trees,
                           int32_t max_depth, char *error, size_t error_len);
vg_forest *vg_forest_load(const char *path, char *error, size_t error_len);
int vg_forest_save(vg_forest *forest, const char *path);
/** Share of trees voting for each of `classes` (labels as trained), for one sample. */
int vg_forest_probabilities(vg_forest *forest, const float *features, int32_t columns, const int32_t *classes,
                            int32_t class_count, float *out);
const char *vg_forest_last_error(const vg_forest *forest);
void vg_forest_destroy(vg_forest *forest);

/* -------------------------------------------------------------------- plots */

/**
 * Writes a PNG of `series` spectra (log density against frequency, up to
 * `max_frequency` Hz) with `bands` shaded and named. `densities` holds
 * `series` rows of `bins` values; `band_edges` holds low,high pairs.
 */
int vg_plot_spectra(const char *path, const char *title, const double *frequencies, int32_t bins, const double *densities,
                    const char *const *labels, int32_t series, const double *band_edges, const char *const *band_names,
                    int32_t bands, double max_frequency, char *error, size_t error_len);

/**
 * Writes a PNG stacked bar chart: `period_count` bars (labelled by `periods`), each split into
 * `group_count` coloured parts. `values` holds period_count rows of group_count counts.
 */
int vg_plot_bars(const char *path, const char *title, const char *const *periods, int32_t period_count,
                 const char *const *groups, int32_t group_count, const double *values, const char *y_label,
                 char *error, size_t error_len);

/* -------------------------------------------------------------------- crime */

typedef struct vg_logistic vg_logistic;

/** Trains a binary logistic regression (OpenCV ml, batch gradient descent) on 0/1 labels. */
vg_logistic *vg_logistic_train(const float *features, const int32_t *labels, int32_t rows, int32_t columns,
                               int32_t iterations, double learning_rate, double l2, char *error, size_t error_len);
/** Loads a model from the text vg_logistic_save wrote. */
vg_logistic *vg_logistic_load(const char *text, char *error, size_t error_len);
/** Writes the model as OpenCV FileStorage YAML into a malloc'd string the caller frees with vg_free. */
int vg_logistic_save(vg_logistic *handle, char **out);
/** P(label 1) for each of `rows` samples. */
int vg_logistic_probability(vg_logistic *handle, const float *features, int32_t rows, int32_t columns, float *out);
const char *vg_logistic_last_error(const vg_logistic *handle);
void vg_logistic_destroy(vg_logistic *handle);

/** k-means (k-means++ seeding from `seed`, best of `attempts`) over `count` 2-D points; `centres` holds k x,y pairs. */
int vg_kmeans(const float *points, int32_t count, int32_t k, int32_t attempts, uint64_t seed, int32_t *labels,
              float *centres, char *error, size_t error_len);

/** The convex hull of `count` x,y points, counter-clockwise, into `out` (x,y pairs). */
int vg_convex_hull(const double *points, int32_t count, double *out, int32_t capacity, int32_t *out_count);

/**
 * Writes a PNG map: every point coloured by its cluster label (-1 = noise, grey), each
 * cluster's convex hull, the centres labelled with their cluster id and sized by count, a legend and lat/lon axes.
 */
int vg_plot_hotspots(const char *path, const char *title, const double *longitudes, const double *latitudes,
                     const int32_t *labels, int32_t count, const double *centre_lon, const double *centre_lat,
                     const int32_t *centre_ids, const int32_t *centre_counts, int32_t clusters, char *error, size_t error_len);

/** Frees a buffer CAnalytics or CVision allocated (saved models, encoded images). */
void vg_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif
