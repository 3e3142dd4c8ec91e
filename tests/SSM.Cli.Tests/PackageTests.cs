namespace SSM.Cli.Tests;

/// <summary>The tool package: pack (from the existing build), install into a temp tool path, run `ssm train` on a tiny set.</summary>
[Collection("cli")]
public sealed class PackageTests(TrainedModelFixture fx)
{
    [Fact]
    public void ToolPackage_InstallsAndTrains()
    {
        string repo = ConsumeModelTests.RepoRoot();
        string root = Cli.TempFolder("pack");
        try
        {
            string feed = Path.Combine(root, "feed");
            var (code, output) = ProcessRunner.Run("dotnet", ["pack", Path.Combine(repo, "src", "SSM.Cli", "SSM.Cli.csproj"), "-c", ConsumeModelTests.Configuration,
                "--no-build", "-nologo", "-o", feed], TimeSpan.FromMinutes(3));
            Assert.True(code == 0, output);
            Assert.True(File.Exists(Path.Combine(feed, "SSM.MLNet.Cli.1.0.0.nupkg")), output);

            // A private package cache, so a stale copy of the same version in ~/.nuget/packages is never used.
            string tools = Path.Combine(root, "tools");
            (code, output) = ProcessRunner.Run("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", feed, "--ignore-failed-sources",
                "SSM.MLNet.Cli"], TimeSpan.FromMinutes(3), environment: new() { ["NUGET_PACKAGES"] = Path.Combine(root, "nuget") });
            Assert.True(code == 0, output);
            AssertUnusedTorchNativeLeftOut(tools);

            string data = Path.Combine(root, "data");
            (code, output) = ProcessRunner.Run(Path.Combine(tools, "ssm"), ["generate", "--image-size", "16", "--train-count", "8",
                "--test-good", "2", "--test-defect", "1", "-o", data], TimeSpan.FromMinutes(1));
            Assert.True(code == 0, output);
            (code, output) = ProcessRunner.Run(Path.Combine(tools, "ssm"), ["train", data, "--image-size", "16", "--width", "4", "--depth", "2",
                "--epochs", "1", "-o", Path.Combine(root, "run")], TimeSpan.FromMinutes(3));
            Assert.True(code == 0, output);
            Assert.True(File.Exists(Path.Combine(root, "run", "model.zip")), output);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// The library as users install it: SSM.MLNet (and SSM.Core) packed into a local feed, a console project outside
    /// the repository (so none of our build files apply) references the package, builds, and scores an image with a
    /// model the command line trained. Loading libtorch there proves the native fix travels in the package.
    /// </summary>
    [Fact]
    public void LibraryPackage_BuildsAFreshConsoleProjectThatScoresAnImage()
    {
        string repo = ConsumeModelTests.RepoRoot();
        string root = Cli.TempFolder("libpack");
        try
        {
            string feed = Path.Combine(root, "feed");
            foreach (var project in new[] { "SSM.Core", "SSM.MLNet" })
            {
                var (packCode, packOutput) = ProcessRunner.Run("dotnet", ["pack", Path.Combine(repo, "src", project, project + ".csproj"), "-c", ConsumeModelTests.Configuration,
                    "--no-build", "-nologo", "-o", feed], TimeSpan.FromMinutes(3));
                Assert.True(packCode == 0, packOutput);
            }

            string image = Directory.GetFiles(Path.Combine(fx.Data, "test", "good"))[0];
            var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(root, "nuget") };
            string Score(string name, string? mlnet)
            {
                string app = Path.Combine(root, name);
                Directory.CreateDirectory(app);
                // With mlnet, the app asks for that ML.NET itself, as an app already on it does; NU1608 (a dependency
                // outside the package's range) is an error then, so the package's range must admit it.
                File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
                    <Project Sdk="Microsoft.NET.Sdk">
                      <PropertyGroup>
                        <!-- The local feed beside the machine's configured NuGet sources. -->
                        <RestoreAdditionalProjectSources>{feed}</RestoreAdditionalProjectSources>
                        <OutputType>Exe</OutputType>
                        <TargetFramework>net10.0</TargetFramework>
                        <ImplicitUsings>enable</ImplicitUsings>
                        <Nullable>enable</Nullable>
                        <NoWarn>NU1603</NoWarn>
                        <WarningsAsErrors>NU1608</WarningsAsErrors>
                      </PropertyGroup>
                      <ItemGroup><PackageReference Include="SSM.MLNet" Version="1.0.0" /></ItemGroup>
                      {(mlnet is null ? "" : $"""<ItemGroup><PackageReference Include="Microsoft.ML" Version="{mlnet}" /><PackageReference Include="Microsoft.ML.ImageAnalytics" Version="{mlnet}" /></ItemGroup>""")}
                    </Project>
                    """);
                ConsumeModelTests.WriteConsumer(fx.Run, app);
                var (code, output) = ProcessRunner.Run("dotnet", ["build", app, "-nologo", "-v", "q", "-o", Path.Combine(app, "out")],
                    TimeSpan.FromMinutes(6), environment: environment);
                Assert.True(code == 0, output);
                AssertUnusedTorchNativeLeftOut(Path.Combine(app, "out"));
                if (mlnet is not null) Assert.Contains($"\"Microsoft.ML/{mlnet}\"", File.ReadAllText(Path.Combine(app, "out", "App.deps.json")));
                (code, output) = ProcessRunner.Run("dotnet", [Path.Combine(app, "out", "App.dll"), fx.Model, image], TimeSpan.FromMinutes(2));
                Assert.True(code == 0, output);
                ConsumeModelTests.AssertScored(output);
                return output.Split('\n').First(l => l.StartsWith("score=", StringComparison.Ordinal));
            }
            string lowest = Score("app", null);
            // The newest ML.NET the package admits loads the model and scores the image exactly as the one it was built on.
            Assert.Equal(lowest, Score("app-newest-mlnet", NewestTestedMLNet()));
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// libtorch's Python bindings and test backends, which nothing loads, are left out of an install or a build
    /// (build/SSM.TorchSharpNativeFix.targets), the libraries torch does load kept; the tool and the app then run.
    /// </summary>
    private static void AssertUnusedTorchNativeLeftOut(string folder)
    {
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToHashSet();
        Assert.Contains("libtorch_cpu.so", files);
        Assert.Contains("libLibTorchSharp.so", files);
        Assert.DoesNotContain("libtorch_python.so", files);
        Assert.DoesNotContain("libtorchbind_test.so", files);
    }

    /// <summary>MicrosoftMLNewestTested of Directory.Build.props: the top of the package's ML.NET range.</summary>
    private static string NewestTestedMLNet() =>
        System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Path.Combine(ConsumeModelTests.RepoRoot(), "Directory.Build.props")),
            "<MicrosoftMLNewestTested>([^<]+)</MicrosoftMLNewestTested>").Groups[1].Value;
}
