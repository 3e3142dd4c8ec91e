using System.Text.Json;
using SSM.Cli.Outputs;

namespace SSM.Cli.Tests;

/// <summary>ssm info: what a model.zip is, from the file and the training record beside it.</summary>
[Collection("cli")]
public sealed class InfoTests(TrainedModelFixture fx)
{
    [Fact]
    public void Info_names_the_model_and_its_training()
    {
        var trained = MetricsFile.Read(Path.Combine(fx.Run, "metrics.json"));
        var (code, text) = Cli.Run("info", fx.Model);
        Assert.True(code == 0, text);
        string flat = Cli.Flat(text);
        Assert.Contains(trained.NetworkSha256!, flat);
        Assert.Contains(Path.Combine(fx.Run, "metrics.json"), flat);
        Assert.Contains(fx.Data, flat);
        Assert.Contains("--threads", flat);   // what only the training run knew, from its record

        var (jsonCode, json) = Cli.Run("info", fx.Model, "--json");
        Assert.True(jsonCode == 0, json);
        var facts = JsonSerializer.Deserialize<SSM.Cli.Commands.InfoCommand.ModelFacts>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        Assert.Equal((Path.GetFullPath(fx.Model), trained.NetworkSha256, trained.Threshold), (facts.Model, facts.NetworkSha256, facts.Threshold));
        Assert.Equal((trained.TrainImages, trained.EpochsRun, trained.FinalLoss), (facts.TrainImages, facts.EpochsRun, facts.FinalLoss));
        Assert.Equal((trained.Dataset, trained.Version), (facts.Dataset, facts.Version));
        Assert.Contains("+", facts.Version);   // written as is, not as \u002B (a grep for the commit found nothing)
        Assert.Contains("\"version\": \"" + trained.Version, File.ReadAllText(Path.Combine(fx.Run, "metrics.json")));
        Assert.Equal(trained.Settings, facts.Settings);
        Assert.NotNull(facts.Settings.Threads);
    }

    [Fact]
    public void Info_of_a_copy_with_another_threshold_keeps_the_identity_and_leaves_out_what_the_file_does_not_hold()
    {
        string output = Path.Combine(Cli.TempFolder("info"), "eval");
        Assert.Equal(0, Cli.Run("evaluate", fx.Model, fx.Data, "--threshold", "1.5", "-o", output).Code);
        var trained = MetricsFile.Read(Path.Combine(fx.Run, "metrics.json"));
        Assert.Equal(trained.NetworkSha256, MetricsFile.Read(Path.Combine(output, "metrics.json")).NetworkSha256);

        var (code, json) = Cli.Run("info", Path.Combine(output, "model.zip"), "--json");
        Assert.True(code == 0, json);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(trained.NetworkSha256, root.GetProperty("networkSha256").GetString());
        Assert.Equal(1.5f, root.GetProperty("threshold").GetSingle());
        // evaluate's metrics.json is not a training record: no data or version is claimed, nor what only the run knew.
        Assert.False(root.TryGetProperty("dataset", out _));
        Assert.False(root.TryGetProperty("trainingRecord", out _));
        Assert.False(root.GetProperty("settings").TryGetProperty("threads", out _));
        Assert.Contains("is evaluate's, not a training's", root.GetProperty("trainingRecordNote").GetString());
        Assert.Contains("is evaluate's, not a training's", Cli.Flat(Cli.Run("info", Path.Combine(output, "model.zip")).Output));

        // A model alone, and one beside another model's record.
        string alone = Path.Combine(Cli.TempFolder("info-alone"), "model.zip");
        File.Copy(fx.Model, alone);
        Assert.Contains("none beside the model", Cli.Flat(Cli.Run("info", alone).Output));
        using (var aloneJson = JsonDocument.Parse(Cli.Run("info", alone, "--json").Output))
            Assert.Equal("none beside the model (metrics.json)", aloneJson.RootElement.GetProperty("trainingRecordNote").GetString());
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(alone)!, "metrics.json"),
            File.ReadAllText(Path.Combine(fx.Run, "metrics.json")).Replace(trained.NetworkSha256!, new string('0', 64)));
        Assert.Contains("is another model's", Cli.Flat(Cli.Run("info", alone).Output));
        // A record of before the identity was written cannot be matched to the model: said as that, not as another model's.
        var old = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(fx.Run, "metrics.json")))!.AsObject();
        Assert.True(old.Remove("networkSha256"));
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(alone)!, "metrics.json"), old.ToJsonString());
        Assert.Contains("is from before 2026-12-04, without the identity to match it to the model", Cli.Flat(Cli.Run("info", alone).Output));

        // A record edited to hold null where train writes an object cannot be read; it stopped info with a NullReferenceException.
        var edited = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(fx.Run, "metrics.json")))!;
        edited["settings"] = null;
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(alone)!, "metrics.json"), edited.ToJsonString());
        var (editedCode, editedOutput) = Cli.Run("info", alone);
        Assert.True(editedCode == 0, editedOutput);
        Assert.Contains("metrics.json cannot be read", Cli.Flat(editedOutput));
    }

    /// <summary>What only the training run knew, as its time budget, comes from its record beside the model.</summary>
    [Fact]
    public void Info_gives_the_time_budget_of_the_training_record()
    {
        string output = Path.Combine(Cli.TempFolder("info-budget"), "out");
        var train = Cli.Run(["train", fx.Data, .. TrainedModelFixture.OneEpoch, "--time-budget", "60", "-o", output]);
        Assert.True(train.Code == 0, train.Output);
        Assert.Equal(60, MetricsFile.Read(Path.Combine(output, "metrics.json")).Settings.TimeBudgetMinutes);
        var (code, json) = Cli.Run("info", Path.Combine(output, "model.zip"), "--json");
        Assert.True(code == 0, json);
        Assert.Equal(60, JsonSerializer.Deserialize<SSM.Cli.Commands.InfoCommand.ModelFacts>(json, MetricsFile.Json)!.Settings.TimeBudgetMinutes);
    }

    [Fact]
    public void Info_refuses_what_is_not_a_model()
    {
        string folder = Cli.TempFolder("info-bad");
        string text = Path.Combine(folder, "model.zip");
        File.WriteAllText(text, "not a zip");
        var (code, output) = Cli.Run("info", text);
        Assert.Equal(1, code);
        Assert.Contains(text, Cli.Flat(output));
        var (missingCode, missing) = Cli.Run("info", Path.Combine(folder, "none.zip"));
        Assert.Equal(1, missingCode);
        Assert.Contains("does not exist", Cli.Flat(missing));
    }
}
