using System.Globalization;
using System.Text;
using SSM.Cli.Inputs;
using SSM.Cli.Models;
using SSM.MLNet;

namespace SSM.Cli.Scoring;

/// <summary>
/// <c>predict</c>'s rows, one an image as it is scored, and what its summary and warnings need: no map is kept. The
/// heat-map column: two inputs with the same base name (a.png, a.PNG, a.jpg) get numbered overlays; an image of a
/// subfolder (<c>--recursive</c>) gets its overlay in the same subfolder of the output. <c>peak_x</c>, <c>peak_y</c>:
/// where the map is highest, in the image's own pixels, for a user who locates rather than looks. With masks, a last
/// column <c>mask</c> names each image's predicted mask, numbered as its heat map.
/// </summary>
/// <param name="model">The model that scores.</param>
/// <param name="inputFolder">The folder given, or the one of the file given: heat maps keep the images' places below it.</param>
/// <param name="withMasks">Whether every image gets a predicted mask (<c>--masks</c>).</param>
public sealed class PredictionsTable(SsmAnomalyTransformer model, string inputFolder, bool withMasks = false)
{
    private readonly StringBuilder csv = new("path,score,label,peak_x,peak_y,heatmap" + (withMasks ? ",mask" : "") + "\n");
    private readonly HashSet<string> names = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The heat maps' files, relative to the output, in input order.</summary>
    public List<string> HeatMaps { get; } = [];

    /// <summary>The predicted masks' files, relative to the output, in input order (<c>--masks</c>).</summary>
    public List<string> Masks { get; } = [];

    /// <summary>Images flagged by their contrast alone (blank or covered frames): their maps stay below the decision threshold, their peak left empty.</summary>
    public List<string> FlaggedByContrast { get; } = [];

    public int Scored { get; private set; }
    public int Anomalous { get; private set; }
    public float MaxScore { get; private set; } = float.NegativeInfinity;

    /// <summary>Adds a scored image's row; returns it, with its heat map's and its mask's files (relative to the output),
    /// each null when it gets none.</summary>
    public PredictionRow Add(ScoredImage s, bool withHeatMap)
    {
        // The image's size once, for the peak and the contour's threshold alike.
        var (width, height) = model.FileSize(s.Path);
        var (peakX, peakY, peakValue) = SsmHeatMap.Peak(s.Map, (s.MapWidth, s.MapHeight), width, height);
        bool contrastOnly = s.Predicted && FlaggedByContrastAlone(peakValue, width, height);
        return Add(new PredictionRow(s.Path, s.Score, s.Predicted, contrastOnly ? null : peakX, contrastOnly ? null : peakY, null, null), withHeatMap);
    }

    /// <summary>Adds a row scored before (a stopped predict's, <see cref="KeptPredictions"/>) as if scored now: it takes
    /// its place in the numbering of names and in the counts; returns it with its pictures' files as this table names them.</summary>
    public PredictionRow Add(PredictionRow row, bool withHeatMap)
    {
        Scored++;
        if (row.Predicted) Anomalous++;
        MaxScore = Math.Max(MaxScore, row.Score);
        // Every image takes its name, pictured or not, so a file's name does not depend on --masks, --anomalous-heatmaps or
        // the threshold (a.PNG passed and a.png flagged: a_heatmap2.png is a.png's in every run).
        var (stem, number) = UniqueName(row.Path);
        string? heatMap = withHeatMap ? $"{stem}_heatmap{number}.png" : null, mask = withMasks ? $"{stem}_mask{number}.png" : null;
        if (heatMap is not null) HeatMaps.Add(heatMap);
        if (mask is not null) Masks.Add(mask);
        if (row.Predicted && row.PeakX is null) FlaggedByContrast.Add(row.Path);
        string peak = row.PeakX is { } x && row.PeakY is { } y ? $"{x},{y}" : ",";
        csv.Append(CultureInfo.InvariantCulture, $"{CsvFile(row.Path)},{row.Score.ToString("R", CultureInfo.InvariantCulture)},{(row.Predicted ? "anomalous" : "normal")},{peak},{CsvFile(heatMap ?? "")}");
        csv.Append(withMasks ? $",{CsvFile(mask!)}\n" : "\n");
        return row with { HeatMap = heatMap, Mask = mask };
    }

