/* The per-sample loops of narrate's take analysis and mastering, compiled.
 *
 * narrate/native.py loads this module when it was built (setup.py builds it where a C compiler is
 * found) and falls back to the numpy code otherwise; the tests hold both to the same results.
 * The true peaks, the limiter's gains and the mastered samples come from exactly the float32 and
 * float64 operations of their numpy counterparts, in the same order: a take mastered here is
 * byte-identical to one mastered by numpy. Energies are sums in double along a direct-form
 * filter, where numpy filters block by block: they agree to rounding (about 1e-13 of full scale).
 *
 * Buffers come in through the buffer protocol (numpy arrays, bytes, bytearrays): no numpy headers
 * are needed to build this. The GIL is released while the loops run.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
/* Denormal numbers flushed to zero while the K-weighting filter runs: in the digital silence of
 * a take its state decays into them, and x86 computes with them ~100 times slower (an espeak-ng
 * take analysed at 18 ns a sample instead of 9, a take with long silences at 72). They are below
 * 1e-307: no energy changes that anyone could measure. The caller's mode is restored. */
#define FLUSH_DENORMALS_BEGIN unsigned int saved_csr_ = _mm_getcsr(); _mm_setcsr(saved_csr_ | 0x8040);
#define FLUSH_DENORMALS_END _mm_setcsr(saved_csr_);
#else
#define FLUSH_DENORMALS_BEGIN
#define FLUSH_DENORMALS_END
#endif

/* Bumped with every change of a function's behaviour or signature: native.py checks it. */
#define KERNELS_VERSION 2

#define BLOCK 32   /* limiter block (narrate.limiter.BLOCK) */
#define TAPS 12    /* interpolation taps per phase, at sample offsets -5 .. +6 */
#define LEFT 5
#define PHASES 3
#define CHUNK 4096 /* samples per pass of the true-peak loop: its buffers stay in the L1/L2 cache */

/* On x86-64 Linux, GCC also compiles the true-peak and mastering loops for AVX2 and picks the
 * variant at load time; other targets use the baseline build. Without FMA contraction (setup.py
 * turns it off) both give the same floats. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define WIDE __attribute__((target_clones("avx2", "default")))
#else
#define WIDE
#endif
/* The helpers of a WIDE function are inlined into each of its variants (a call would run the
 * baseline build of the helper). */
#if defined(__GNUC__)
#define INLINE static inline __attribute__((always_inline))
#else
#define INLINE static inline
#endif

static int check_len(const char *what, Py_ssize_t have, Py_ssize_t need) {
    if (have < need) {
        PyErr_Format(PyExc_ValueError, "%s: buffer of %zd bytes, need %zd", what, have, need);
        return 0;
    }
    return 1;
}

/* Per sample n of x, the largest magnitude among x[n] and the 3 points interpolated after it,
 * reduced to the largest per block of BLOCK samples (numpy: limiter.block_true_peaks), then
 * divided by `scale`. */
WIDE static int block_true_peaks(const float *x, Py_ssize_t n, const float *ph, float scale, float *peaks) {
    float *pad = malloc((CHUNK + TAPS - 1) * sizeof(float));
    float *best = malloc(CHUNK * sizeof(float));
    if (!pad || !best) {
        free(pad); free(best);
        return 0;
    }
    Py_ssize_t nb = (n + BLOCK - 1) / BLOCK;
    for (Py_ssize_t b = 0; b < nb; b++) peaks[b] = 0.0f;
    for (Py_ssize_t lo = 0; lo < n; lo += CHUNK) {
        Py_ssize_t m = n - lo < CHUNK ? n - lo : CHUNK;
        for (Py_ssize_t j = 0; j < m + TAPS - 1; j++) {
            Py_ssize_t k = lo - LEFT + j;
            pad[j] = (k >= 0 && k < n) ? x[k] : 0.0f;
        }
        /* Per sample, the 3 phases' multiply-adds in registers, in numpy's order (tap 0 first). */
        for (Py_ssize_t i = 0; i < m; i++) {
            float b = fabsf(pad[i + LEFT]);
            for (int p = 0; p < PHASES; p++) {
                const float *h = ph + p * TAPS;
                float a = pad[i] * h[0];
                for (int t = 1; t < TAPS; t++) a += pad[i + t] * h[t];
                a = fabsf(a);
                b = b > a ? b : a;
            }
            best[i] = b;
        }
        /* CHUNK is a multiple of BLOCK: blocks never straddle two chunks. */
        for (Py_ssize_t i = 0; i < m; i += BLOCK) {
            Py_ssize_t e = i + BLOCK < m ? i + BLOCK : m;
            float top = 0.0f;
            for (Py_ssize_t j = i; j < e; j++) top = best[j] > top ? best[j] : top;
            peaks[(lo + i) / BLOCK] = top / scale;
        }
    }
    free(pad); free(best);
    return 1;
}

