using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SSM.Core;
using SSM.Core.Data;

namespace SSM.MLNet;

/// <summary>
/// The normal images of a data view's input column, read into a cache at the model's size: what <c>Fit</c> trains on and
/// <see cref="SsmAnomalyTransformer.Recalibrate"/> calibrates on. Rows are resized to S x S and kept at 16 bits as they
/// stream in, so memory grows with S², not with the file sizes.
/// </summary>
/// <param name="Images">The images (or their tiles), in row order.</param>
/// <param name="Sizes">Each image's size as given, for what reading it at the model's size costs.</param>
/// <param name="Anomalous">Rows a label column marks as anomalous, read all the same.</param>
/// <param name="Brightest">The brightest value of any <c>LoadImages</c> picture (0 for other input).</param>
/// <param name="ColourAsGrey">Whether colour pictures or files among the first rows are read as grey by a grey model.</param>
internal sealed record NormalImageRows(ImageCache Images, List<(int Width, int Height)> Sizes, int Anomalous, float Brightest, bool ColourAsGrey)
{
    /// <summary>The warnings of rows to train on (<c>Fit</c>, <see cref="SsmAnomalyTransformer.FineTune"/>): too few held out,
    /// rows labelled anomalous, dark 16-bit pictures, colour read as grey, images shrunk or squashed to the model's size.</summary>
    /// <param name="ch">The channel the warnings go to.</param>
    /// <param name="input">The input column the rows were read from.</param>
    /// <param name="options">The settings the run trains with.</param>
    /// <param name="heldOut">How many images calibrate.</param>
    /// <param name="fineTuning">Whether the rows fine-tune a model, whose size and tiles are its training's.</param>
    public void WarnOfTraining(IChannel ch, SsmInput input, SsmOptions options, int heldOut, bool fineTuning)
    {
        if (FitWarnings.FewHeldOut(heldOut, Images.ImageCount, options) is { } few) ch.Warning(few);
        if (Anomalous > 0) ch.Warning(AnomalousTrainingRows.Warning(Anomalous, Images.ImageCount));
        if (DarkPictures.Warning(input, Brightest) is { } dark) ch.Warning(dark);
        if (ColourAsGrey) ch.Warning(ColourReadAsGrey.Warning(input, fineTuning));
        if (ResizeWarnings.Shrinking(Sizes, options.Grid, options.ImageSize, fineTuning) is { } shrunk) ch.Warning(shrunk);
        if (ResizeWarnings.Squashing(Sizes, options.Grid, options.ImageSize, fineTuning) is { } squashed) ch.Warning(squashed);
    }