    /// <summary>The text of predictions.csv: the scored images' rows, then each unreadable file's (<c>--keep-going</c>).</summary>
    public string Text(IEnumerable<UnusableFile> unreadable)
    {
        var text = new StringBuilder().Append(csv);
        foreach (var u in unreadable) text.Append(CultureInfo.InvariantCulture, $"{CsvFile(u.Path)},,unreadable,,,{(withMasks ? "," : "")}\n");
        return text.ToString();
    }

    /// <summary>The stem of the image's pictures ("sub/a" for "sub/a_heatmap.png" and "sub/a_mask.png") and the number
    /// after their suffix: "" for the first input of a base name, "2" ("a_heatmap2.png") for the next, and so on.</summary>
    private (string Stem, string Number) UniqueName(string image)
    {
        // A scanner's UID-named DICOM file (1.2.840.113619.2.55.3) has no extension to drop: its name is kept whole.
        string file = FitsName(SSM.Core.Data.MvtecFolder.HasImageExtension(image) ? Path.GetFileNameWithoutExtension(image) : Path.GetFileName(image));
        string stem = Path.Combine(Path.GetRelativePath(inputFolder, Path.GetDirectoryName(image)!), file);
        if (stem.StartsWith("." + Path.DirectorySeparatorChar, StringComparison.Ordinal)) stem = stem[2..];
        string number = "";
        for (int k = 2; !names.Add(stem + "\0" + number); k++) number = k.ToString(CultureInfo.InvariantCulture);
        return (stem, number);
    }

    /// <summary>
    /// An image's base name as its heat map's can hold it: a file name has at most 255 bytes, and a name within them may not
    /// be with "_heatmap99.png" added (a walkthrough's 249-character name failed the whole run after every image was scored
    /// and drawn). A longer name keeps its start and ends in "~" and 8 hex digits of its hash, so names stay distinct.
    /// </summary>
    internal static string FitsName(string file)
    {
        const int MaxBytes = 255;
        const string Suffix = "_heatmap99.png";
        if (Encoding.UTF8.GetByteCount(file + Suffix) <= MaxBytes) return file;
        string hash = "~" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(file)))[..8];
        string kept = file;
        while (Encoding.UTF8.GetByteCount(kept + hash + Suffix) > MaxBytes)
            kept = kept[..^(kept.Length > 1 && char.IsLowSurrogate(kept[^1]) ? 2 : 1)];
        return kept + hash;
    }

    /// <summary>Whether a flagged image's map (highest at <paramref name="mapMaximum"/>) stays below
    /// <see cref="SsmAnomalyTransformer.MapThreshold"/>: with one restoration error for map and score (the default) only the
    /// contrast floor flags such an image.</summary>
    private bool FlaggedByContrastAlone(float mapMaximum, int width, int height)
    {
        var scoring = model.Model.Options.Scoring;
        return model.Calibration.Contrast is not null && scoring.ImageScoreError == scoring.Error && mapMaximum < model.MapThreshold(width, height);
    }

    /// <summary>A CSV field: quoted when it holds a comma, a quote or a line break (a carriage return ends a row for most
    /// CSV readers, as a line feed does), as every table of ours writes it.</summary>
    internal static string Csv(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    /// <summary>A file's path or name, relative or not, as a CSV field (<see cref="Csv"/>) that a spreadsheet shows and does
    /// not run: one starting with =, +, -, @, a tab or a carriage return (a formula to Excel, LibreOffice and Google
    /// Sheets; an image named "=HYPERLINK(…).png" would be one in the heat-map column) gets "./" before it, which names
    /// the same file.</summary>
    internal static string CsvFile(string path) => Csv(path.Length > 0 && "=+-@\t\r".Contains(path[0]) ? "." + Path.DirectorySeparatorChar + path : path);
}

/// <summary>One image's row of predictions.csv, as <see cref="PredictionsTable"/> writes it.</summary>
/// <param name="Path">The image file, as scored.</param>
/// <param name="Score">Its anomaly score.</param>
/// <param name="Predicted">Whether it is flagged.</param>
/// <param name="PeakX">Where its map is highest, in the image's own pixels; null for an image flagged by its contrast alone.</param>
/// <param name="PeakY">As <paramref name="PeakX"/>, down.</param>
/// <param name="HeatMap">Its heat map's file, relative to the output; null when it gets none.</param>
/// <param name="Mask">Its predicted mask's file, relative to the output; null when it gets none.</param>
public sealed record PredictionRow(string Path, float Score, bool Predicted, int? PeakX, int? PeakY, string? HeatMap, string? Mask);
