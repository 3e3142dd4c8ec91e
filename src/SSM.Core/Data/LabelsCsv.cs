using System.Text;

namespace SSM.Core.Data;

/// <summary>
/// A test set listed in a CSV file instead of folders: a header row naming a <c>path</c> and a <c>label</c> column (any
/// order, any letter case; other columns are ignored), then one image a row. Relative paths are read from the CSV's
/// folder. A label of <c>good</c>, <c>normal</c>, <c>ok</c>, <c>pass</c>, <c>0</c> or <c>false</c> (any case) marks a
/// defect-free image; any other label is a defect category of that name. An optional <c>mask</c> column names each
/// defective image's ground-truth mask (white = defect), read from the CSV's folder too, for pixel metrics; with it every
/// defective row needs one, and a good row may leave it empty. Without it: image metrics only. Fields are
/// separated by commas, or by semicolons when the header row has no comma (as Excel writes CSV where the comma is the
/// decimal sign), and may be quoted as RFC 4180 quotes them (a file name with a comma).
/// </summary>
public static class LabelsCsv
{
    /// <summary>The labels of a normal (defect-free) image, in any letter case; any other label names a defect's category.</summary>
    public static IReadOnlySet<string> NormalLabels { get; } = new HashSet<string>(["good", "normal", "ok", "pass", "0", "false"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="path"/> names a CSV file (by its extension).</summary>
    public static bool IsCsv(string path) => path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    /// <summary>The test set the CSV lists, in its row order; its <see cref="MvtecDataset.Root"/> is the CSV file.</summary>
    /// <exception cref="InvalidDataException">No path or label column, an empty path or label, a row of too few fields, an
    /// unclosed quote, an image listed twice, listed files that do not exist or (with a mask column) defective rows without
    /// a mask (each of them named, up to 20), or no rows.</exception>
    public static MvtecDataset Load(string csvPath)
    {
        string full = Path.GetFullPath(csvPath), folder = Path.GetDirectoryName(full)!;
        var lines = File.ReadAllLines(full);
        // Blank lines, and rows of empty fields as spreadsheets write them (",,"), are no rows.
        bool Empty(string line) => line.All(c => char.IsWhiteSpace(c) || c is ',' or ';');
        int first = Array.FindIndex(lines, line => !Empty(line));
        if (first < 0)
            throw new InvalidDataException($"'{full}' is empty; a labels CSV starts with a header row naming its 'path' and 'label' columns.");
        char separator = !lines[first].Contains(',') && lines[first].Contains(';') ? ';' : ',';
        var header = Fields(lines[first], separator, full, first + 1)!;
        int pathColumn = header.FindIndex(h => h.Trim().Equals("path", StringComparison.OrdinalIgnoreCase));
        int labelColumn = header.FindIndex(h => h.Trim().Equals("label", StringComparison.OrdinalIgnoreCase));
        int maskColumn = header.FindIndex(h => h.Trim().Equals("mask", StringComparison.OrdinalIgnoreCase));
        if (pathColumn < 0 || labelColumn < 0)
            throw new InvalidDataException($"'{full}' has no {(pathColumn < 0 ? "'path'" : "'label'")} column in its header row " +
                                           $"({string.Join(", ", header.Select(h => $"'{h}'"))}); a labels CSV names its columns 'path' and 'label', " +
                                           "separated by commas (or semicolons; not tabs), in UTF-8.");
        var items = new List<MvtecTestItem>();
        var missing = new List<string>();
        bool imageMissing = false, maskMissing = false;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        // Defect names are categories whatever their letter case, as "good" is: the first spelling names the category.
        var categories = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = first + 1; i < lines.Length; i++)
        {
            if (Empty(lines[i])) continue;
            var row = Fields(lines[i], separator, full, i + 1)!;
            if (row.Count <= Math.Max(pathColumn, labelColumn))
                throw new InvalidDataException($"'{full}' line {i + 1} has {row.Count} field(s); its header names {header.Count}.");
            string image = row[pathColumn].Trim(), label = row[labelColumn].Trim();
            if (image.Length == 0 || label.Length == 0)
                throw new InvalidDataException($"'{full}' line {i + 1} has an empty {(image.Length == 0 ? "path" : "label")}.");
            string resolved = Resolve(folder, image);
            if (seen.TryGetValue(resolved, out int earlier))
                throw new InvalidDataException($"'{full}' lists '{resolved}' on line {earlier} and again on line {i + 1}; each image may be listed once.");
            seen[resolved] = i + 1;
            string? problem = Absent(resolved) is { } absent ? $"'{resolved}' {absent}" : null;
            imageMissing |= problem is not null;
            string category = NormalLabels.Contains(label) ? LabeledImage.GoodCategory : categories.TryAdd(label, label) ? label : categories[label];
            // A row may end before an empty last field, as some writers leave it.
            string maskField = maskColumn >= 0 && maskColumn < row.Count ? row[maskColumn].Trim() : "";
            string? mask = maskField.Length == 0 ? null : Resolve(folder, maskField);
            if (mask is not null && Absent(mask) is { } absentMask)
            {
                problem = (problem is null ? "" : problem + ", and ") + $"its mask '{mask}' {absentMask}";
                maskMissing = true;
            }
            else if (mask is null && maskColumn >= 0 && category != LabeledImage.GoodCategory && problem is null)
            {
                problem = $"'{resolved}' is labelled '{label}' but has no mask";
                maskMissing = true;
            }
            if (problem is not null) missing.Add($"line {i + 1}: {problem}");
            items.Add(new MvtecTestItem(resolved, category, mask));
        }
        if (missing.Count > 0)
            throw new InvalidDataException($"{missing.Count} of the {items.Count} rows of '{full}' cannot be used (relative paths are read from its folder): " +
                                           string.Join("; ", missing.Take(20)) + (missing.Count > 20 ? $"; and {missing.Count - 20} more" : "") + "." +
                                           // The advice for what is at fault: a missing image was told to give masks.
                                           (imageMissing ? " Correct those paths, or remove their rows." : "") +
                                           (maskMissing ? " Give every defective row its mask, or drop the mask column to evaluate the images without pixel metrics." : ""));
        if (items.Count == 0) throw new InvalidDataException($"'{full}' lists no images, only its header row.");
        return new MvtecDataset(full, [], items, channels: null, skipped: [], hasGroundTruth: maskColumn >= 0);
    }

    /// <summary>A listed file's full path, read from the CSV's folder.</summary>
    private static string Resolve(string folder, string listed)
    {
        string resolved = Path.GetFullPath(Path.Combine(folder, listed));
        // A list written on Windows: backslashes are separators there.
        if (!File.Exists(resolved) && Path.DirectorySeparatorChar != '\\' && listed.Contains('\\'))
            resolved = Path.GetFullPath(Path.Combine(folder, listed.Replace('\\', Path.DirectorySeparatorChar)));
        return resolved;
    }

    /// <summary>Null for a file that exists; else why it cannot be read.</summary>
    private static string? Absent(string path) =>
        Directory.Exists(path) ? "is a folder, not a file" : File.Exists(path) ? null : "does not exist";

    /// <summary>The fields of one line (RFC 4180: a quoted field may hold commas and doubled quotes); null for an empty line.</summary>
    private static List<string>? Fields(string line, char separator, string file, int number)
    {
        if (line.Length == 0) return null;
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == separator) { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted) throw new InvalidDataException($"'{file}' line {number} has a quote that is not closed (a field's line breaks are not read).");
        fields.Add(field.ToString());
        return fields;
    }
}