/* analyse(x, sos, phases, piece, peaks, block_energy, piece_energy) -> sumsq
 *
 * x: float32 samples in int16 units (a prepared take). sos: 2 x 6 float64 rows b0 b1 b2 a0 a1 a2
 * (the K-weighting). phases: 3 x 12 float32 interpolation filters. Writes, per BLOCK samples, the
 * largest true peak (float32, full scale 1) and the K-weighted energy (float32); per `piece`
 * samples the K-weighted energy (float64). Returns the unweighted sum of squares (full scale 1).
 */
static PyObject *analyse(PyObject *self, PyObject *args) {
    Py_buffer xb, sosb, phb, pkb, beb, peb;
    Py_ssize_t piece;
    if (!PyArg_ParseTuple(args, "y*y*y*nw*w*w*", &xb, &sosb, &phb, &piece, &pkb, &beb, &peb)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = xb.len / (Py_ssize_t)sizeof(float);
    Py_ssize_t nb = (n + BLOCK - 1) / BLOCK;
    Py_ssize_t np_ = piece > 0 ? (n + piece - 1) / piece : 0;
    if (piece <= 0) {
        PyErr_SetString(PyExc_ValueError, "piece must be positive");
        goto done;
    }
    if (!check_len("sos", sosb.len, 12 * sizeof(double)) || !check_len("phases", phb.len, PHASES * TAPS * sizeof(float)) ||
        !check_len("peaks", pkb.len, nb * sizeof(float)) || !check_len("block_energy", beb.len, nb * sizeof(float)) ||
        !check_len("piece_energy", peb.len, np_ * sizeof(double)))
        goto done;
    const float *x = xb.buf;
    const double *sos = sosb.buf;
    float *peaks = pkb.buf, *benergy = beb.buf;
    double *penergy = peb.buf;
    double sumsq = 0.0;
    int ok;
    Py_BEGIN_ALLOW_THREADS
    ok = block_true_peaks(x, n, phb.buf, 32768.0f, peaks);
    double *sq = ok ? malloc(CHUNK * sizeof(double)) : NULL;
    ok = sq != NULL;
    if (ok) {
        FLUSH_DENORMALS_BEGIN
        double c[2][5];
        for (int s = 0; s < 2; s++) {
            const double *r = sos + 6 * s;
            c[s][0] = r[0] / r[3]; c[s][1] = r[1] / r[3]; c[s][2] = r[2] / r[3];
            c[s][3] = r[4] / r[3]; c[s][4] = r[5] / r[3];
        }
        double z00 = 0.0, z01 = 0.0, z10 = 0.0, z11 = 0.0, psum = 0.0;
        Py_ssize_t pfill = 0, pi = 0;
        for (Py_ssize_t lo = 0; lo < n; lo += CHUNK) {
            Py_ssize_t m = n - lo < CHUNK ? n - lo : CHUNK;
            for (Py_ssize_t i = 0; i < m; i++) {  /* two sections in transposed direct form II */
                double u = (double)x[lo + i] / 32768.0;
                sumsq += u * u;
                double y = c[0][0] * u + z00;
                z00 = c[0][1] * u - c[0][3] * y + z01;
                z01 = c[0][2] * u - c[0][4] * y;
                double w = c[1][0] * y + z10;
                z10 = c[1][1] * y - c[1][3] * w + z11;
                z11 = c[1][2] * y - c[1][4] * w;
                sq[i] = w * w;
            }
            for (Py_ssize_t i = 0; i < m; i += BLOCK) {  /* CHUNK is a multiple of BLOCK */
                Py_ssize_t e = i + BLOCK < m ? i + BLOCK : m;
                double b = 0.0;
                for (Py_ssize_t j = i; j < e; j++) b += sq[j];
                benergy[(lo + i) / BLOCK] = (float)b;
            }
            for (Py_ssize_t i = 0; i < m;) {
                Py_ssize_t take = piece - pfill < m - i ? piece - pfill : m - i;
                for (Py_ssize_t j = i; j < i + take; j++) psum += sq[j];
                i += take;
                pfill += take;
                if (pfill == piece) {
                    penergy[pi++] = psum;
                    psum = 0.0;
                    pfill = 0;
                }
            }
        }
        if (pfill) penergy[pi] = psum;
        FLUSH_DENORMALS_END
    }
    free(sq);
    Py_END_ALLOW_THREADS
    if (!ok) {
        PyErr_NoMemory();
        goto done;
    }
    result = PyFloat_FromDouble(sumsq);
done:
    PyBuffer_Release(&xb); PyBuffer_Release(&sosb); PyBuffer_Release(&phb);
    PyBuffer_Release(&pkb); PyBuffer_Release(&beb); PyBuffer_Release(&peb);
    return result;
}

/* Round half to even, clipped to int16 (clipping first gives the same: the bounds are whole).
 * Adding and subtracting 1.5 * 2^23 rounds a float below 2^22 in magnitude to a whole number in
 * the default rounding mode (half to even, numpy's rint), and unlike lrintf it vectorizes. */
INLINE int16_t to_pcm(float v) {
    v = v < -32768.0f ? -32768.0f : v;
    v = v > 32767.0f ? 32767.0f : v;
    v = (v + 12582912.0f) - 12582912.0f;
    return (int16_t)(int32_t)v;
}

/* Samples [i0, i1) with the gain only: the bulk of a take, vectorized (eight partial sums). */
INLINE double store(const float *v, Py_ssize_t m, int16_t *out) {
    float part[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    double sum = 0.0;
    Py_ssize_t j = 0;
    for (Py_ssize_t t = 0; t < m; t++) out[t] = to_pcm(v[t]);
    for (; j + 8 <= m; j += 8)
        for (int l = 0; l < 8; l++) part[l] += v[j + l] * v[j + l];
    for (; j < m; j++) sum += (double)v[j] * v[j];
    return sum + (((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7])));
}

INLINE double master_plain(const int16_t *s, Py_ssize_t i0, Py_ssize_t i1, float gain, int16_t *out) {
    float v[256];
    double sum = 0.0;
    for (Py_ssize_t lo = i0; lo < i1; lo += 256) {
        Py_ssize_t m = i1 - lo < 256 ? i1 - lo : 256;
        for (Py_ssize_t t = 0; t < m; t++) v[t] = (float)s[lo + t] * gain;
        sum += store(v, m, out + lo);
    }
    return sum;
}

/* A ramped block clear of the fades: (sample * gain) * (d * frac + a), as numpy multiplies. */
INLINE double master_ramp(const int16_t *s, Py_ssize_t i0, Py_ssize_t m, float gain, float a, float d,
                                 const float *frac, int16_t *out) {
    float v[BLOCK];
    for (Py_ssize_t t = 0; t < m; t++) {
        float r = d * frac[t];
        r += a;
        v[t] = ((float)s[i0 + t] * gain) * r;
    }
    return store(v, m, out + i0);
}

/* Samples [i0, i1) with the gain, the fades where they fall, and the ramp (a, d) of the block
 * starting at `b0` when `ramp`: numpy's order of operations, one sample at a time. */
INLINE double master_edge(const int16_t *s, Py_ssize_t i0, Py_ssize_t i1, Py_ssize_t size, float gain,
                                 const float *curve, Py_ssize_t nf, int ramp, Py_ssize_t b0, float a, float d,
                                 const float *frac, int16_t *out) {
    double sum = 0.0;
    for (Py_ssize_t i = i0; i < i1; i++) {
        float v = (float)s[i] * gain;
        if (i < nf) v *= curve[i];
        if (i >= size - nf) v *= curve[size - 1 - i];
        if (ramp) {
            float r = d * frac[i - b0];
            r += a;
            v *= r;
        }
        sum += (double)v * v;
        out[i] = to_pcm(v);
    }
    return sum;
}

/* The whole take: ramped blocks (sorted) and the fades one sample at a time, the rest in bulk. */
WIDE static double master_run(const int16_t *s, Py_ssize_t size, float gain, const float *curve, Py_ssize_t nf,
                              const int64_t *blocks, const double *bs, const double *be, Py_ssize_t k,
                              const float *frac, int16_t *out) {
    double sumsq = 0.0;
    Py_ssize_t i = 0, next = 0;
    while (i < size) {
        Py_ssize_t b = i / BLOCK;
        if (next < k && blocks[next] == b) {  /* a ramped block (i is at its start) */
            Py_ssize_t e = (b + 1) * BLOCK < size ? (b + 1) * BLOCK : size;
            float a = (float)bs[next], d = (float)be[next] - a;
            if (i >= nf && e <= size - nf)
                sumsq += master_ramp(s, i, e - i, gain, a, d, frac, out);
            else
                sumsq += master_edge(s, i, e, size, gain, curve, nf, 1, b * BLOCK, a, d, frac, out);
            next++;
            i = e;
            continue;
        }
        /* up to the next ramped block, the fade-out, or the end of the fade-in */
        Py_ssize_t stop = next < k ? (Py_ssize_t)blocks[next] * BLOCK : size;
        if (i < nf) {
            Py_ssize_t e = nf < stop ? nf : stop;
            sumsq += master_edge(s, i, e, size, gain, curve, nf, 0, 0, 0.0f, 0.0f, frac, out);
            i = e;
            continue;
        }
        Py_ssize_t tail = size - nf;
        if (i >= tail) {
            sumsq += master_edge(s, i, stop, size, gain, curve, nf, 0, 0, 0.0f, 0.0f, frac, out);
            i = stop;
            continue;
        }
        Py_ssize_t e = tail < stop ? tail : stop;
        sumsq += master_plain(s, i, e, gain, out);
        i = e;
    }
    return sumsq;
}

/* master(samples, start, end, gain, curve, blocks, bstart, bstop, frac, out) -> sumsq
 *
 * The take's int16 samples[start:end] times `gain` (float32), faded in and out by `curve`
 * (float32, n values: x[:n] *= curve, x[-n:] *= curve reversed), each limiter block in `blocks`
 * (int64) scaled by the ramp a + (b - a) * frac in float32 (a, b: bstart, bstop, float64 rounded
 * to float32, as Envelope.rows does), then rounded half to
 * even, clipped and stored as int16 in `out`. Returns the sum of squares of the float samples
 * before rounding (int16 units). numpy: audio.prepare_samples, limiter.Envelope.apply, to_int16.
 */
static PyObject *master(PyObject *self, PyObject *args) {
    Py_buffer sb, cb, blb, b0b, b1b, fb, ob;
    Py_ssize_t start, end;
    float gain;
    if (!PyArg_ParseTuple(args, "y*nnfy*y*y*y*y*w*", &sb, &start, &end, &gain, &cb, &blb, &b0b, &b1b, &fb, &ob)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t total = sb.len / 2, size = end - start;
    Py_ssize_t nf = cb.len / (Py_ssize_t)sizeof(float), k = blb.len / (Py_ssize_t)sizeof(int64_t);
    if (start < 0 || end > total || size < 0) {
        PyErr_Format(PyExc_ValueError, "range %zd:%zd outside a take of %zd samples", start, end, total);
        goto done;
    }
    if (2 * nf > size) {
        PyErr_SetString(PyExc_ValueError, "fade longer than half the take");
        goto done;
    }
    if (!check_len("bstart", b0b.len, k * sizeof(double)) || !check_len("bstop", b1b.len, k * sizeof(double)) ||
        !check_len("frac", fb.len, BLOCK * sizeof(float)) || !check_len("out", ob.len, size * 2))
        goto done;
    const int64_t *blocks = blb.buf;
    for (Py_ssize_t j = 0; j < k; j++) {
        if (blocks[j] < 0 || blocks[j] * BLOCK >= size || (j && blocks[j] <= blocks[j - 1])) {
            PyErr_Format(PyExc_ValueError, "limiter block %lld outside the take or out of order", (long long)blocks[j]);
            goto done;
        }
    }
    const int16_t *s = (const int16_t *)sb.buf + start;
    const float *curve = cb.buf, *frac = fb.buf;
    const double *bs = b0b.buf, *be = b1b.buf;
    int16_t *out = ob.buf;
    double sumsq;
    Py_BEGIN_ALLOW_THREADS
    sumsq = master_run(s, size, gain, curve, nf, blocks, bs, be, k, frac, out);
    Py_END_ALLOW_THREADS
    result = PyFloat_FromDouble(sumsq);
done:
    PyBuffer_Release(&sb); PyBuffer_Release(&cb); PyBuffer_Release(&blb); PyBuffer_Release(&b0b);
    PyBuffer_Release(&b1b); PyBuffer_Release(&fb); PyBuffer_Release(&ob);
    return result;
}


/* limit(peaks, block_energy, threshold, reach, size, frac_mean, frac_sq_mean,
 *       blocks, starts, stops, delta) -> (count, peak_after)
 *
 * The limiter's envelope for a take of `size` samples from its block true peaks (float32, full
 * scale 1): numpy's limiter.envelope step for step (the hold is a running minimum over 2 reach + 1
 * blocks, the smoothing a running mean over 2 reach - 3 from a sequential cumulative sum), so the
 * gains are the same to the bit. Writes the touched blocks (int64) with the gain at their start and
 * stop edges (float64) and returns how many there are and the largest block peak once they are
 * scaled. `delta` (float64, one per piece of the take, zeroed by the caller) receives how the
 * K-weighted energy per piece changes (numpy: limiter.energy_delta; equal within rounding).
 */
static PyObject *limit(PyObject *self, PyObject *args) {
    Py_buffer pb, eb, blb, sb, tb, db;
    double threshold, fm, fsm;
    Py_ssize_t reach, size, piece;
    if (!PyArg_ParseTuple(args, "y*y*dnnnddw*w*w*w*", &pb, &eb, &threshold, &reach, &size, &piece, &fm, &fsm,
                          &blb, &sb, &tb, &db))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t nb = pb.len / (Py_ssize_t)sizeof(float), nd = db.len / (Py_ssize_t)sizeof(double);
    if (reach < 3 || piece <= 0 || nd <= 0 || (size + BLOCK - 1) / BLOCK != nb) {
        PyErr_SetString(PyExc_ValueError, "limit: inconsistent reach, piece or sizes");
        goto done;
    }
    if (!check_len("block_energy", eb.len, nb * sizeof(float)) || !check_len("blocks", blb.len, nb * sizeof(int64_t)) ||
        !check_len("starts", sb.len, nb * sizeof(double)) || !check_len("stops", tb.len, nb * sizeof(double)))
        goto done;
    const float *peaks = pb.buf, *benergy = eb.buf;
    int64_t *blocks = blb.buf;
    double *starts = sb.buf, *stops = tb.buf, *delta = db.buf;
    const float thr32 = (float)threshold;
    Py_ssize_t first = -1, last = -1;
    for (Py_ssize_t b = 0; b < nb; b++) {
        if (peaks[b] > thr32) {
            if (first < 0) first = b;
            last = b;
        }
    }
    float top = 0.0f;
    Py_ssize_t count = 0;
    if (first >= 0) {
        Py_ssize_t lo = first - 2 * reach - 1 > 0 ? first - 2 * reach - 1 : 0;
        Py_ssize_t hi = last + 2 * reach + 2 < nb ? last + 2 * reach + 2 : nb;
        Py_ssize_t L = hi - lo, hh = reach, wm = 2 * reach - 3, hm = wm / 2;
        double *need = malloc(L * sizeof(double)), *held = malloc(L * sizeof(double));
        double *c = malloc((L + 2 * hm + 1) * sizeof(double)), *edges = malloc((L + 1) * sizeof(double));
        if (!need || !held || !c || !edges) {
            free(need); free(held); free(c); free(edges);
            PyErr_NoMemory();
            goto done;
        }
        for (Py_ssize_t i = 0; i < L; i++)
            need[i] = peaks[lo + i] > thr32 ? threshold / (double)peaks[lo + i] : 1.0;
        /* hold: the minimum over i +- reach, 1 beyond the ends; only blocks under 1 lower it */
        for (Py_ssize_t i = 0; i < L; i++) held[i] = 1.0;
        for (Py_ssize_t i = 0; i < L; i++) {
            double v = need[i];
            if (v >= 1.0) continue;
            Py_ssize_t j0 = i - hh > 0 ? i - hh : 0, j1 = i + hh < L - 1 ? i + hh : L - 1;
            for (Py_ssize_t j = j0; j <= j1; j++) held[j] = v < held[j] ? v : held[j];
        }
        c[0] = 0.0;  /* smoothing: mean over wm, end values repeated, from a cumulative sum */
        for (Py_ssize_t i = 0; i < L + 2 * hm; i++) {
            Py_ssize_t j = i - hm;
            c[i + 1] = c[i] + held[j < 0 ? 0 : (j >= L ? L - 1 : j)];
        }
        double *smooth = need;  /* need is no longer needed */
        for (Py_ssize_t i = 0; i < L; i++) {
            double v = (c[i + wm] - c[i]) / (double)wm;
            smooth[i] = v > 1 - 1e-9 ? 1.0 : v * (1 - 1e-6);
        }
        edges[0] = smooth[0];
        edges[L] = smooth[L - 1];
        for (Py_ssize_t i = 1; i < L; i++) edges[i] = (smooth[i - 1] + smooth[i]) * 0.5;
        Py_ssize_t full = size / BLOCK, tail = size - full * BLOCK;
        Py_ssize_t p0 = (lo * BLOCK) / piece;  /* the piece a block starts in, followed as blocks advance */
        for (Py_ssize_t i = 0; i < L; i++) {
            double a = edges[i], z = edges[i + 1];
            if ((a < z ? a : z) >= 1.0) continue;
            Py_ssize_t b = lo + i;
            blocks[count] = b;
            starts[count] = a;
            stops[count] = z;
            count++;
            double d = z - a, f;
            if (tail && b == full) {  /* the take's short last block: its own mean of the squared ramp */
                f = 0.0;
                for (Py_ssize_t j = 0; j < tail; j++) {
                    double r = a + d * ((j + 0.5) / BLOCK);
                    f += r * r;
                }
                f /= (double)tail;
            } else {
                f = a * a + 2 * a * d * fm + d * d * fsm;
            }
            double change = (double)benergy[b] * (f - 1.0);
            Py_ssize_t start = b * BLOCK;
            while ((p0 + 1) * piece <= start) p0++;  /* start / piece, without a division per block */
            Py_ssize_t over = start + BLOCK - (p0 + 1) * piece;
            double spill = (over < 0 ? 0 : (over > BLOCK ? BLOCK : over)) / (double)BLOCK;
            delta[p0 < nd - 1 ? p0 : nd - 1] += change * (1.0 - spill);
            delta[p0 + 1 < nd - 1 ? p0 + 1 : nd - 1] += change * spill;
        }
        free(need); free(held); free(c); free(edges);
    }
    /* The largest block peak with the touched blocks scaled by their larger edge gain (float32). */
    Py_ssize_t j = 0;
    for (Py_ssize_t b = 0; b < nb; b++) {
        float v = peaks[b];
        if (j < count && blocks[j] == b) {
            double g = starts[j] > stops[j] ? starts[j] : stops[j];
            v = v * (float)g;
            j++;
        }
        top = v > top ? v : top;
    }
    result = Py_BuildValue("nd", count, (double)top);
done:
    PyBuffer_Release(&pb); PyBuffer_Release(&eb); PyBuffer_Release(&blb); PyBuffer_Release(&sb);
    PyBuffer_Release(&tb); PyBuffer_Release(&db);
    return result;
}

/* spread(energies, offset, length, n, piece, scale, run, rest)
 *
 * A take's K-weighted energies per piece (pieces of `piece` samples from sample `offset`, the
 * take `length` samples long) laid on the track's sub-blocks of `n` samples: a piece straddling
 * two sub-blocks gives each its share by overlap. `run` (zeroed, float64) gets the sums from
 * sub-block offset // n on; `rest` (zeroed, same size) is scratch. numpy: LoudnessMeter.add_chunks,
 * whose two bincounts add in this same order, so the sums are the same to the bit.
 */
static PyObject *spread(PyObject *self, PyObject *args) {
    Py_buffer eb, rb, tb;
    Py_ssize_t offset, length, n, piece;
    double scale;
    if (!PyArg_ParseTuple(args, "y*nnnndw*w*", &eb, &offset, &length, &n, &piece, &scale, &rb, &tb)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t ne = eb.len / (Py_ssize_t)sizeof(double), size = rb.len / (Py_ssize_t)sizeof(double);
    if (n <= 0 || piece <= 0 || offset < 0 || ne == 0) {
        PyErr_SetString(PyExc_ValueError, "spread: bad sizes");
        goto done;
    }
    Py_ssize_t base = offset / n, need = (offset + piece * (ne - 1)) / n - base + 2;
    if (size != need || tb.len != rb.len) {
        PyErr_Format(PyExc_ValueError, "spread: run of %zd sub-blocks, need %zd", size, need);
        goto done;
    }
    const double *e = eb.buf;
    double *run = rb.buf, *rest = tb.buf;
    Py_ssize_t end = offset + (length > 1 ? length : 1);
    for (Py_ssize_t i = 0; i < ne; i++) {
        Py_ssize_t start = offset + piece * i, stop = start + piece < end ? start + piece : end;
        Py_ssize_t first = start / n, edge = (first + 1) * n < stop ? (first + 1) * n : stop;
        Py_ssize_t span = stop - start > 1 ? stop - start : 1;
        double share = (double)(edge - start) / (double)span, v = e[i] * scale;
        run[first - base] += v * share;
        rest[first - base] += v * (1.0 - share);
    }
    for (Py_ssize_t i = 1; i < size; i++) run[i] += rest[i - 1];
    result = PyLong_FromSsize_t(base);
done:
    PyBuffer_Release(&eb); PyBuffer_Release(&rb); PyBuffer_Release(&tb);
    return result;
}

static PyMethodDef methods[] = {
    {"analyse", analyse, METH_VARARGS, "Block true peaks, block and piece K-weighted energies and the sum of squares of a prepared take."},
    {"master", master, METH_VARARGS, "Trim, gain, fade, limit and convert one take to int16; returns its sum of squares."},
    {"limit", limit, METH_VARARGS, "The limiter's envelope of one take from its block peaks, with the energy change per piece."},
    {"spread", spread, METH_VARARGS, "A take's energies per piece laid on the track's sub-blocks."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernels", "narrate's compiled per-sample loops.", -1, methods};

PyMODINIT_FUNC PyInit__kernels(void) {
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "VERSION", KERNELS_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
