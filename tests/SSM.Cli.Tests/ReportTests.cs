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
