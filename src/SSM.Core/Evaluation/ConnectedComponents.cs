namespace SSM.Core.Evaluation;

/// <summary>
/// Labels the connected regions of a binary mask with 8-connectivity (diagonal neighbours join),
/// the same as <c>scipy.ndimage.label(mask, structure=np.ones((3, 3)))</c>, which is what MVTec AD's
/// evaluation code and anomalib use to split ground truth into defects for PRO. (scipy's default
/// structure is 4-connected; the full 3×3 one is chosen there so that a thin diagonal scratch is one defect.)
/// </summary>
internal static class ConnectedComponents
{
    /// <summary>
    /// Writes -1 to <paramref name="labels"/> for background and, for foreground, the region index
    /// <c>regionSizes.Count</c> at the moment the region is found; appends each region's pixel count to
    /// <paramref name="regionSizes"/>. <paramref name="stack"/> is scratch space of at least height × width ints,
    /// passed in so one buffer serves many images. Returns the number of regions found.
    /// </summary>
    public static int Label(ReadOnlySpan<bool> mask, int height, int width, Span<int> labels, List<int> regionSizes, int[] stack)
    {
        int n = height * width;
        labels[..n].Fill(-1);
        int found = 0;
        for (int seed = 0; seed < n; seed++)
        {
            if (!mask[seed] || labels[seed] >= 0) continue;
            int id = regionSizes.Count, size = 0, top = 0;
            labels[seed] = id;
            stack[top++] = seed;
            // Depth-first flood fill; a pixel is labelled when pushed, so each is pushed at most once
            // and the stack never exceeds n.
            while (top > 0)
            {
                int p = stack[--top];
                size++;
                int y = p / width, x = p - y * width;
                int y0 = Math.Max(y - 1, 0), y1 = Math.Min(y + 1, height - 1);
                int x0 = Math.Max(x - 1, 0), x1 = Math.Min(x + 1, width - 1);
                for (int ny = y0; ny <= y1; ny++)
                {
                    int row = ny * width;
                    for (int nx = x0; nx <= x1; nx++)
                    {
                        int q = row + nx;
                        if (mask[q] && labels[q] < 0)
                        {
                            labels[q] = id;
                            stack[top++] = q;
                        }
                    }
                }
            }
            regionSizes.Add(size);
            found++;
        }
        return found;
    }
}
