using Spectre.Console;

namespace SSM.Cli.Commands;

/// <summary>The short table every command ends with.</summary>
internal static class Summary
{
    public static void Show(IAnsiConsole console, string title, IEnumerable<(string Key, string Value)> rows)
    {
        var table = new Table().Title(title).AddColumn("").AddColumn("");
        table.HideHeaders();
        foreach (var (k, v) in rows) table.AddRow(Markup.Escape(k), Markup.Escape(v));
        console.Write(table);
    }

    /// <summary>The model's threshold as the summaries show it, e.g. "3 (ZScore of the image score)".</summary>
    public static string Threshold(SSM.MLNet.SsmAnomalyTransformer ssm) => $"{F(ssm.Threshold)} ({ssm.Normalization} of the image score)";

    public static string F(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : "n/a";
}
