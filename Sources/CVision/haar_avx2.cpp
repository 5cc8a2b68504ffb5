// The eight-lane Haar kernel (AVX2): haar_row.hpp's window walk over these primitives, for
// x86-64 servers without AVX-512F (most before 2017, and AMD's before Zen 4). Compiled for that
// target function by function; HaarCascade::widest says whether it may be called.
#include <immintrin.h>

#include "haar_cascade.hpp"

#pragma clang fp contract(off)

#define VG_TARGET __attribute__((target("avx2")))

namespace vigil {
namespace {

struct Lanes8 {
    static constexpr int lanes = 8;
    using I = __m256i;
    using F = __m256;
    struct Sum {
        __m256d low, high;
    };

    template <int Step>
    VG_TARGET static inline I load(const int32_t *p) {
        const I a = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
        if constexpr (Step == 1) {
            return a;
        } else {
            const I b = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + 8));
            // a0 a2 b0 b2 | a4 a6 b4 b6, then the 64-bit pairs reordered to a0 a2 a4 a6 b0 b2 b4 b6.
            const __m256 evens = _mm256_shuffle_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), _MM_SHUFFLE(2, 0, 2, 0));
            return _mm256_permute4x64_epi64(_mm256_castps_si256(evens), _MM_SHUFFLE(3, 1, 2, 0));
        }
    }
    VG_TARGET static inline I sub(I a, I b) { return _mm256_sub_epi32(a, b); }
    VG_TARGET static inline I add(I a, I b) { return _mm256_add_epi32(a, b); }
    VG_TARGET static inline F to_float(I a) { return _mm256_cvtepi32_ps(a); }
    VG_TARGET static inline F splat(float v) { return _mm256_set1_ps(v); }
    VG_TARGET static inline F mul(F a, F b) { return _mm256_mul_ps(a, b); }
    VG_TARGET static inline F plus(F a, F b) { return _mm256_add_ps(a, b); }
    VG_TARGET static inline Sum zero() { return {_mm256_setzero_pd(), _mm256_setzero_pd()}; }
    VG_TARGET static inline Sum add_leaf(Sum sum, F leaf) {
        return {_mm256_add_pd(sum.low, _mm256_cvtps_pd(_mm256_castps256_ps128(leaf))),
                _mm256_add_pd(sum.high, _mm256_cvtps_pd(_mm256_extractf128_ps(leaf, 1)))};
    }
    VG_TARGET static inline F below(F value, float threshold, float left, float right) {
        return _mm256_blendv_ps(_mm256_set1_ps(right), _mm256_set1_ps(left),
                                _mm256_cmp_ps(value, _mm256_set1_ps(threshold), _CMP_LT_OQ));
    }
    VG_TARGET static inline unsigned at_least(Sum sum, double threshold) {
        const __m256d t = _mm256_set1_pd(threshold);
        return static_cast<unsigned>(_mm256_movemask_pd(_mm256_cmp_pd(sum.low, t, _CMP_GE_OQ))) |
               (static_cast<unsigned>(_mm256_movemask_pd(_mm256_cmp_pd(sum.high, t, _CMP_GE_OQ))) << 4);
    }
    VG_TARGET static inline void store(F v, float *out) { _mm256_store_ps(out, v); }

    /// Four windows' variance factors from their sums (as Lanes16::half_normalisation).
    VG_TARGET static inline __m128 quarter_normalisation(__m128i s, __m128i q, double area, unsigned &usable) {
        const __m256d a = _mm256_set1_pd(area), sd = _mm256_cvtepi32_pd(s);
        // The square sums are unsigned; AVX2 converts signed, so 2^32 goes back where the sign bit was set.
        __m256d qd = _mm256_cvtepi32_pd(q);
        qd = _mm256_add_pd(qd, _mm256_and_pd(_mm256_cmp_pd(qd, _mm256_setzero_pd(), _CMP_LT_OQ), _mm256_set1_pd(4294967296.0)));
        const __m256d nf = _mm256_sub_pd(_mm256_mul_pd(a, qd), _mm256_mul_pd(sd, sd));
        const unsigned positive = _mm256_movemask_pd(_mm256_cmp_pd(nf, _mm256_setzero_pd(), _CMP_GT_OQ));
        const __m128 factor = _mm256_cvtpd_ps(_mm256_div_pd(_mm256_set1_pd(1.0), _mm256_sqrt_pd(nf)));
        const unsigned textured = _mm256_movemask_pd(
            _mm256_cmp_pd(_mm256_mul_pd(a, _mm256_cvtps_pd(factor)), _mm256_set1_pd(1e-1), _CMP_LT_OQ));
        usable = positive & textured;
        return factor;
    }
    VG_TARGET static inline F normalisation(I s, I q, double area, unsigned &usable) {
        unsigned low, high;
        const __m128 f0 = quarter_normalisation(_mm256_castsi256_si128(s), _mm256_castsi256_si128(q), area, low);
        const __m128 f1 = quarter_normalisation(_mm256_extracti128_si256(s, 1), _mm256_extracti128_si256(q, 1), area, high);
        usable = low | (high << 4);
        return _mm256_insertf128_ps(_mm256_castps128_ps256(f0), f1, 1);
    }
};

#include "haar_row.hpp"

}  // namespace

VG_TARGET int haar_scan_row_avx2(const HaarCascade::Compiled &cascade, const int32_t *sum, const int32_t *sqsum,
                                 int positions, int step, int32_t *hits) {
    return step == 1 ? scan_row<Lanes8, 1>(cascade, sum, sqsum, positions, hits)
                     : scan_row<Lanes8, 2>(cascade, sum, sqsum, positions, hits);
}

}  // namespace vigil
