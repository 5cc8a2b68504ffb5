#pragma once

// The window walk shared by the Haar kernels, included once per instruction set by a file that
// defines VG_TARGET (the function attribute) and a kernel type K of one-line primitives:
//   K::lanes (8 or 16); K::I (lanes of int32), K::F (lanes of float), K::Sum (lanes of double);
//   K::load<Step>(p): the values at p, p + Step, ...; K::sub, K::add on I; K::to_float(I);
//   K::splat(float), K::mul, K::plus on F; K::zero(), K::add_leaf(Sum, F): the leaves summed in double;
//   K::below(value, threshold, left, right): left where value < threshold, else right;
//   K::at_least(Sum, double): the lanes whose sum is >= the threshold, as a bit set;
//   K::normalisation(sum I, square sum I, area, usable): the variance factors and the usable lanes;
//   K::store(F, float *).
// Masks are plain unsigned bit sets, lane i in bit i. Every lane does what OpenCV 4.6's
// HaarEvaluator and predictOrderedStump do for one window, in the same types and order.

/// The rectangle sums p0 - p1 - p2 + p3 of a chunk of windows (wrapping, as OpenCV's int sums do).
template <class K, int Step>
VG_TARGET inline typename K::I rect_sum(const int32_t *base, const int32_t *ofs) {
    return K::add(K::sub(K::sub(K::template load<Step>(base + ofs[0]), K::template load<Step>(base + ofs[1])),
                         K::template load<Step>(base + ofs[2])),
                  K::template load<Step>(base + ofs[3]));
}

/// Which of the `alive` lanes pass one stage: float feature values (multiply, then add; the
/// including file turns contraction off), leaves summed in double, OpenCV's "sum < threshold" rejects.
template <class K, int Step>
VG_TARGET inline unsigned stage_passes(const HaarCascade::Compiled &cascade, const HaarCascade::Stage &stage,
                                       const int32_t *base, typename K::F norm, unsigned alive) {
    typename K::Sum sum = K::zero();
    const HaarCascade::Stump *stump = cascade.stumps + stage.first;
    for (int i = 0; i < stage.count; ++i, ++stump) {
        typename K::F value = K::mul(K::splat(stump->weight[0]), K::to_float(rect_sum<K, Step>(base, stump->ofs)));
        value = K::plus(value, K::mul(K::splat(stump->weight[1]), K::to_float(rect_sum<K, Step>(base, stump->ofs + 4))));
        if (stump->weight[2] != 0.0f) {
            value = K::plus(value, K::mul(K::splat(stump->weight[2]), K::to_float(rect_sum<K, Step>(base, stump->ofs + 8))));
        }
        sum = K::add_leaf(sum, K::below(K::mul(value, norm), stump->threshold, stump->left, stump->right));
    }
    return alive & K::at_least(sum, static_cast<double>(stage.threshold));
}

/// At most this many live lanes go on in scalar code (haar_window_passes). Measured with sixteen
/// lanes on the shared clips against OpenCV: 4.9x with 1, 4.75x with 2, 4.3x with 4, 4.05x with none.
constexpr int scalar_lanes = 1;

template <class K, int Step>
VG_TARGET int scan_row(const HaarCascade::Compiled &cascade, const int32_t *sum, const int32_t *sqsum, int positions,
                       int32_t *hits) {
    int found = 0;
    bool skip_next = false;
    for (int first = 0; first < positions; first += K::lanes) {
        const int32_t *base = sum + first * Step;
        const int lanes = positions - first < K::lanes ? positions - first : K::lanes;
        const unsigned present = (1u << lanes) - 1u;   // lanes <= 16
        unsigned usable;
        const typename K::F norm = K::normalisation(rect_sum<K, Step>(base, cascade.nofs),
                                                    rect_sum<K, Step>(sqsum + first * Step, cascade.nofs), cascade.area, usable);
        usable &= present;
        const unsigned first_stage = stage_passes<K, Step>(cascade, cascade.stages[0], base, norm, usable);
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
        unsigned alive = first_stage & visited;
        int stage = 1;
        for (; alive != 0 && stage < cascade.nstages && __builtin_popcount(alive) > scalar_lanes; ++stage) {
            alive = stage_passes<K, Step>(cascade, cascade.stages[stage], base, norm, alive);
        }
        if (alive != 0 && stage < cascade.nstages) {
            alignas(64) float norms[K::lanes];
            K::store(norm, norms);
            unsigned survivors = 0;
            for (unsigned rest = alive; rest != 0; rest &= rest - 1) {
                const int lane = __builtin_ctz(rest);
                if (haar_window_passes(cascade, stage, base + lane * Step, norms[lane])) survivors |= 1u << lane;
            }
            alive = survivors;
        }
        for (unsigned rest = alive; rest != 0; rest &= rest - 1) hits[found++] = first + __builtin_ctz(rest);
    }
    return found;
}
