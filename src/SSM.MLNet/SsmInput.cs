using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Image;
using SSM.Core.Data;

namespace SSM.MLNet;

/// <summary>The kind of input column a model reads.</summary>
public enum SsmInputKind
{
    /// <summary>An image column (<see cref="MLImage"/>), any size; converted to the model's channels and resized.</summary>
    Image = 0,
    /// <summary>A vector of <see cref="float"/> in planar CHW layout with declared channels, height and width.</summary>
    Vector = 1,
    /// <summary>
    /// A text column of image file paths (relative ones resolved against <see cref="SsmAnomalyDetectionOptions.ImageFolder"/>),
    /// read strictly with <see cref="ImageFile.LoadResized"/>: a truncated or corrupt file fails, naming the path, column and row.
    /// </summary>
    Path = 2,
    /// <summary>
    /// A vector of <see cref="byte"/> holding a whole image file (PNG, JPEG, BMP, WebP, TIFF, JPEG 2000 or DICOM; a <c>byte[]</c> property): an
    /// upload or a blob, decoded strictly with <see cref="ImageFile.DecodeResized"/>, where <c>MLImage.CreateFromStream</c>
    /// would score a truncated file.
    /// </summary>
    Encoded = 3,
}

/// <summary>
/// How the input column is read and turned into engine images (internal helper; saved with the model, but for
/// <c>MaxPixels</c>, a limit of the program that scores: a loaded model has the default). Vector shape and
/// scale apply to <see cref="SsmInputKind.Vector"/> only; <c>ImageFolder</c> (the folder relative paths are resolved
/// against; null or empty: as given) to <see cref="SsmInputKind.Path"/> only. <c>Upright</c>: files (path and byte[] input)
/// are turned by their EXIF orientation, as photo viewers show them; models saved before it existed read them as stored.
/// </summary>
internal sealed record SsmInput(string ColumnName, SsmInputKind Kind, int Channels, int VectorHeight, int VectorWidth, float VectorScale,
    string? ImageFolder = null, bool Upright = true, long MaxPixels = SsmAnomalyDetectionOptions.DefaultMaxImagePixels)
{
    /// <summary>Whether the model reads image files (paths or encoded bytes), as opposed to pictures or vectors decoded upstream.</summary>
    internal bool ReadsFiles => Kind is SsmInputKind.Path or SsmInputKind.Encoded;

    // A vector of unknown size (a float[] without [VectorType]) is accepted: each row's length is checked as it is read.
    internal const string ExpectedType = "Image, vector of Single, Text path, or vector of Byte (an encoded image file)";

    internal int VectorLength => Channels * VectorHeight * VectorWidth;

    // The name ML.NET's estimators and transformers give the schema a column is missing from, whichever method was called.
    private const string InputSchema = "inputSchema";

    /// <summary>Decides the input kind from the training schema.</summary>
    internal static SsmInput FromSchema(IExceptionContext ectx, DataViewSchema schema, SsmAnomalyDetectionOptions options)
    {
        if (!schema.TryGetColumnIndex(options.InputColumnName, out int col))
            throw MissingColumn(ectx, InputSchema, options.InputColumnName, Describe(schema));
        var type = schema[col].Type;
        if (type is ImageDataViewType)
            return new SsmInput(options.InputColumnName, SsmInputKind.Image, options.Channels, 0, 0, 1f);
        if (type is TextDataViewType)
            return new SsmInput(options.InputColumnName, SsmInputKind.Path, options.Channels, 0, 0, 1f,
                string.IsNullOrEmpty(options.ImageFolder) ? null : options.ImageFolder, MaxPixels: options.MaxImagePixels);
        if (type is VectorDataViewType { ItemType: NumberDataViewType b } && b == NumberDataViewType.Byte)
            return new SsmInput(options.InputColumnName, SsmInputKind.Encoded, options.Channels, 0, 0, 1f, MaxPixels: options.MaxImagePixels);
        if (type is VectorDataViewType { ItemType: NumberDataViewType n } && n == NumberDataViewType.Single)
        {
            if (options.VectorWidth is not int w || options.VectorHeight is not int h || w < 1 || h < 1)
                throw VectorSizeMissing(ectx, options);
            var input = new SsmInput(options.InputColumnName, SsmInputKind.Vector, options.Channels, h, w, options.VectorScale);
            input.CheckColumn(ectx, schema);
            return input;
        }
        throw ectx.ExceptSchemaMismatch(InputSchema, "input", options.InputColumnName, ExpectedType, type.ToString());
    }

    /// <summary>
    /// The text columns that name a row whose image column cannot be read (LoadImages' path): an image column's reader cannot
    /// name the file it failed on. Columns named like a path or a file first, as a category or mask column is no help in
    /// finding the file; none for the other kinds of input, which name their own files or have none.
    /// </summary>
    internal static DataViewSchema.Column[] NamingColumns(DataViewSchema schema, SsmInputKind kind) => kind != SsmInputKind.Image ? [] :
        [.. schema.Where(c => !c.IsHidden && c.Type is TextDataViewType)
            .OrderBy(c => c.Name.Contains("path", StringComparison.OrdinalIgnoreCase) || c.Name.Contains("file", StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .Take(MaxNamingColumns)];

    /// <summary>How many text columns an unreadable image column's row is named by.</summary>
    private const int MaxNamingColumns = 2;

    /// <summary>Adds to a problem the current row's values of <paramref name="columns"/> (active in <paramref name="row"/>),
    /// but empty ones: "... (ImagePath: 'a.png')".</summary>
    internal static Func<string, string> RowNamer(DataViewRow row, IReadOnlyList<DataViewSchema.Column> columns)
    {
        var getters = columns.Select(c => (c.Name, Get: row.GetGetter<ReadOnlyMemory<char>>(c))).ToArray();
        return problem => problem + string.Concat(getters.Select(t =>
        {
            ReadOnlyMemory<char> v = default; t.Get(ref v);
            return v.Span.IsWhiteSpace() ? "" : $" ({t.Name}: '{v}')";   // an empty mask path names nothing
        }));
    }

    /// <summary>" at row N" for error messages, or nothing for a negative row: a PredictionEngine's rows have no number, only a
    /// count of its calls.</summary>
    internal static string AtRow(long row) => row < 0 ? "" : $" at row {row}";

    /// <summary>ML.NET's "Could not find input column", with what the data holds and how to name or make the column: in the
    /// options before training, in the data (or a property's [ColumnName]) for a trained model.</summary>
    private static Exception MissingColumn(IExceptionContext ectx, string parameter, string columnName, string present, SsmInputKind? trained = null) =>
        ectx.ExceptParam(parameter,
            $"Could not find input column '{columnName}'; the data has {present}. " + (trained is { } kind
                ? $"This model reads its images from column '{columnName}' ({Expected(kind)}): give the data that column (in an input class, a property " +
                  $"of that name, or [ColumnName(\"{columnName}\")] on one)" +
                  (kind is SsmInputKind.Path or SsmInputKind.Encoded ? ", or read another column with the model's WithPathInput / WithBytesInput." : ".") +
                  (kind is SsmInputKind.Image ? " " + CacheDropsImages : "")
                : $"Name the column that holds the images with {nameof(SsmAnomalyDetectionOptions.InputColumnName)} (inputColumnName), or make an " +
                  $"image column with mlContext.Transforms.LoadImages; a Text column of file paths, a vector of Single or a byte[] of an image file works as well. " +
                  CacheDropsImages));

    private const string CacheDropsImages =
        "(A cache, AppendCacheCheckpoint or mlContext.Data.Cache, drops image columns without a word: cache before LoadImages, or after this step.)";

    private static string Expected(SsmInputKind kind) => kind switch
    {
        SsmInputKind.Image => "an image of LoadImages",
        SsmInputKind.Path => "text: image file paths",
        SsmInputKind.Encoded => "a byte[] of a whole image file",
        _ => "a vector of Single",
    };

    /// <summary>The visible columns of <paramref name="schema"/> as error messages list them: 'Name' (Type), ...</summary>
    internal static string Describe(DataViewSchema schema) => Describe(schema.Where(c => !c.IsHidden).Select(c => (c.Name, $"{c.Type}")));

    private static string Describe(IEnumerable<(string Name, string Type)> columns) =>
        string.Join(", ", columns.Select(c => $"'{c.Name}' ({c.Type})")) is { Length: > 0 } listed ? listed : "no columns";

    // An option left unset, so an argument error naming it, as ML.NET's own option checks throw.
    private static Exception VectorSizeMissing(IExceptionContext ectx, SsmAnomalyDetectionOptions options) => ectx.ExceptUserArg(
        nameof(SsmAnomalyDetectionOptions.VectorWidth),
        $"Input column '{options.InputColumnName}' is a vector of Single: set {nameof(SsmAnomalyDetectionOptions.VectorWidth)} and " +
        $"{nameof(SsmAnomalyDetectionOptions.VectorHeight)} (and {nameof(SsmAnomalyDetectionOptions.Channels)}) in the options.");

    /// <summary>Checks a schema shape (estimator, before fitting): image, vector of Single (with its size in the options),
    /// text (paths) or vector of Byte (files).</summary>
    internal static void CheckShape(IExceptionContext ectx, SchemaShape shape, SsmAnomalyDetectionOptions options)
    {
        string columnName = options.InputColumnName;
        if (!shape.TryFindColumn(columnName, out var column))
            throw MissingColumn(ectx, InputSchema, columnName, Describe(shape.Select(c => (c.Name, c.GetTypeString()))));
        bool vector = column.Kind != SchemaShape.Column.VectorKind.Scalar;
        bool ok = (!vector && column.ItemType is ImageDataViewType or TextDataViewType)
            || (vector && (column.ItemType == NumberDataViewType.Single || column.ItemType == NumberDataViewType.Byte));
        if (!ok)
            throw ectx.ExceptSchemaMismatch(InputSchema, "input", columnName, ExpectedType, column.GetTypeString());
        if (vector && column.ItemType == NumberDataViewType.Single && (options.VectorWidth is not >= 1 || options.VectorHeight is not >= 1))
            throw VectorSizeMissing(ectx, options);
    }

    /// <summary>Checks a schema against this input (transformer); returns the column index.</summary>
    internal int CheckColumn(IExceptionContext ectx, DataViewSchema schema)
    {
        if (!schema.TryGetColumnIndex(ColumnName, out int col))
            throw MissingColumn(ectx, InputSchema, ColumnName, Describe(schema), Kind);
        var type = schema[col].Type;
        if (Kind == SsmInputKind.Image)
        {
            if (type is not ImageDataViewType)
                throw ectx.ExceptSchemaMismatch(InputSchema, "input", ColumnName, "Image", type.ToString());
        }
        else if (Kind == SsmInputKind.Path)
        {
            if (type is not TextDataViewType)
                throw ectx.ExceptSchemaMismatch(InputSchema, "input", ColumnName, "Text (image file path)", type.ToString());
        }
        else if (Kind == SsmInputKind.Encoded)
        {
            if (type is not VectorDataViewType { ItemType: NumberDataViewType b } || b != NumberDataViewType.Byte)
                throw ectx.ExceptSchemaMismatch(InputSchema, "input", ColumnName, "vector of Byte (an encoded image file)", type.ToString());
        }
        else
        {
            string expected = $"Vector<Single, {VectorLength}> ({Channels}x{VectorHeight}x{VectorWidth} CHW{(OtherChannels(type.GetValueCount()) is { } other ? "; " + other : "")})";
            if (type is not VectorDataViewType vec || vec.ItemType != NumberDataViewType.Single || (vec.Size != 0 && vec.Size != VectorLength))
                throw ectx.ExceptSchemaMismatch(InputSchema, "input", ColumnName, expected, type.ToString());
            // A column that says its shape (ExtractPixels: channels, height, width) must say ours: width and height swapped
            // have the same length, and would read each image scrambled without a word.
            // One channel interleaved (height x width x 1) lies in memory as one plane does: read as it is.
            bool greyInterleaved = Channels == 1 && vec.Dimensions is [var h, var w, 1] && h == VectorHeight && w == VectorWidth;
            if (vec.Dimensions.Length == 3 && !greyInterleaved && (vec.Dimensions[0] != Channels || vec.Dimensions[1] != VectorHeight || vec.Dimensions[2] != VectorWidth)
                || vec.Dimensions.Length == 2 && Channels == 1 && (vec.Dimensions[0] != VectorHeight || vec.Dimensions[1] != VectorWidth))
                throw ectx.ExceptSchemaMismatch(InputSchema, "input", ColumnName,
                    $"Vector<Single, {(vec.Dimensions.Length == 3 ? $"{Channels}, " : "")}{VectorHeight}, {VectorWidth}> (Channels, VectorHeight, VectorWidth: the column's own shape " +
                    $"is {string.Join(" x ", vec.Dimensions.ToArray())}; {ShapeAdvice(vec.Dimensions)})", type.ToString());
        }
        return col;
    }

    // A last dimension of 3 after two larger ones is ExtractPixels' interleavePixelColors: true (height x width x
    // channels), which no Channels can read: the engine reads each channel's plane whole.
    private static string ShapeAdvice(System.Collections.Immutable.ImmutableArray<int> dims) =>
        dims is [> 3, > 3, 3]
            ? $"its pixels are interleaved, height x width x channels: extract them with ExtractPixels(interleavePixelColors: false), " +
              $"channel by channel, and set Channels = {dims[2]}, VectorHeight = {dims[0]}, VectorWidth = {dims[1]}"
            : "set the options to it";

    /// <summary>
    /// A reader of the current row's input as an engine image; its argument is the row number used in error messages (negative: none).
    /// </summary>
    /// <param name="row">The row (cursor) to read from.</param>
    /// <param name="col">The input column's index in <paramref name="row"/>.</param>
    /// <param name="size">The size the model reads (<see cref="SSM.Core.SsmOptions.ReadSize"/>): images and files are read straight to it (keeping their own
    /// size as <see cref="FloatImage.SourceSize"/>), so a large photo is never held as full-size floats. Vectors keep
    /// their declared size.</param>
    /// <param name="inspect">Shown each picture as read, before it is converted (pictures only): the picture is the row's
    /// own, which a getter may share with the data's owner, so it is looked at, never kept or disposed.</param>
    internal Func<long, FloatImage> MakeReader(DataViewRow row, int col, (int Width, int Height) size, Action<MLImage>? inspect = null) => Kind switch
    {
        SsmInputKind.Image => MakeReader(row.GetGetter<MLImage>(row.Schema[col]), size, inspect),
        SsmInputKind.Path => MakeReader(row.GetGetter<ReadOnlyMemory<char>>(row.Schema[col]), size),
        SsmInputKind.Encoded => MakeReader(row.GetGetter<VBuffer<byte>>(row.Schema[col]), size),
        _ => MakeReader(row.GetGetter<VBuffer<float>>(row.Schema[col]), size),
    };

    /// <summary>
    /// A reader of the input value a getter gives (<see cref="ValueGetter{MLImage}"/> for images,
    /// <see cref="ValueGetter{VBuffer}"/> of Single for vectors and of Byte for encoded files, of <see cref="ReadOnlyMemory{T}"/> of
    /// char for paths) as an
    /// engine image; its argument is the row number used in error messages (negative: none).
    /// </summary>
    /// <inheritdoc cref="MakeReader(DataViewRow, int, ValueTuple{int, int}, Action{MLImage})" path="/param[@name='size']"/>
    internal Func<long, FloatImage> MakeReader(Delegate getter, (int Width, int Height) size, Action<MLImage>? inspect = null)
    {
        if (Kind == SsmInputKind.Path)
        {
            var get = (ValueGetter<ReadOnlyMemory<char>>)getter;
            ReadOnlyMemory<char> text = default;
            return row =>
            {
                get(ref text);
                string path = text.ToString();
                if (string.IsNullOrWhiteSpace(path))
                    throw new InvalidOperationException($"The image path in column '{ColumnName}'{AtRow(row)} is empty.");
                return LoadFile(ResolvePath(path), row, size);
            };
        }
        if (Kind == SsmInputKind.Encoded)
        {
            var get = (ValueGetter<VBuffer<byte>>)getter;
            VBuffer<byte> bytes = default;
            return row =>
            {
                get(ref bytes);
                if (bytes.Length == 0)
                    throw new InvalidOperationException($"The image data in column '{ColumnName}'{AtRow(row)} is empty.");
                var file = new byte[bytes.Length];
                bytes.CopyTo(file);
                try
                {
                    if (TooLarge(ImageFile.ReadHeader(file)) is { } large)
                        throw new InvalidOperationException($"The image in column '{ColumnName}'{AtRow(row)} {large}");
                    return ImageFile.DecodeResized(file, Channels, size.Height, size.Width, Upright);
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidOperationException($"Could not decode column '{ColumnName}'{AtRow(row)}: {e.Message}", e);
                }
            };
        }
        if (Kind == SsmInputKind.Image)
        {
            var get = (ValueGetter<MLImage>)getter;
            MLImage image = null!;
            return row =>
            {
                try { get(ref image); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new InvalidOperationException($"Could not read the image in column '{ColumnName}'{AtRow(row)}: {e.Message}", e);
                }
                if (image is null || image.Width < 1 || image.Height < 1)
                    throw new InvalidOperationException($"The image in column '{ColumnName}'{AtRow(row)} is missing or empty (a path that could not be read?).");
                inspect?.Invoke(image);
                return FromMLImage(image, Channels, (size.Height, size.Width));
            };
        }
        else
        {
            var get = (ValueGetter<VBuffer<float>>)getter;
            VBuffer<float> buffer = default;
            return row =>
            {
                get(ref buffer);
                if (buffer.Length != VectorLength)
                    throw new InvalidOperationException(
                        $"The vector in column '{ColumnName}'{AtRow(row)} has {buffer.Length} values; expected {Channels}x{VectorHeight}x{VectorWidth} = {VectorLength}" +
                        (OtherChannels(buffer.Length) is { } other ? $" ({other})." : "."));
                var pixels = new float[VectorLength];
                buffer.CopyTo(pixels);
                for (int i = 0; i < pixels.Length; i++)
                {
                    float v = pixels[i] * VectorScale;
                    if (!float.IsFinite(v))
                        throw new InvalidOperationException($"The vector in column '{ColumnName}'{AtRow(row)} has a NaN or infinite value at index {i}.");
                    // A little slack for rounding; anything further out means the scale is wrong, not a bright pixel.
                    if (v < -1e-3f || v > 1.001f)
                        throw new InvalidOperationException(
                            $"The vector in column '{ColumnName}'{AtRow(row)} has the value {pixels[i]} at index {i}, outside [0, 1] after scaling by {VectorScale}. " +
                            $"Set {nameof(SsmAnomalyDetectionOptions.VectorScale)} (e.g. 1/255f for 0..255 pixels).");
                    pixels[i] = Math.Clamp(v, 0f, 1f);
                }
                return new FloatImage(Channels, VectorHeight, VectorWidth, pixels);
            };
        }
    }

    /// <summary>Pixels in megapixels as messages give them: "400", "1.5"; three digits under one ("0.0328" for 512 x 64),
    /// where one decimal said "0".</summary>
    internal static string Megapixels(long pixels) => pixels >= 1_000_000
        ? (pixels / 1e6).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)
        : (pixels / 1e6).ToString("G3", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"is 20000x20000 pixels (400 megapixels): more than ..." when a header declares more than <see cref="MaxPixels"/>;
    /// null when it does not, or there is no header to read (the decoder then says what is wrong).</summary>
    private string? TooLarge(ImageHeader? header) =>
        header is { } h && MaxPixels > 0 && (long)h.Width * h.Height > MaxPixels
            ? FormattableString.Invariant(
                $"is {h.Width}x{h.Height} pixels ({Megapixels((long)h.Width * h.Height)} megapixels): more than the {MaxPixels:N0} the model decodes ({nameof(SsmAnomalyDetectionOptions.MaxImagePixels)}); raise it with {nameof(SsmAnomalyTransformer.WithMaxImagePixels)}, or 0 for no limit, if such images are meant to be read.")
            : null;

    /// <summary>What the engine's file readers throw for a file they cannot read (missing, unreadable, corrupt, truncated, another format).</summary>
    internal static bool IsUnreadableFile(Exception e) =>
        e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or NotSupportedException;

    /// <summary>"4096 is a grey image's size: this model reads colour (3 channels)" when <paramref name="values"/> is the size
    /// of this model's image in the other channel count (a grey image given to a colour model, or the reverse); else null.</summary>
    private string? OtherChannels(long values) =>
        values > 0 && values == (4 - Channels) * (long)VectorHeight * VectorWidth
            ? $"{values} is a {(Channels == 3 ? "grey" : "colour")} image's size: this model reads {(Channels == 3 ? "colour (3 channels)" : "grey (1 channel)")}"
            : null;

    /// <summary>A path from the input column, resolved as LoadImages does: combined with <see cref="ImageFolder"/> when one is set.</summary>
    internal string ResolvePath(string path) => string.IsNullOrEmpty(ImageFolder) ? path : System.IO.Path.Combine(ImageFolder, path);

    /// <summary>
    /// Reads an image file strictly (<see cref="ImageFile.LoadResized"/>: a truncated or corrupt file is refused, never partly
    /// decoded) in the model's channels and size; any failure names the file, the column and the row.
    /// </summary>
    private FloatImage LoadFile(string path, long row, (int Width, int Height) size)
    {
        try
        {
            if (TooLarge(ImageFile.ReadHeader(path)) is { } large)
                throw new InvalidOperationException($"The image file '{path}' in column '{ColumnName}'{AtRow(row)} {large}");
            return ImageFile.LoadResized(path, Channels, size.Height, size.Width, Upright);
        }
        catch (Exception e) when (IsUnreadableFile(e))
        {
            string reason = e is not (FileNotFoundException or DirectoryNotFoundException) ? e.Message
                : Directory.Exists(path) ? "it is a folder, not an image file"
                : System.IO.Path.IsPathFullyQualified(path) ? "the file does not exist"
                // A relative path is resolved against the process's current folder, which is rarely where the user thinks.
                : $"the file does not exist (looked for '{System.IO.Path.GetFullPath(path)}': a relative path is read from the current folder" +
                  (string.IsNullOrEmpty(ImageFolder) ? $"; set {nameof(SsmAnomalyDetectionOptions.ImageFolder)} to the folder it is relative to, " +
                                                       $"or on a loaded model call {nameof(SsmAnomalyTransformer.WithImageFolder)})" : ")");
            throw new InvalidOperationException($"Could not read the image file '{path}' in column '{ColumnName}'{AtRow(row)}: {reason}", e);
        }
    }

    /// <summary>
    /// Converts an <see cref="MLImage"/> (Bgra32 or Rgba32, 8 bits per channel) to planar floats in [0, 1], its colour bytes as
    /// ML.NET decoded them (premultiplied by alpha: transparent areas are black; not turned by EXIF orientation):
    /// R, G, B for 3 channels, BT.601 luminance for 1. With <paramref name="side"/>, the rows are resized to side x side as
    /// they are converted (<see cref="ImageResize.RowResampler"/>, the same values as resizing the full conversion), and
    /// the image's own size is kept as <see cref="FloatImage.SourceSize"/>.
    /// </summary>
    internal static FloatImage FromMLImage(MLImage image, int channels, int? side = null) =>
        FromMLImage(image, channels, side is { } s ? (s, s) : null);

    /// <summary>As <see cref="FromMLImage(MLImage, int, int?)"/>, resized to <paramref name="size"/> (height, width) while
    /// converting when given: a picture of a 12 MP photo never holds the photo as floats.</summary>
    internal static FloatImage FromMLImage(MLImage image, int channels, (int Height, int Width)? size)
    {
        int w = image.Width, h = image.Height;
        var format = image.PixelFormat;
        if (format is not (MLPixelFormat.Bgra32 or MLPixelFormat.Rgba32))
            throw new InvalidOperationException($"Unsupported pixel format {format}; expected Bgra32 or Rgba32.");
        var bytes = image.Pixels;
        int stride = bytes.Length / h;
        if (stride < 4 * w) throw new InvalidOperationException($"Image pixel data is too short: {bytes.Length} bytes for {w}x{h}.");
        int ri = format == MLPixelFormat.Rgba32 ? 0 : 2, bi = 2 - ri;
        var pixels = size is null ? new float[channels * h * w] : null;
        var resampler = size is { } to ? new ImageResize.RowResampler(channels, h, w, to.Height, to.Width) : null;
        var row = new float[w];
        for (int y = 0; y < h; y++)
        {
            var line = bytes.Slice(y * stride, 4 * w);
            for (int c = 0; c < channels; c++)
            {
                int offset = channels == 1 ? -1 : c == 0 ? ri : c == 1 ? 1 : bi;
                if (pixels is not null) ConvertRow(line, offset, ri, bi, pixels.AsSpan((c * h + y) * w, w));
                else
                {
                    ConvertRow(line, offset, ri, bi, row);
                    resampler!.Add(c, row);
                }
            }
        }
        return pixels is not null ? new FloatImage(channels, h, w, pixels) : resampler!.Result();
    }

    /// <summary>One byte of each pixel as a float (<paramref name="offset"/> 0-2), or the pixels' luminance (offset -1).</summary>
    private static void ConvertRow(ReadOnlySpan<byte> line, int offset, int ri, int bi, Span<float> row)
    {
        // As ImageFile converts a file's bytes, to the bit: a picture gives the score its file gives.
        for (int x = 0; x < row.Length; x++)
            row[x] = offset >= 0 ? line[4 * x + offset] / 255f : Luminance.Of(line[4 * x + ri], line[4 * x + 1], line[4 * x + bi]);
    }
}
