using System.Text.RegularExpressions;

namespace SSM.Cli.Tests;

[Collection("cli")]
public sealed class ReportTests(TrainedModelFixture fx)
{
    private static string? Chromium() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    [Fact]
    public void Report_IsSelfContained_WithAllSections()
    {
        string html = File.ReadAllText(Path.Combine(fx.Run, "report.html"));
        var sources = Regex.Matches(html, "<img [^>]*src=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.True(sources.Count >= 2, $"only {sources.Count} images");
        Assert.All(sources, s => Assert.StartsWith("data:image/png;base64,", s));
        Assert.DoesNotContain("http://", html.Replace("xmlns=\"http://www.w3.org/2000/svg\"", ""));
        Assert.DoesNotContain("https://", html);
        Assert.Contains("alt=\"overlay\"", html);
        foreach (string chart in new[] { "image ROC", "pixel ROC", "score histogram", "training loss" })
            Assert.Matches($"<svg [^>]*aria-label=\"{chart}\"", html);
        Assert.Matches(@"<h2>Images \((no misses|the miss|all \d+ misses|\d+ of the \d+ misses)", html);
        Assert.Equal(html.Contains("— missed defect") || html.Contains("— false alarm"), html.Contains("<h2>Every miss ("));
        Assert.DoesNotContain("document.title", html);   // the browser tab shows the report's title, not a test hook
    }

    [Fact]
    public void A_programs_report_names_the_API_not_the_CLI()
    {
        // QuickStart and RealFolder write the CLI's report from the ML.NET API: their reader has no option to pass and no
        // metrics.json to open. A mask threshold on the model exercises the legend's other branch.
        var ml = new Microsoft.ML.MLContext(seed: 0);
        var model = SSM.Cli.Models.ModelRunner.Load(ml, fx.Model);
        var data = SSM.Core.Data.MvtecFolder.Load(fx.Data);
        var scored = SSM.Cli.Models.ModelRunner.Score(ml, model, [.. data.TestItems.Select(t => t.Path)]);
        var ssm = SSM.Cli.Models.ModelRunner.SsmOf(model);
        var evaluation = SSM.Cli.Scoring.EvaluationResult.Compute(data.TestItems, scored, ssm.Threshold);
        Assert.NotNull(evaluation.PixelThreshold);
        string folder = Cli.TempFolder("program-report");
        foreach (var shown in new[] { ssm, ssm.WithMaskThreshold(1.5f) })
        {
            string cli = Path.Combine(folder, "cli.html"), program = Path.Combine(folder, "program.html");
            SSM.Cli.Report.HtmlReport.Write(cli, "t", [], evaluation, [], shown);
            SSM.Cli.Report.HtmlReport.Write(program, "t", [], evaluation, [], shown, SSM.Cli.Report.ReportTerms.Library);
            string cliText = File.ReadAllText(cli), programText = File.ReadAllText(program);
            Assert.Contains("--mask-threshold", cliText);
            Assert.Contains("metrics.json", cliText);
            Assert.DoesNotMatch(@"--[a-z]|\bssm [a-z]|metrics\.json", programText);
            Assert.Contains("WithMaskThreshold(", programText);
            Assert.Contains("SsmHeatMap.PredictedMask", programText);
        }
        var rows = SSM.Cli.Scoring.TestSetRun.Rows(evaluation, SSM.Cli.Report.ReportTerms.Library).ToList();
        Assert.Contains(rows, r => r.Item1 == "image F1-max" && r.Item2.Contains(" with WithThreshold("));
        Assert.DoesNotContain(rows, r => r.Item2.Contains("--"));
        Assert.Contains(SSM.Cli.Scoring.TestSetRun.Rows(evaluation), r => r.Item1 == "image F1-max" && r.Item2.Contains(" with --threshold "));
        (model as IDisposable)?.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Report_RendersInHeadlessChromium_AndEveryImageLoads()
    {
        string? chromium = Chromium();
        if (chromium is null)
        {
            // Required in CI (.ci/run installs it); optional on a developer machine.
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "chromium is not installed but CI=true: install it (apt-get install chromium).");
            return;
        }
        string profile = Cli.TempFolder("chromium-profile");
        try
        {
            string report = Path.Combine(fx.Run, "report.html");
            var (code, dom) = ProcessRunner.Run(chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", "--virtual-time-budget=10000",
                "--dump-dom", new Uri(report).AbsoluteUri,
            ], TimeSpan.FromSeconds(90));
            Assert.True(code == 0, dom);
            int images = Regex.Matches(File.ReadAllText(report), "<img ").Count;
            var loaded = Regex.Match(dom, "<body data-images-loaded=\"([^\"]*)\"");
            Assert.True(loaded.Success, "no body in the dumped DOM: " + dom[..Math.Min(500, dom.Length)]);
            Assert.Equal(images.ToString(), loaded.Groups[1].Value);
            Assert.Contains("<title>SSM training report</title>", dom);   // the script leaves what users see alone
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { }
        }
    }
}
