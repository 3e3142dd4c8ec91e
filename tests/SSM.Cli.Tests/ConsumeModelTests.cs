namespace SSM.Cli.Tests;

[Collection("cli")]
public sealed class ConsumeModelTests(TrainedModelFixture fx)
{
    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SSM.MLNet.sln"))) return dir.FullName;
        throw new InvalidOperationException("Repository root not found.");
    }

    /// <summary>The configuration these tests were built in, so child builds and packs reuse that build.</summary>
    internal static string Configuration => AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";

    /// <summary>Puts the generated ConsumeModel.cs and a Program.cs that scores args[1] with the model args[0] into a project folder.</summary>
    internal static void WriteConsumer(string trainOutput, string project)
    {
        File.Copy(Path.Combine(trainOutput, "ConsumeModel.cs"), Path.Combine(project, "ConsumeModel.cs"));
        File.WriteAllText(Path.Combine(project, "Program.cs"), """
            using System;
            using System.IO;
            using System.Linq;
            using System.Threading.Tasks;

            if (args[0] == "--first-missing")
            {
                // An app that starts before its model is in place: the failed load is not remembered.
                SsmModel.ConsumeModel.ModelPath = Path.Combine(AppContext.BaseDirectory, "not-yet.zip");
                try { SsmModel.ConsumeModel.Predict(args[2]); }
                catch (Exception e) { Console.WriteLine("missing=" + e.GetType().Name); }
                args = args[1..];
            }
            SsmModel.ConsumeModel.ModelPath = args[0];
            SsmModel.ConsumeModel.Threads = 1;
            // Another thread that computed before sets nothing itself: the count reaches it at its next Predict.
            int before = Task.Run(() => { TorchSharp.torch.ones(2, 2).matmul(TorchSharp.torch.ones(2, 2)).Dispose(); return TorchSharp.torch.get_num_threads(); }).Result;
            var result = SsmModel.ConsumeModel.Predict(args[1]);
            Console.WriteLine($"threads={TorchSharp.torch.get_num_threads()}");
            var pool = new System.Threading.Thread(() =>
            {
                TorchSharp.torch.ones(2, 2).matmul(TorchSharp.torch.ones(2, 2)).Dispose();
                SsmModel.ConsumeModel.Predict(args[1]);
                Console.WriteLine($"other-thread threads={TorchSharp.torch.get_num_threads()} (default {before})");
            });
            pool.Start();
            pool.Join();
            try { SsmModel.ConsumeModel.Threads = 0; }
            catch (ArgumentOutOfRangeException) { Console.WriteLine("threads-0-refused"); }
            // Null again: this thread goes back to libtorch's default at its next Predict.
            SsmModel.ConsumeModel.Threads = null;
            SsmModel.ConsumeModel.Predict(args[1]);
            Console.WriteLine($"threads-reset={TorchSharp.torch.get_num_threads()} (default {before})");
            Console.WriteLine($"score={result.Score.ToString(System.Globalization.CultureInfo.InvariantCulture)} anomalous={result.PredictedLabel} map={result.AnomalyMap.Length}");
            var (withMask, mask) = SsmModel.ConsumeModel.PredictWithMask(args[1]);
            if (withMask.Score != result.Score) Console.WriteLine("mask-score-differs");
            Console.WriteLine($"mask {mask.Width}x{mask.Height} agrees={mask.Count > 0 == result.PredictedLabel}");
            try { SsmModel.ConsumeModel.ModelPath = "another.zip"; }
            catch (InvalidOperationException e) { Console.WriteLine("path-after-load: " + e.Message); }
            if (Environment.GetEnvironmentVariable("SSM_TEST_RELOAD") is { } deployed)
            {
                // A new model deployed while the program runs; a missing one leaves the model in use.
                try { SsmModel.ConsumeModel.Reload(Path.Combine(AppContext.BaseDirectory, "gone.zip")); }
                catch (Exception e) { Console.WriteLine("reload-missing=" + e.GetType().Name + " then " + (SsmModel.ConsumeModel.Predict(args[1]).Score == result.Score ? "same" : "other")); }
                SsmModel.ConsumeModel.Reload(deployed);
                var again = Task.Run(() => SsmModel.ConsumeModel.Predict(args[1])).Result;   // another thread's engine too
                var everywhere = SsmModel.ConsumeModel.PredictWithMask(args[1]).Mask;
                Console.WriteLine($"reloaded mask everywhere={everywhere.Count == everywhere.Width * everywhere.Height}");
                Console.WriteLine($"reloaded score={(SsmModel.ConsumeModel.Predict(args[1]).Score == result.Score ? "same" : "other")} anomalous={SsmModel.ConsumeModel.Predict(args[1]).PredictedLabel} other-thread={again.PredictedLabel} path={SsmModel.ConsumeModel.ModelPath == deployed}");
            }
            if (args.Length > 2)
            {
                // The images scored one by one, then from four threads at once, five times each: the same scores.
                var images = args[1..];
                var alone = images.Select(i => SsmModel.ConsumeModel.Predict(i).Score).ToArray();
                var together = new float[images.Length * 5];
                Parallel.For(0, together.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 },
                    k => together[k] = SsmModel.ConsumeModel.Predict(images[k % images.Length]).Score);
                Console.WriteLine("concurrent=" + (together.Select((s, k) => s == alone[k % images.Length]).All(same => same) ? "same" : "different"));
            }
            """);
    }

    /// <summary>The consumer's output: a score, a decision and a 32 x 32 map.</summary>
    internal static void AssertScored(string output) =>
        Assert.Matches(@"score=-?[\d.E+-]+ anomalous=(True|False) map=1024", output);

    [Fact]
    public void ConsumeModel_FeedsThePathColumnTheModelReads()
    {
        string code = File.ReadAllText(Path.Combine(fx.Run, "ConsumeModel.cs"));
        using var model = (IDisposable)new Microsoft.ML.MLContext().Model.Load(fx.Model, out _);
        var ssm = SSM.Cli.Models.ModelRunner.SsmOf((Microsoft.ML.ITransformer)model);
        Assert.Equal(SSM.MLNet.SsmInputKind.Path, ssm.InputKind);
        Assert.Contains($"public string {ssm.InputColumnName} {{ get; set; }}", code);
        Assert.DoesNotContain("LoadImages(", code);
    }

    [Fact]
    public void ConsumeModel_CompilesInAConsoleProject_AndScoresAnImage()
    {
        string root = RepoRoot();
        // Inside the repository (under this test's bin folder) so the project gets Directory.Build.props/targets,
        // which carry the target framework and the TorchSharp native fix.
        string project = Path.Combine(AppContext.BaseDirectory, "consume-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(project);
        try
        {
            string mlnet = Path.Combine(root, "src", "SSM.MLNet", "SSM.MLNet.csproj");
            File.WriteAllText(Path.Combine(project, "Consume.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <!-- Without implicit usings, as a project from before .NET 6 or one that turns them off: ConsumeModel.cs must name its own. -->
                  <PropertyGroup><OutputType>Exe</OutputType><IsPackable>false</IsPackable><ImplicitUsings>disable</ImplicitUsings></PropertyGroup>
                  <ItemGroup><ProjectReference Include="{mlnet}" /></ItemGroup>
                </Project>
                """);
            WriteConsumer(fx.Run, project);
            var (code, output) = ProcessRunner.Run("dotnet", ["build", project, "-c", Configuration, "-nologo", "-v", "q", "-o", Path.Combine(project, "out")],
                TimeSpan.FromMinutes(4));
            Assert.True(code == 0, output);
            string image = Directory.GetFiles(Path.Combine(fx.Data, "test", "good"))[0];
            (code, output) = ProcessRunner.Run("dotnet", [Path.Combine(project, "out", "Consume.dll"), fx.Model, image], TimeSpan.FromMinutes(2));
            Assert.True(code == 0, output);
            AssertScored(output);
            Assert.Contains("path-after-load: The model is already loaded from", output);
            Assert.Contains("threads=1", output);
            Assert.Contains("other-thread threads=1", output);
            Assert.Contains("threads-0-refused", output);
            Assert.Matches(@"threads-reset=(\d+) \(default \1\)", output);
            Assert.DoesNotContain("mask-score-differs", output);
            var (width, height) = SSM.Core.Data.ImageFile.ReadSize(image);
            Assert.Contains($"mask {width}x{height} agrees=True", output);
            (code, output) = ProcessRunner.Run("dotnet", [Path.Combine(project, "out", "Consume.dll"), "--first-missing", fx.Model, image], TimeSpan.FromMinutes(2));
            Assert.True(code == 0, output);
            Assert.Contains("missing=FileNotFoundException", output);
            AssertScored(output);
            string[] several = [.. Directory.GetFiles(Path.Combine(fx.Data, "test"), "*.png", SearchOption.AllDirectories).Order().Take(6)];
            (code, output) = ProcessRunner.Run("dotnet", [Path.Combine(project, "out", "Consume.dll"), fx.Model, .. several], TimeSpan.FromMinutes(2));
            Assert.True(code == 0, output);
            Assert.Contains("concurrent=same", output);

            // A new model deployed while the program runs (the same network with a threshold that flags everything): Reload
            // puts it in use on every thread; a missing file throws and the model in use stays.
            string deployed = Path.Combine(project, "deployed");
            var evaluated = Cli.Run("evaluate", fx.Model, fx.Data, "--threshold", "-1000", "-o", deployed);
            Assert.True(evaluated.Code == 0, evaluated.Output);
            (code, output) = ProcessRunner.Run("dotnet", [Path.Combine(project, "out", "Consume.dll"), fx.Model, image], TimeSpan.FromMinutes(2),
                environment: new() { ["SSM_TEST_RELOAD"] = Path.Combine(deployed, "model.zip") });
            Assert.True(code == 0, output);
            Assert.Contains("reload-missing=FileNotFoundException then same", output);
            Assert.Contains("reloaded score=same anomalous=True other-thread=True path=True", output);
            Assert.Contains("reloaded mask everywhere=True", output);   // the deployed model's threshold, in the map's units

            // The model reads the path itself, strictly: a truncated file fails, named, instead of getting a score.
            string truncated = Cli.WriteTruncated(image, Path.Combine(project, "zz-truncated.png"));
            (code, output) = ProcessRunner.Run("dotnet", [Path.Combine(project, "out", "Consume.dll"), fx.Model, truncated], TimeSpan.FromMinutes(2));
            Assert.True(code != 0, output);
            Assert.Contains("zz-truncated.png", output);
            Assert.Contains("InvalidOperationException", output);
            Assert.DoesNotContain("score=", output);
        }
        finally
        {
            try { Directory.Delete(project, recursive: true); } catch (IOException) { }
        }
    }
}
