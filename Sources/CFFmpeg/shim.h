// FFmpeg for Swift: the headers Vigil uses, and static inline helpers for the
// macros Swift cannot import (AVERROR, av_err2str, AV_NOPTS_VALUE).
#ifndef VIGIL_CFFMPEG_SHIM_H
#define VIGIL_CFFMPEG_SHIM_H

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/time.h>
#include <libswscale/swscale.h>

static inline int vg_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int vg_averror_eof(void) { return AVERROR_EOF; }
static inline int vg_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int vg_averror_exit(void) { return AVERROR_EXIT; }
static inline int64_t vg_av_nopts_value(void) { return AV_NOPTS_VALUE; }

/// av_err2str is a macro over a compound literal; this writes the same text into a caller's buffer.
static inline void vg_av_strerror(int code, char *buffer, size_t length) {
    if (av_strerror(code, buffer, length) < 0) {
        snprintf(buffer, length, "FFmpeg error %d", code);
    }
}

static inline double vg_rational_to_double(AVRational r) { return r.den == 0 ? 0.0 : (double)r.num / (double)r.den; }

/// A deadline FFmpeg checks while it blocks (open, read): when the monotonic
/// clock passes `deadline_us`, or `abort` is set, the blocking call returns
/// AVERROR_EXIT. This is how stalls time out and shutdown interrupts a read.
/// `abort` is set from another thread (shutdown), so both fields are read and written
/// atomically; `volatile` alone orders nothing.
typedef struct {
    int64_t deadline_us; /* av_gettime_relative() units; 0 = none */
    int abort;
} vg_deadline;

static inline int vg_deadline_expired(void *opaque) {
    vg_deadline *d = (vg_deadline *)opaque;
    if (d == NULL) return 0;
    if (__atomic_load_n(&d->abort, __ATOMIC_ACQUIRE)) return 1;
    int64_t deadline = __atomic_load_n(&d->deadline_us, __ATOMIC_RELAXED);
    return deadline > 0 && av_gettime_relative() > deadline;
}

static inline void vg_deadline_arm(vg_deadline *d, double seconds) {
    __atomic_store_n(&d->deadline_us, seconds > 0 ? av_gettime_relative() + (int64_t)(seconds * 1e6) : 0, __ATOMIC_RELAXED);
}

static inline void vg_deadline_abort(vg_deadline *d) { __atomic_store_n(&d->abort, 1, __ATOMIC_RELEASE); }
static inline int vg_deadline_aborted(vg_deadline *d) { return __atomic_load_n(&d->abort, __ATOMIC_ACQUIRE); }

/// Allocates a format context that checks `deadline` while blocking.
static inline AVFormatContext *vg_format_context_with_deadline(vg_deadline *deadline) {
    AVFormatContext *context = avformat_alloc_context();
    if (context != NULL && deadline != NULL) {
        context->interrupt_callback.callback = vg_deadline_expired;
        context->interrupt_callback.opaque = deadline;
    }
    return context;
}

/// Converts a decoded frame into one packed BGR24 buffer through a (cached) scaler.
/// Returns the scaler to keep for the next call, or NULL on failure (the scaler is then freed:
/// the caller's pointer must not be used again).
static inline struct SwsContext *vg_convert_to_bgr(struct SwsContext *context, const AVFrame *frame,
                                                   uint8_t *destination, int destination_stride) {
    context = sws_getCachedContext(context, frame->width, frame->height, (enum AVPixelFormat)frame->format,
                                   frame->width, frame->height, AV_PIX_FMT_BGR24, SWS_BILINEAR, NULL, NULL, NULL);
    if (context == NULL) return NULL;
    uint8_t *planes[4] = {destination, NULL, NULL, NULL};
    int strides[4] = {destination_stride, 0, 0, 0};
    if (sws_scale(context, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height, planes, strides) <= 0) {
        sws_freeContext(context);
        return NULL;
    }
    return context;
}

#endif