    /// <summary>Reads every row of column <paramref name="col"/>. <paramref name="what"/> names the images in messages
    /// ("training", "calibration").</summary>
    /// <exception cref="InvalidOperationException">Images that could not be read or are too small: every one is named, by row
    /// and file, after reading all rows.</exception>
    public static NormalImageRows Read(IHost host, IChannel ch, IDataView input, SsmInput ssmInput, int col, SsmOptions options,
        string what, CancellationToken cancellation)
    {
        var images = new ImageCache(options.ImageSize, options.Network.InputChannels, options.Tiles);
        var label = AnomalousTrainingRows.FindLabel(input.Schema);
        if (AnomalousTrainingRows.UncheckedLabel(input.Schema, what) is { } uncheckedLabel) ch.Warning(uncheckedLabel);
        int anomalous = 0;
        float brightest = 0;
        bool colourReadAsGrey = false;
        var unreadable = new List<string>();
        int tooSmall = 0;
        var sizes = new List<(int Width, int Height)>();
        long? rows = input.GetRowCount();
        var reading = System.Diagnostics.Stopwatch.StartNew();
        var said = TimeSpan.Zero;
        var texts = SsmInput.NamingColumns(input.Schema, ssmInput.Kind);
        var active = new List<DataViewSchema.Column>(texts) { input.Schema[col] };
        if (label is { } l) active.Add(l);
        using (var cursor = input.GetRowCursor(active))
        {
            // Colour pictures for a grey model, seen as the reader reads them (ColourReadAsGrey): the first rows only.
            bool lookForColour = ssmInput.Channels == 1;
            var read = ssmInput.MakeReader(cursor, col, options.ReadSize,
                lookForColour ? picture => colourReadAsGrey |= cursor.Position < ColourReadAsGrey.RowsLooked && ColourReadAsGrey.HasColour(picture) : null);
            var named = SsmInput.RowNamer(cursor, texts);
            var pathGetter = ssmInput.Kind == SsmInputKind.Path ? cursor.GetGetter<ReadOnlyMemory<char>>(input.Schema[col]) : null;
            var bytesGetter = ssmInput.Kind == SsmInputKind.Encoded && lookForColour ? cursor.GetGetter<VBuffer<byte>>(input.Schema[col]) : null;
            var isAnomalous = label is { } labelColumn ? AnomalousTrainingRows.MakeTest(cursor, labelColumn) : null;
            while (cursor.MoveNext())
            {
                host.CheckAlive();
                cancellation.ThrowIfCancellationRequested();
                // Large photos take a while to decode: said every few seconds, so that a long wait is not taken for a hang.
                if (reading.Elapsed - said >= ReportInterval)
                {
                    said = reading.Elapsed;
                    rows ??= CountRows(input);
                    ch.Info("SSM: reading the {0} images: {1} of {2} read", what, cursor.Position, rows);
                }
                FloatImage image;
                // A file that cannot be read, or is too small to use, is listed with the others, so that one run names every one.
                try { image = read(cursor.Position); }
                catch (InvalidOperationException e) when (ssmInput.Kind is not SsmInputKind.Vector)
                {
                    unreadable.Add(named(e.Message));
                    continue;
                }
                if (ssmInput.Kind == SsmInputKind.Image) brightest = Math.Max(brightest, image.Pixels.Max());
                if (!colourReadAsGrey && lookForColour && ssmInput.Kind != SsmInputKind.Image && cursor.Position < ColourReadAsGrey.RowsLooked)
                    colourReadAsGrey = HoldsColour(ssmInput, pathGetter, bytesGetter);
                try { images.Add(image, $"at row {cursor.Position} of column '{ssmInput.ColumnName}'"); }
                catch (ArgumentException e) when (ssmInput.Kind is not SsmInputKind.Vector)   // files: under 8 x 8 is all that can fail here
                {
                    ReadOnlyMemory<char> path = default;
                    pathGetter?.Invoke(ref path);
                    unreadable.Add(named(e.Message) + (pathGetter is null ? "" : $" ('{path}')"));
                    tooSmall++;
                    continue;
                }
                sizes.Add(image.SourceSize);
                if (isAnomalous?.Invoke() == true) anomalous++;
            }
        }
        if (unreadable.Count > 0)
            throw new InvalidOperationException(
                $"{unreadable.Count} of {images.ImageCount + unreadable.Count} {what} images could not be read{(tooSmall > 0 ? " or are too small" : "")}; " +
                "each is needed (remove or replace it):" +
                string.Concat(unreadable.Take(MaxListedUnreadable).Select(m => $"{Environment.NewLine}  {m}")) +
                (unreadable.Count > MaxListedUnreadable ? $"{Environment.NewLine}  and {unreadable.Count - MaxListedUnreadable} more." : ""));
        return new NormalImageRows(images, sizes, anomalous, brightest, colourReadAsGrey);
    }

    /// <summary>Whether the current row's file or encoded bytes hold colour (<see cref="ColourReadAsGrey"/>).</summary>
    /// <param name="input">The input column, which resolves a relative path.</param>
    /// <param name="path">A path column's getter; null for other columns.</param>
    /// <param name="bytes">An encoded image column's getter; null for other columns.</param>
    private static bool HoldsColour(SsmInput input, ValueGetter<ReadOnlyMemory<char>>? path, ValueGetter<VBuffer<byte>>? bytes)
    {
        if (bytes is not null)
        {
            VBuffer<byte> buffer = default;
            bytes(ref buffer);
            return ImageFile.HoldsColour(buffer.DenseValues().ToArray());
        }
        if (path is null) return false;
        ReadOnlyMemory<char> text = default;
        path(ref text);
        return ImageFile.HoldsColour(input.ResolvePath(text.ToString()));
    }

    /// <summary>The rows of a data view that does not know their number (a text file, an enumerable): a cursor that reads
    /// no column, so no image is decoded.</summary>
    private static long CountRows(IDataView data)
    {
        long count = 0;
        using var cursor = data.GetRowCursor([]);
        while (cursor.MoveNext()) count++;
        return count;
    }

    /// <summary>How often reading says how far it is, once it takes that long.</summary>
    internal static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(5);

    /// <summary>How many unreadable files the error lists by name (it counts them all).</summary>
    internal const int MaxListedUnreadable = 20;
}
