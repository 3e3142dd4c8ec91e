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

    public static string F(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : "n/a";
}
