using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

/// <summary>
/// The metrics against figures computed outside this code base, on a case built here without a random generator:
/// scikit-learn 1.2.1 (<c>roc_auc_score</c>, <c>precision_recall_curve</c>) and, for AUPRO, the MVTec AD definition over
/// scikit-image 0.19.3's <c>measure.label</c> regions (FPR over all normal pixels, PRO the mean overlap of the regions,
/// trapezoids up to FPR 0.3, divided by 0.3), which MVTec's own <c>compute_pro</c> script matches to 1e-9 (it sums in
/// float32). Computed with Debian 12's python3-sklearn and python3-skimage on 2026-12-01; the case's files were written
/// from <see cref="Build"/> and read by the reference script.
/// </summary>
public sealed class ExternalReferenceTests
{
    private const int Count = 8, Side = 12;

    [Fact]
    public void Metrics_equal_scikit_learn_and_the_MVTec_definition_of_AUPRO()
    {
        var (scores, labels, maps, masks) = Build();
        Assert.Equal(0.875, Roc.Auroc(scores, labels), 12);
        var (f1, threshold) = F1Max.Compute(scores, labels);
        Assert.Equal(0.8571428571428571, f1, 12);
        Assert.Equal(1.75f, threshold);
        var pixel = PixelMetrics.Evaluate(maps, masks, Side, Side);
        Assert.Equal(0.7673096707818929, pixel.Auroc, 12);
        Assert.Equal(0.5742574257425743, pixel.F1Max, 12);
        Assert.Equal(1.125f, pixel.F1Threshold);
        Assert.Equal(0.5918552540654212, pixel.Aupro, 12);
        Assert.Equal(0.44039264828738517, Pro.Aupro(maps, masks, Side, Side, maxFpr: 0.05), 12);
        Assert.Equal(0.8002788607320771, Pro.Aupro(maps, masks, Side, Side, maxFpr: 1.0), 12);
        // Regions are 8-connected, as in MVTec's script (scipy.ndimage.label with a 3 x 3 structure) and anomalib: with
        // 4-connectivity the same case has 21 regions instead of 9 and an AUPRO of 0.5492.
        Assert.NotEqual(0.5492242388255568, pixel.Aupro, 3);
    }

    /// <summary>
    /// Quantised maps and scores (many ties); defect regions that touch only at a corner or along a diagonal; one-pixel
    /// regions at the ends of neighbouring rows (never joined across the row break); a defective image with an empty mask.
    /// </summary>
    private static (float[] Scores, bool[] Labels, List<float[]> Maps, List<bool[]> Masks) Build()
    {
        uint state = 12345;
        float Next() { state = state * 1664525 + 1013904223; return (state >> 8) / (float)(1 << 24); }
        var maps = new List<float[]>(); var masks = new List<bool[]>(); var labels = new bool[Count]; var scores = new float[Count];
        for (int i = 0; i < Count; i++)
        {
            var map = new float[Side * Side]; var mask = new bool[Side * Side];
            for (int p = 0; p < map.Length; p++) map[p] = MathF.Round(Next() * 8) / 8;
            labels[i] = i % 2 == 1;
            if (labels[i] && i != 7)
            {
                for (int y = 0; y < 3; y++)
                for (int x = 0; x < 3; x++)
                {
                    mask[(1 + y) * Side + 1 + x] = true; map[(1 + y) * Side + 1 + x] += 1;   // square A, found
                    mask[(4 + y) * Side + 4 + x] = true;                                      // square B, touches A at a corner
                }
                for (int k = 0; k < 4; k++) { mask[(8 + k) * Side + k] = true; if (k % 2 == 0) map[(8 + k) * Side + k] += 0.75f; }   // diagonal line
                mask[1 * Side - 1] = true; mask[1 * Side] = true; map[1 * Side - 1] += 0.5f;                                         // row ends
            }
            maps.Add(map); masks.Add(mask);
            scores[i] = MathF.Round(map.Max() * 4) / 4;
        }
        return (scores, labels, maps, masks);
    }
}
