using System.Numerics;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes.Ivf;

/// <summary>
/// Lloyd's k-means under squared L2, used for the IVF coarse quantizer and the PQ codebooks.
/// <para>Deterministic for a seed: the sample, the initial centroids (distinct random sample rows) and the
/// empty-cluster splits come from one seeded <see cref="Random"/>; assignments are computed per row with the
/// block kernel (scores do not depend on how rows are grouped into chunks or threads), and centroid sums are
/// accumulated in row order in doubles, so the result does not depend on <c>threads</c>. The optional size
/// balancing (KMeans.Balance.cs) is sequential and uses the same seeded <see cref="Random"/>.</para>
/// </summary>
public static partial class KMeans
{
    /// <summary>Rows per parallel assignment chunk (a multiple of 4 for the 4-query kernel).</summary>
    private const int ChunkRows = 256;

    /// <summary>
    /// Trains <paramref name="k"/> centroids (k × dim floats, row-major) on <paramref name="count"/> rows.
    /// k is clamped to the number of rows. With fewer than k distinct rows some centroids coincide.
    /// </summary>
    /// <param name="spherical">spherical k-means: centroids are kept at unit length and rows go to the centroid
    /// with the largest inner product (the IVF partition for IP and COSINE); otherwise plain L2 k-means.</param>
    /// <param name="maxClusterFactor">when positive, clusters larger than this many times the mean size are split
    /// during training, each with a centroid freed by the cheapest merge (see <see cref="BalanceClusters"/>).</param>
    public static float[] Train(ReadOnlySpan<float> rows, int count, int dim, int k, int iterations, int seed, int threads,
        bool spherical = false, double maxClusterFactor = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if ((long)rows.Length < (long)count * dim)
            throw new ArgumentException($"rows hold {rows.Length} values, need {count} x {dim}", nameof(rows));
        k = Math.Min(k, count);
        var rng = new Random(seed);
        var centroids = new float[k * dim];
        int[] init = SampleIndices(rng, count, k);
        for (int c = 0; c < k; c++)
            rows.Slice(init[c] * dim, dim).CopyTo(centroids.AsSpan(c * dim, dim));
        if (spherical)
            NormalizeRows(centroids, k, dim);
        if (k == count)
            return centroids;
        var metric = spherical ? MetricType.IP : MetricType.L2;

        var data = rows[..(count * dim)];
        var assign = new int[count];
        var sums = new double[k * dim];
        var sizes = new int[k];
        for (int it = 0; it < iterations; it++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Assign(data, count, dim, centroids, k, metric, assign, threads, cancellationToken);
            Array.Clear(sums);
            Array.Clear(sizes);
            for (int i = 0; i < count; i++)
            {
                int c = assign[i];
                sizes[c]++;
                var row = data.Slice(i * dim, dim);
                var sum = sums.AsSpan(c * dim, dim);
                for (int d = 0; d < dim; d++)
                    sum[d] += row[d];
            }
            for (int c = 0; c < k; c++)
            {
                if (sizes[c] == 0)
                    continue;
                double inv = 1.0 / sizes[c];
                var sum = sums.AsSpan(c * dim, dim);
                var cen = centroids.AsSpan(c * dim, dim);
                for (int d = 0; d < dim; d++)
                    cen[d] = (float)(sum[d] * inv);
            }
            if (maxClusterFactor > 0 && it < iterations - SettleIterations)
            {
                int maxSize = (int)Math.Max(1, Math.Ceiling(maxClusterFactor * count / k));
                BalanceClusters(rng, data, dim, centroids, sizes, assign, k, maxSize, threads, cancellationToken);
            }
            SplitEmptyClusters(rng, centroids, sizes, k, dim);
            if (spherical)
                NormalizeRows(centroids, k, dim);
        }
        return centroids;
    }

    private static void NormalizeRows(float[] rows, int count, int dim)
    {
        for (int i = 0; i < count; i++)
            Distance.Normalize(rows.AsSpan(i * dim, dim));
    }

