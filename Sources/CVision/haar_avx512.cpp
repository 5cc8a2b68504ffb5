// The sixteen-lane Haar window kernel (AVX-512F), compiled for that target function by function
// so the rest of the library still runs on any x86-64; HaarCascade::cpu_supported says whether
// it may be called.
//
// Exactness: every lane does what OpenCV 4.6's HaarEvaluator and predictOrderedStump do for one
// window, in the same types and order: integer rectangle sums, float feature values (multiply,
// then add; never fused), a double stage sum of float leaves, and the same variance test.
#include <immintrin.h>

#include "haar_cascade.hpp"

#pragma clang fp contract(off)

#define VG_AVX512 __attribute__((target("avx512f")))

namespace vigil {
namespace {

/// Sixteen values at `p`, `p + Step`, ... (Step 1 or 2).
template <int Step>
VG_AVX512 inline __m512i load16(const int32_t *p) {
    if constexpr (Step == 1) {
        return _mm512_loadu_si512(p);
    } else {
        const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        return _mm512_permutex2var_epi32(_mm512_loadu_si512(p), evens, _mm512_loadu_si512(p + 16));
    }
}

/// The rectangle sums p0 - p1 - p2 + p3 of sixteen windows (wrapping, as OpenCV's int sums do).
template <int Step>
VG_AVX512 inline __m512i rect_sum(const int32_t *base, const int32_t *ofs) {
    const __m512i a = load16<Step>(base + ofs[0]);
    const __m512i b = load16<Step>(base + ofs[1]);
    const __m512i c = load16<Step>(base + ofs[2]);
    const __m512i d = load16<Step>(base + ofs[3]);
    return _mm512_add_epi32(_mm512_sub_epi32(_mm512_sub_epi32(a, b), c), d);
}

VG_AVX512 inline __m512d low_pd(__m512 v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); }
VG_AVX512 inline __m512d high_pd(__m512 v) {
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}

/// Which of the `alive` lanes pass one stage.
template <int Step>
VG_AVX512 inline __mmask16 stage_passes(const HaarCascade::Compiled &cascade, const HaarCascade::Stage &stage,
                                        const int32_t *base, __m512 norm, __mmask16 alive) {
    __m512d low = _mm512_setzero_pd(), high = _mm512_setzero_pd();
    const HaarCascade::Stump *stump = cascade.stumps + stage.first;
    for (int i = 0; i < stage.count; ++i, ++stump) {
        __m512 value = _mm512_mul_ps(_mm512_set1_ps(stump->weight[0]),
                                     _mm512_cvtepi32_ps(rect_sum<Step>(base, stump->ofs)));
        value = _mm512_add_ps(value, _mm512_mul_ps(_mm512_set1_ps(stump->weight[1]),
                                                   _mm512_cvtepi32_ps(rect_sum<Step>(base, stump->ofs + 4))));
        if (stump->weight[2] != 0.0f) {
            value = _mm512_add_ps(value, _mm512_mul_ps(_mm512_set1_ps(stump->weight[2]),
                                                       _mm512_cvtepi32_ps(rect_sum<Step>(base, stump->ofs + 8))));
        }
        value = _mm512_mul_ps(value, norm);
        const __mmask16 below = _mm512_cmp_ps_mask(value, _mm512_set1_ps(stump->threshold), _CMP_LT_OQ);
        const __m512 leaf = _mm512_mask_blend_ps(below, _mm512_set1_ps(stump->right), _mm512_set1_ps(stump->left));
        low = _mm512_add_pd(low, low_pd(leaf));
        high = _mm512_add_pd(high, high_pd(leaf));
    }
    const __m512d threshold = _mm512_set1_pd(static_cast<double>(stage.threshold));
    // OpenCV rejects when sum < threshold; NaN cannot arise from finite leaves.
    const __mmask8 pass_low = _mm512_cmp_pd_mask(low, threshold, _CMP_GE_OQ);
    const __mmask8 pass_high = _mm512_cmp_pd_mask(high, threshold, _CMP_GE_OQ);
    return alive & static_cast<__mmask16>(pass_low | (static_cast<unsigned>(pass_high) << 8));
}

/// The variance normalisation of sixteen windows (HaarEvaluator::setWindow): the factor, and which
/// windows may be searched at all (non-flat ones).
template <int Step>
VG_AVX512 inline __m512 normalisation(const HaarCascade::Compiled &cascade, const int32_t *sum, const int32_t *sqsum,
                                      __mmask16 &usable) {
    const __m512i s = rect_sum<Step>(sum, cascade.nofs);
    const __m512i q = rect_sum<Step>(sqsum, cascade.nofs);
    const __m512d area = _mm512_set1_pd(cascade.area);
    __m512 norm;
    unsigned ok = 0;
    for (int half = 0; half < 2; ++half) {
        const __m256i sh = _mm512_extracti64x4_epi64(s, 1);
        const __m256i qh = _mm512_extracti64x4_epi64(q, 1);
        const __m512d sd = _mm512_cvtepi32_pd(half == 0 ? _mm512_castsi512_si256(s) : sh);
        const __m512d qd = _mm512_cvtepu32_pd(half == 0 ? _mm512_castsi512_si256(q) : qh);
        const __m512d nf = _mm512_sub_pd(_mm512_mul_pd(area, qd), _mm512_mul_pd(sd, sd));
        const __mmask8 positive = _mm512_cmp_pd_mask(nf, _mm512_setzero_pd(), _CMP_GT_OQ);
        const __m512d inverse = _mm512_div_pd(_mm512_set1_pd(1.0), _mm512_sqrt_pd(nf));
        const __m256 factor = _mm512_cvtpd_ps(inverse);
        // setWindow's "area * varianceNormFactor < 0.1", with the factor already rounded to float.
        const __mmask8 textured =
            _mm512_cmp_pd_mask(_mm512_mul_pd(area, _mm512_cvtps_pd(factor)), _mm512_set1_pd(1e-1), _CMP_LT_OQ);
        ok |= static_cast<unsigned>(positive & textured) << (8 * half);
        norm = half == 0 ? _mm512_castps256_ps512(factor)
                         : _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(norm), _mm256_castps_pd(factor), 1));
    }
    usable = static_cast<__mmask16>(ok);
    return norm;
}

