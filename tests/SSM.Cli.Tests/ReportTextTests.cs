using System.Text.RegularExpressions;
using SSM.Cli.Models;
using SSM.Cli.Report;
using SSM.Cli.Scoring;
using SSM.Core.Data;

namespace SSM.Cli.Tests;

/// <summary>report.html's text for test sets made up here: the fixture's model and image files, with the scores, maps and
/// masks each test needs, so that each says what the report shows for a case the fixture's own run does not have.</summary>
[Collection("cli")]
public sealed partial class ReportTextTests(TrainedModelFixture fx)
{
    private const int Side = 32;   // the fixture's image size, and so its maps'
    private const float Threshold = 1f;

    [Fact]
    public void Every_miss_is_listed_worst_first_and_each_panel_says_what_kind_of_call_it_is()
    {
        var (good, defects) = TestItems();
        string html = Written([
            Scored(good[0], 0.3f), Scored(good[1], 0.4f), Scored(good[2], 1.2f),   // 1.2: a false alarm, 0.2 past the threshold
            Scored(defects[0], 0.1f), Scored(defects[1], 0.6f),                      // two missed defects, 0.9 and 0.4 short of it
            Scored(defects[0], 350f),                                                // found, far beyond the histogram's axis
        ]);

        Assert.Contains("<p>2 missed defects and 1 false alarm at the model's threshold; every miss is listed after the panels.</p>", html);
        var rows = MissRow().Matches(html).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.Equal([("0.10", "missed defect"), ("0.60", "missed defect"), ("1.20", "false alarm")], rows);

        var panels = PanelDiv().Matches(html).Select(m => (Miss: m.Groups[1].Success, Score: m.Groups[2].Value, Verdict: m.Groups[3].Value)).ToList();
        Assert.Equal(6, panels.Count);
        Assert.Contains((true, "1.20", "false alarm"), panels);
        Assert.Contains((true, "0.10", "missed defect"), panels);
        Assert.Contains((false, "0.30", "correct"), panels);
        Assert.All(panels, p => Assert.Equal(p.Verdict != "correct", p.Miss));

        // Images of one size share one colour scale and one contour level: the legend gives each as one value.
        Assert.Matches(@"green at [-0-9.E]+, ", html);
        Assert.Matches(@"\(map ≥ [-0-9.E]+, as ", html);
        Assert.DoesNotContain("by the image's original size", html);
        Assert.Matches(@"; the last bar also counts every score above [0-9.]+ \(up to 350\)\.</figcaption>", html);
    }

    [Fact]
    public void The_category_table_has_pixel_columns_only_when_masks_give_pixel_figures()
    {
        var (good, defects) = TestItems();
        List<EvaluatedImage> withoutMasks = [Scored(good[0], 0.3f), Scored(good[1], 0.4f), Scored(defects[0], 2f), Scored(defects[1], 3f)];
        string plain = Written(withoutMasks);
        Assert.Contains("<h3>By category</h3>", plain);
        Assert.DoesNotContain("<th>pixel AUROC</th>", plain);

        // The defects' maps are high where their masks mark a square: each defect category gets pixel figures.
        List<EvaluatedImage> withMasks = [Scored(good[0], 0.3f), Scored(good[1], 0.4f), .. defects.Take(2).Select((d, i) => WithSquare(Scored(d, 2f + i)))];
        string masked = Written(withMasks);
        Assert.Contains("<th>pixel AUROC</th><th>AUPRO</th>", masked);
        Assert.Matches(@"<td>\d+</td><td>\d+</td><td>[0-9.]+</td><td>1\.000</td>", masked);
    }

    /// <summary>The fixture's good and defective test images.</summary>
    private (List<MvtecTestItem> Good, List<MvtecTestItem> Defects) TestItems()
    {
        var items = MvtecFolder.Load(fx.Data).TestItems;
        return ([.. items.Where(t => !t.IsAnomalous)], [.. items.Where(t => t.IsAnomalous)]);
    }

    /// <summary>An image scored <paramref name="score"/> against <see cref="Threshold"/>, its map flat at a tenth of it.</summary>
    private static EvaluatedImage Scored(MvtecTestItem item, float score) =>
        new(item.Path, item.Category, item.IsAnomalous, score, score >= Threshold, [.. Enumerable.Repeat(score / 10, Side * Side)], null, Side, Side, null);

    /// <summary>The image with a mask marking an 8-pixel square, where its map is 10 and 0 elsewhere.</summary>
    private static EvaluatedImage WithSquare(EvaluatedImage image)
    {
        var mask = new bool[Side * Side];
        for (int y = 8; y < 16; y++)
            for (int x = 8; x < 16; x++) mask[y * Side + x] = true;
        return image with { Map = [.. mask.Select(m => m ? 10f : 0f)], Mask = mask };
    }

    /// <summary>report.html for <paramref name="images"/>, the fixture's model given <see cref="Threshold"/>.</summary>
    private string Written(IReadOnlyList<EvaluatedImage> images)
    {
        var model = ModelRunner.Load(new Microsoft.ML.MLContext(seed: 0), fx.Model, threshold: Threshold);
        using var owned = model as IDisposable;
        string path = Path.Combine(Cli.TempFolder("report-text"), "report.html");
        var evaluation = new EvaluationResult { Images = images, Threshold = Threshold, Categories = EvaluationResult.ByCategory(images) };
        HtmlReport.Write(path, "t", [], evaluation, [], ModelRunner.SsmOf(model));
        return File.ReadAllText(path);
    }

    [GeneratedRegex("<tr><td title=\"[^\"]*\">[^<]*</td><td>([0-9.]+)</td><td>([a-z ]+)</td></tr>")]
    private static partial Regex MissRow();

    [GeneratedRegex("<div class=\"panel( miss)?\">.*?: score ([0-9.]+) — ([a-z ]+)</div>")]
    private static partial Regex PanelDiv();
}
