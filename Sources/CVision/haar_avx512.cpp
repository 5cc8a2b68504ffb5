// The sixteen-lane Haar kernel (AVX-512F): haar_row.hpp's window walk over these primitives.
// Compiled for that target function by function, so the rest of the library still runs on any
// x86-64; HaarCascade::widest says whether it may be called.
#include <immintrin.h>

#include "haar_cascade.hpp"

#pragma clang fp contract(off)

#define VG_TARGET __attribute__((target("avx512f")))

namespace vigil {
namespace {

struct Lanes16 {
    static constexpr int lanes = 16;
    using I = __m512i;
    using F = __m512;
    struct Sum {
        __m512d low, high;
    };

    template <int Step>
    VG_TARGET static inline I load(const int32_t *p) {
        if constexpr (Step == 1) {
            return _mm512_loadu_si512(p);
        } else {
            const I evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            return _mm512_permutex2var_epi32(_mm512_loadu_si512(p), evens, _mm512_loadu_si512(p + 16));
        }
    }
    VG_TARGET static inline I sub(I a, I b) { return _mm512_sub_epi32(a, b); }
    VG_TARGET static inline I add(I a, I b) { return _mm512_add_epi32(a, b); }
    VG_TARGET static inline F to_float(I a) { return _mm512_cvtepi32_ps(a); }
    VG_TARGET static inline F splat(float v) { return _mm512_set1_ps(v); }
    VG_TARGET static inline F mul(F a, F b) { return _mm512_mul_ps(a, b); }
    VG_TARGET static inline F plus(F a, F b) { return _mm512_add_ps(a, b); }
    VG_TARGET static inline Sum zero() { return {_mm512_setzero_pd(), _mm512_setzero_pd()}; }
    VG_TARGET static inline Sum add_leaf(Sum sum, F leaf) {
        const __m256 high = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(leaf), 1));
        return {_mm512_add_pd(sum.low, _mm512_cvtps_pd(_mm512_castps512_ps256(leaf))),
                _mm512_add_pd(sum.high, _mm512_cvtps_pd(high))};
    }
    VG_TARGET static inline F below(F value, float threshold, float left, float right) {
        return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(value, _mm512_set1_ps(threshold), _CMP_LT_OQ),
                                    _mm512_set1_ps(right), _mm512_set1_ps(left));
    }
    VG_TARGET static inline unsigned at_least(Sum sum, double threshold) {
        const __m512d t = _mm512_set1_pd(threshold);
        return _mm512_cmp_pd_mask(sum.low, t, _CMP_GE_OQ) |
               (static_cast<unsigned>(_mm512_cmp_pd_mask(sum.high, t, _CMP_GE_OQ)) << 8);
    }
    VG_TARGET static inline void store(F v, float *out) { _mm512_store_ps(out, v); }

    /// Eight windows' variance factors (HaarEvaluator::setWindow) from their sums, and which of
    /// them may be searched at all (not flat).
    VG_TARGET static inline __m256 half_normalisation(__m256i s, __m256i q, double area, unsigned &usable) {
        const __m512d a = _mm512_set1_pd(area), sd = _mm512_cvtepi32_pd(s), qd = _mm512_cvtepu32_pd(q);
        const __m512d nf = _mm512_sub_pd(_mm512_mul_pd(a, qd), _mm512_mul_pd(sd, sd));
        const unsigned positive = _mm512_cmp_pd_mask(nf, _mm512_setzero_pd(), _CMP_GT_OQ);
        const __m256 factor = _mm512_cvtpd_ps(_mm512_div_pd(_mm512_set1_pd(1.0), _mm512_sqrt_pd(nf)));
        // setWindow's "area * varianceNormFactor < 0.1", with the factor already rounded to float.
        const unsigned textured =
            _mm512_cmp_pd_mask(_mm512_mul_pd(a, _mm512_cvtps_pd(factor)), _mm512_set1_pd(1e-1), _CMP_LT_OQ);
        usable = positive & textured;
        return factor;
    }
    VG_TARGET static inline F normalisation(I s, I q, double area, unsigned &usable) {
        unsigned low, high;
        const __m256 f0 = half_normalisation(_mm512_castsi512_si256(s), _mm512_castsi512_si256(q), area, low);
        const __m256 f1 = half_normalisation(_mm512_extracti64x4_epi64(s, 1), _mm512_extracti64x4_epi64(q, 1), area, high);
        usable = low | (high << 8);
        return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(f0)), _mm256_castps_pd(f1), 1));
    }
};

#include "haar_row.hpp"

}  // namespace

VG_TARGET int haar_scan_row_avx512(const HaarCascade::Compiled &cascade, const int32_t *sum, const int32_t *sqsum,
                                   int positions, int step, int32_t *hits) {
    return step == 1 ? scan_row<Lanes16, 1>(cascade, sum, sqsum, positions, hits)
                     : scan_row<Lanes16, 2>(cascade, sum, sqsum, positions, hits);
}

}  // namespace vigil
