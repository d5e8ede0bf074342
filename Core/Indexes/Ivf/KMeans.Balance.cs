using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes.Ivf;

public static partial class KMeans
{
    /// <summary>The last iterations are plain Lloyd steps, so split centroids settle before training ends.</summary>
    private const int SettleIterations = 2;

    /// <summary>
    /// Bounds cluster sizes by moving centroids from sparse regions to dense ones, keeping k fixed. Every cluster
    /// above <paramref name="maxSize"/> (largest first) is split in two with a centroid freed by the cheapest merge:
    /// the centroid whose Ward cost of merging into its nearest neighbour, n_a·n_b/(n_a + n_b)·‖c_a − c_b‖², is
    /// smallest (empty clusters cost nothing). Each centroid takes part in at most one move per call, so the sizes
    /// used for the decisions stay those of the assignment just made.
    /// <para>Why: with nearest-centroid lists, IVF scan cost grows with the size-biased mean list size
    /// Σn²/N, and a query is most likely to land in the big lists; plain Lloyd from random rows leaves some
    /// centroids straddling two dense clusters. The split direction is towards a random row of the cluster, so
    /// it follows the cluster's own spread rather than an arbitrary axis.</para>
    /// <para>Deterministic: decisions depend only on sizes, centroids and the seeded <paramref name="rng"/>, with
    /// ties broken by centroid number.</para>
    /// </summary>
    private static void BalanceClusters(Random rng, ReadOnlySpan<float> data, int dim, float[] centroids, int[] sizes, int[] assign,
        int k, int maxSize, int threads, CancellationToken cancellationToken)
    {
        int oversized = 0;
        for (int c = 0; c < k; c++)
        {
            if (sizes[c] > maxSize)
                oversized++;
        }
        if (oversized == 0 || k < 3)
            return;

        var partner = new int[k];
        var partnerDistance = new float[k];
        AssignBlocked(centroids, k, dim, centroids, k, MetricType.L2, partner, partnerDistance, skipOwnNumber: true, threads, cancellationToken);
        var mergeCost = new double[k];
        for (int a = 0; a < k; a++)
        {
            long total = (long)sizes[a] + sizes[partner[a]];
            mergeCost[a] = total == 0 ? 0 : (double)sizes[a] * sizes[partner[a]] / total * partnerDistance[a];
        }
        var byCost = new int[k];
        var bySize = new int[k];
        for (int c = 0; c < k; c++)
            byCost[c] = bySize[c] = c;
        Array.Sort(byCost, (x, y) => mergeCost[x] != mergeCost[y] ? mergeCost[x].CompareTo(mergeCost[y]) : x.CompareTo(y));
        Array.Sort(bySize, (x, y) => sizes[x] != sizes[y] ? sizes[y].CompareTo(sizes[x]) : x.CompareTo(y));

        // Decide every move first; the member row each split aims at is found afterwards in one pass over the rows.
        var touched = new bool[k];
        var splitFree = new int[k];
        var splitRank = new int[k];
        Array.Fill(splitRank, -1);
        int nextMerge = 0;
        for (int i = 0; i < oversized; i++)
        {
            int big = bySize[i];
            if (touched[big])
                continue;
            int freed = -1;
            while (nextMerge < k)
            {
                int a = byCost[nextMerge++];
                int b = partner[a];
                if (!touched[a] && !touched[b] && a != big && b != big && (long)sizes[a] + sizes[b] <= maxSize)
                {
                    freed = a;
                    break;
                }
            }
            if (freed < 0)
                break;
            int keep = partner[freed];
            MergeInto(centroids, sizes, dim, freed, keep);
            splitFree[big] = freed;
            splitRank[big] = rng.Next(sizes[big]);
            touched[freed] = touched[keep] = touched[big] = true;
        }

        var seen = new int[k];
        for (int row = 0; row < assign.Length; row++)
        {
            int c = assign[row];
            if (splitRank[c] >= 0 && seen[c]++ == splitRank[c])
                Split(data.Slice(row * dim, dim), centroids, sizes, dim, c, splitFree[c]);
        }
    }

    /// <summary>Centroid <paramref name="into"/> moves to the size-weighted mean of both; <paramref name="from"/> is left free.</summary>
    private static void MergeInto(float[] centroids, int[] sizes, int dim, int from, int into)
    {
        long total = (long)sizes[from] + sizes[into];
        if (total > 0)
        {
            double wFrom = (double)sizes[from] / total;
            var src = centroids.AsSpan(from * dim, dim);
            var dst = centroids.AsSpan(into * dim, dim);
            for (int d = 0; d < dim; d++)
                dst[d] = (float)(dst[d] + (wFrom * (src[d] - dst[d])));
        }
        sizes[into] += sizes[from];
        sizes[from] = 0;
    }

    /// <summary>
    /// Splits cluster <paramref name="big"/> with the free centroid <paramref name="free"/>: both sit a small step
    /// either side of the old centroid along the direction to the member row <paramref name="member"/>, so the next
    /// assignment cuts the cluster by the hyperplane through its centroid normal to that direction.
    /// </summary>
    private static void Split(ReadOnlySpan<float> member, float[] centroids, int[] sizes, int dim, int big, int free)
    {
        const float Step = 1f / 16;
        var c = centroids.AsSpan(big * dim, dim);
        var f = centroids.AsSpan(free * dim, dim);
        for (int d = 0; d < dim; d++)
        {
            float step = Step * (member[d] - c[d]);
            f[d] = c[d] + step;
            c[d] -= step;
        }
        int half = sizes[big] / 2;
        sizes[free] = half;
        sizes[big] -= half;
    }
}