    /// <summary>
    /// Nearest centroid of every row: smallest L2 distance for <see cref="MetricType.L2"/>, largest inner product
    /// for IP. Ties go to the smaller centroid number.
    /// </summary>
    public static unsafe void Assign(ReadOnlySpan<float> rows, int count, int dim, ReadOnlySpan<float> centroids, int k, MetricType metric,
        Span<int> assign, int threads, CancellationToken cancellationToken = default)
    {
        if (count == 0)
            return;
        if ((long)rows.Length < (long)count * dim || (long)centroids.Length < (long)k * dim || assign.Length < count)
            throw new ArgumentException("rows, centroids or assign are shorter than count, k and dim require");
        if (metric == MetricType.L2 && dim <= SmallDim && Vector.IsHardwareAccelerated)
        {
            AssignSmallDim(rows, count, dim, centroids, k, assign, threads, cancellationToken);
            return;
        }
        AssignBlocked(rows, count, dim, centroids, k, metric, assign, default, skipOwnNumber: false, threads, cancellationToken);
    }

    /// <summary>
    /// The block-kernel assignment: rows scored against all centroids <see cref="ChunkRows"/> rows at a time in
    /// parallel, the best per row kept (ties: smaller centroid number) with its score when
    /// <paramref name="bestScores"/> is not empty. <paramref name="skipOwnNumber"/>: row i never picks centroid i
    /// (the nearest other centroid, when the rows are the centroids; needs k ≥ 2).
    /// </summary>
    private static unsafe void AssignBlocked(ReadOnlySpan<float> rows, int count, int dim, ReadOnlySpan<float> centroids, int k, MetricType metric,
        Span<int> assign, Span<float> bestScores, bool skipOwnNumber, int threads, CancellationToken cancellationToken)
    {
        fixed (float* rowPtr = rows)
        fixed (float* cenPtr = centroids)
        fixed (int* outPtr = assign)
        fixed (float* scorePtr = bestScores)
        {
            // Spans cannot be captured by the parallel body; the pinned addresses can.
            nint r = (nint)rowPtr, cen = (nint)cenPtr, dst = (nint)outPtr, dstScores = (nint)scorePtr;
            int chunks = (count + ChunkRows - 1) / ChunkRows;
            var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancellationToken };
            Parallel.For(0, chunks, options,
                () => new float[ChunkRows * k],
                (chunk, _, scores) =>
                {
                    int start = chunk * ChunkRows;
                    int n = Math.Min(ChunkRows, count - start);
                    var chunkRows = new ReadOnlySpan<float>((float*)r + ((nint)start * dim), n * dim);
                    var centroidRows = new ReadOnlySpan<float>((float*)cen, k * dim);
                    Distance.ComputeBlockMany(metric, chunkRows, centroidRows, dim, k, scores);
                    bool smaller = metric == MetricType.L2;
                    int* result = (int*)dst;
                    for (int j = 0; j < n; j++)
                    {
                        var s = scores.AsSpan(j * k, k);
                        if (skipOwnNumber)
                            s[start + j] = smaller ? float.PositiveInfinity : float.NegativeInfinity;
                        int best = 0;
                        float bestScore = s[0];
                        for (int c = 1; c < s.Length; c++)
                        {
                            float v = s[c];
                            if (smaller ? v < bestScore : v > bestScore)
                            {
                                best = c;
                                bestScore = v;
                            }
                        }
                        result[start + j] = best;
                        if (dstScores != 0)
                            ((float*)dstScores)[start + j] = bestScore;
                    }
                    return scores;
                },
                _ => { });
        }
    }

    /// <summary>Up to this many dimensions (PQ sub-vectors), assignment uses the centroid-parallel kernel below.</summary>
    private const int SmallDim = 32;

    /// <summary>
    /// L2 assignment for short vectors (PQ sub-vectors): centroids transposed to dim × k, and each row scored against
    /// <see cref="Vector{T}.Count"/> centroids per step, keeping a per-lane running minimum and its index. A
    /// per-centroid kernel call would cost more in overhead than the handful of flops it does at these dims.
    /// Ties go to the smaller centroid number, as in the general path.
    /// </summary>
    private static unsafe void AssignSmallDim(ReadOnlySpan<float> rows, int count, int dim, ReadOnlySpan<float> centroids, int k,
        Span<int> assign, int threads, CancellationToken cancellationToken)
    {
        int lanes = Vector<float>.Count;
        int kPadded = (k + lanes - 1) / lanes * lanes;
        var transposed = new float[dim * kPadded];
        // Padding centroids sit far away (their distance overflows to +inf), so they never win.
        transposed.AsSpan().Fill(1e30f);
        for (int c = 0; c < k; c++)
        {
            for (int d = 0; d < dim; d++)
                transposed[(d * kPadded) + c] = centroids[(c * dim) + d];
        }
        fixed (float* rowPtr = rows)
        fixed (int* outPtr = assign)
        {
            nint r = (nint)rowPtr, dst = (nint)outPtr;
            int chunks = (count + ChunkRows - 1) / ChunkRows;
            var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancellationToken };
            Parallel.For(0, chunks, options, chunk =>
            {
                int start = chunk * ChunkRows;
                int end = Math.Min(count, start + ChunkRows);
                var t = transposed.AsSpan();
                var lane = new Vector<int>(Lanes());
                for (int i = start; i < end; i++)
                {
                    float* x = (float*)r + ((nint)i * dim);
                    var best = new Vector<float>(float.PositiveInfinity);
                    var bestIndex = Vector<int>.Zero;
                    for (int j = 0; j < kPadded; j += lanes)
                    {
                        var acc = Vector<float>.Zero;
                        for (int d = 0; d < dim; d++)
                        {
                            var diff = new Vector<float>(t.Slice((d * kPadded) + j, lanes)) - new Vector<float>(x[d]);
                            acc = Vector.FusedMultiplyAdd(diff, diff, acc);
                        }
                        var less = Vector.LessThan(acc, best);
                        best = Vector.ConditionalSelect(less, acc, best);
                        bestIndex = Vector.ConditionalSelect(less, lane + new Vector<int>(j), bestIndex);
                    }
                    int winner = int.MaxValue;
                    float winnerScore = float.PositiveInfinity;
                    for (int l = 0; l < lanes; l++)
                    {
                        float s = best[l];
                        int idx = bestIndex[l];
                        if (s < winnerScore || (s == winnerScore && idx < winner))
                        {
                            winnerScore = s;
                            winner = idx;
                        }
                    }
                    ((int*)dst)[i] = winner == int.MaxValue ? 0 : winner;
                }
            });
        }
    }

    private static int[] Lanes()
    {
        var lanes = new int[Vector<int>.Count];
        for (int i = 0; i < lanes.Length; i++)
            lanes[i] = i;
        return lanes;
    }

    /// <summary><paramref name="take"/> distinct indices from [0, n), in random order (partial Fisher–Yates).</summary>
    public static int[] SampleIndices(Random rng, int n, int take)
    {
        take = Math.Min(take, n);
        if (take * 4L < n)
        {
            // Sparse sample: rejection against a set keeps memory at O(take) for big n.
            var seen = new HashSet<int>();
            var result = new int[take];
            int filled = 0;
            while (filled < take)
            {
                int i = rng.Next(n);
                if (seen.Add(i))
                    result[filled++] = i;
            }
            return result;
        }
        var perm = new int[n];
        for (int i = 0; i < n; i++)
            perm[i] = i;
        for (int i = 0; i < take; i++)
        {
            int j = rng.Next(i, n);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        return perm[..take];
    }

    /// <summary>
    /// An empty centroid takes over half of a big cluster: it copies a cluster chosen with probability
    /// proportional to its size and both copies move apart by a small relative perturbation, so the next
    /// assignment splits that cluster between them (faiss handles empty clusters the same way).
    /// </summary>
    private static void SplitEmptyClusters(Random rng, float[] centroids, int[] sizes, int k, int dim)
    {
        const float Eps = 1f / 1024;
        long total = 0;
        foreach (int s in sizes)
            total += s;
        for (int c = 0; c < k; c++)
        {
            if (sizes[c] != 0)
                continue;
            int donor = 0;
            while (true)
            {
                // Pick a donor with probability (size - 1) / (total - k): a cluster of one cannot be split.
                long r = (long)(rng.NextDouble() * total);
                long acc = 0;
                for (donor = 0; donor < k; donor++)
                {
                    acc += sizes[donor];
                    if (r < acc)
                        break;
                }
                if (donor < k && sizes[donor] > 1)
                    break;
            }
            var src = centroids.AsSpan(donor * dim, dim);
            var dst = centroids.AsSpan(c * dim, dim);
            src.CopyTo(dst);
            for (int d = 0; d < dim; d++)
            {
                if ((d & 1) == 0)
                {
                    dst[d] *= 1 + Eps;
                    src[d] *= 1 - Eps;
                }
                else
                {
                    dst[d] *= 1 - Eps;
                    src[d] *= 1 + Eps;
                }
            }
            int half = sizes[donor] / 2;
            sizes[c] = half;
            sizes[donor] -= half;
        }
    }
}