/// One window's rectangle sum (wrapping, as the lanes' sums do).
VG_AVX512 inline int32_t scalar_rect_sum(const int32_t *p, const int32_t *ofs) {
    return static_cast<int32_t>(static_cast<uint32_t>(p[ofs[0]]) - static_cast<uint32_t>(p[ofs[1]]) -
                                static_cast<uint32_t>(p[ofs[2]]) + static_cast<uint32_t>(p[ofs[3]]));
}

/// One window's remaining stages, from `stage` on, in scalar code with the lanes' arithmetic.
/// Cheaper than a sixteen-lane stage once only a lane or two of a chunk is still alive.
VG_AVX512 bool window_passes(const HaarCascade::Compiled &cascade, int stage, const int32_t *p, float norm) {
    for (; stage < cascade.nstages; ++stage) {
        const HaarCascade::Stage &st = cascade.stages[stage];
        const HaarCascade::Stump *stump = cascade.stumps + st.first;
        double sum = 0;
        for (int i = 0; i < st.count; ++i, ++stump) {
            float value = stump->weight[0] * static_cast<float>(scalar_rect_sum(p, stump->ofs)) +
                          stump->weight[1] * static_cast<float>(scalar_rect_sum(p, stump->ofs + 4));
            if (stump->weight[2] != 0.0f) value += stump->weight[2] * static_cast<float>(scalar_rect_sum(p, stump->ofs + 8));
            value *= norm;
            sum += value < stump->threshold ? stump->left : stump->right;
        }
        if (sum < st.threshold) return false;
    }
    return true;
}

/// At most this many live lanes go on in scalar code. Measured on the shared clips against OpenCV:
/// 4.9x with 1, 4.75x with 2, 4.3x with 4, 4.05x with none.
constexpr int scalar_lanes = 1;

template <int Step>
VG_AVX512 int scan_row(const HaarCascade::Compiled &cascade, const int32_t *sum, const int32_t *sqsum, int positions,
                       int32_t *hits) {
    int found = 0;
    bool skip_next = false;
    for (int first = 0; first < positions; first += 16) {
        const int32_t *base = sum + first * Step;
        const int lanes = positions - first < 16 ? positions - first : 16;
        const __mmask16 present = lanes == 16 ? 0xFFFF : static_cast<__mmask16>((1u << lanes) - 1);
        __mmask16 usable;
        const __m512 norm = normalisation<Step>(cascade, base, sqsum + first * Step, usable);
        usable &= present;
        const __mmask16 first_stage = stage_passes<Step>(cascade, cascade.stages[0], base, norm, usable);
        // OpenCV walks a row window by window and steps over the window after one that the
        // first stage rejects (not after a flat one). Which windows it visits is a chain along
        // the row, so it is worked out here, lane by lane, from the first stage's verdicts.
        const unsigned rejected_first = usable & ~first_stage;
        unsigned visited = 0;
        for (int lane = 0; lane < lanes; ++lane) {
            if (skip_next) {
                skip_next = false;
                continue;
            }
            visited |= 1u << lane;
            skip_next = (rejected_first >> lane) & 1u;
        }
        __mmask16 alive = first_stage & static_cast<__mmask16>(visited);
        int stage = 1;
        for (; alive != 0 && stage < cascade.nstages && __builtin_popcount(alive) > scalar_lanes; ++stage) {
            alive = stage_passes<Step>(cascade, cascade.stages[stage], base, norm, alive);
        }
        if (alive != 0 && stage < cascade.nstages) {
            alignas(64) float norms[16];
            _mm512_store_ps(norms, norm);
            unsigned survivors = 0;
            for (unsigned rest = alive; rest != 0; rest &= rest - 1) {
                const int lane = __builtin_ctz(rest);
                if (window_passes(cascade, stage, base + lane * Step, norms[lane])) survivors |= 1u << lane;
            }
            alive = static_cast<__mmask16>(survivors);
        }
        for (unsigned rest = alive; rest != 0; rest &= rest - 1) hits[found++] = first + __builtin_ctz(rest);
    }
    return found;
}

}  // namespace

VG_AVX512 int haar_scan_row_avx512(const HaarCascade::Compiled &cascade, const int32_t *sum, const int32_t *sqsum,
                         int positions, int step, int32_t *hits) {
    return step == 1 ? scan_row<1>(cascade, sum, sqsum, positions, hits)
                     : scan_row<2>(cascade, sum, sqsum, positions, hits);
}

bool HaarCascade::cpu_supported() { return __builtin_cpu_supports("avx512f"); }

}  // namespace vigil
