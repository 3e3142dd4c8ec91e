using System.Text.Json;
using System.Text.Json.Serialization;
using SSM.Core.IO;
using SSM.Core.Network;
using SSM.Core.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core;

/// <summary>
/// The model file (a <see cref="SignedFile"/>): settings and calibration as JSON, then the weights in
/// TorchSharp's tensor format (names, shapes and raw values: nothing in it is executed).
/// </summary>
internal static class SsmModelFile
{
    private static ReadOnlySpan<byte> Signature => "SSMMODEL"u8;
    /// <summary>2: input normalisation, restoration error and map statistics (their defaults changed with it).
    /// 3: the default cell sizes changed from S/64, S/32, S/16 to S/16, S/8, S/4.
    /// 4: the default scoring precision changed from Float32 to Auto.
    /// 5: the training precision is recorded (default Auto); earlier models were trained in Float32.
    /// 6: the number of scoring masks is recorded (default 6); earlier models scored with the training masks' number.
    /// 7: the image score's restoration error is recorded (then defaulting to MS-GMS); earlier models scored the maximum of their map.
    /// 8: size correction is recorded (default on); earlier models had none.
    /// 9: the normalisation's least standard deviation is recorded (default one 16-bit level); earlier models used one 8-bit level.
    /// 10: the training images' contrast is recorded (<see cref="Calibration.Contrast"/>); earlier models have none and
    /// score a frame without content by its flat map. A reader of format 9 would score such models so without a word.
    /// 11: the tiles each image is cut into are recorded (<see cref="SsmOptions.Tiles"/>); earlier models read whole images.
    /// A reader of format 10 would score a tiled model's whole images with a network trained on tiles.
    /// 12: tiles may overlap (<see cref="Data.TileGrid.Overlapping"/>); a reader of format 11 would score side-by-side tiles
    /// only, against a threshold calibrated on the highest of more tiles.</summary>
    public const int FormatVersion = 12;
    private const string Kind = "SSM model file";

    // TrainingSummary and FineTunings are optional: older files have none, and older readers ignore them (no new format
    // version; a fine-tuned model scores with them as it does here). FineTunings is not written when null, so a trained
    // model's file is byte for byte what it was.
    private sealed record Header(SsmOptions Options, Calibration? Calibration, Training.TrainingSummary? TrainingSummary = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Training.FineTuning>? FineTunings = null);

    public static void Write(SsmModel model, Stream stream)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(model.Options, model.Calibration, model.TrainingSummary, model.FineTunings));
        SignedFile.Write(stream, Signature, FormatOf(model.Options), header, Weights.Save(model.Network));
    }

    /// <summary>The oldest format that holds these settings: 10 for whole images, whose files are byte for byte what format 10
    /// wrote and which readers of format 10 read as they always did; 11 for side-by-side tiles, 12 for overlapping ones, which
    /// older readers must refuse.</summary>
    public static int FormatOf(SsmOptions options) => options.Tiles switch { null => 10, { Overlapping: false } => 11, _ => FormatVersion };

    public static SsmModel Read(Stream stream, Device? device)
    {
        var (version, sections) = SignedFile.Read(stream, Signature, FormatVersion, 2, Kind);
        var header = Json.Parse<Header>(sections[0], Kind);
        var options = header.Options ?? throw new InvalidDataException($"The {Kind} has no settings.");
        // Newest step first, down to the file's own format: what the same nested calls did, written once.
        for (int v = FormatVersion - 1; v >= version; v--) options = SettingsOfFormat[v - 1](options);
        Json.Validate(options, Kind);
        // Read only by programs that show a model's history, so a hand-edited entry ({}) stopped them, not scoring.
        foreach (var tuning in header.FineTunings ?? [])
        {
            if (tuning?.Training is null || tuning.Summary is null)
                throw new InvalidDataException($"The {Kind}'s record of a fine-tuning is incomplete (its training settings or summary are missing).");
            Json.Validate(options with { Training = tuning.Training }, Kind);
        }
        if (header.Calibration?.Invalid() is { } part)
            throw new InvalidDataException($"The {Kind}'s calibration holds values no training gives (in {part}).");
        var network = Weights.Load(options, sections[1], Kind);
        if (device is not null) network.to(device);
        return new SsmModel(network, options, header.Calibration) { TrainingSummary = header.TrainingSummary, FineTunings = header.FineTunings };
    }

    /// <summary>Entry v - 1 gives a format-v file's settings the meaning they had then, where a later default changed it
    /// (one entry per format before <see cref="FormatVersion"/>).</summary>
    private static readonly Func<SsmOptions, SsmOptions>[] SettingsOfFormat =
        [FormatOneSettings, FormatTwoSettings, FormatThreeSettings, FormatFourSettings, FormatFiveSettings, FormatSixSettings, FormatSevenSettings,
         FormatEightSettings, FormatNineSettings, FormatTenSettings, FormatElevenSettings];

    /// <summary>Before format 12 tiles lay side by side; overlapping is the default since.</summary>
    private static SsmOptions FormatElevenSettings(SsmOptions o) => o.Tiles is { } tiles ? o with { Tiles = tiles with { Overlapping = false } } : o;

    /// <summary>Format 11 added the tiles, whose absence reads as the whole image: a format-10 file's settings mean what they did.</summary>
    private static SsmOptions FormatTenSettings(SsmOptions o) => o;

    /// <summary>Format 10 added the contrast to the calibration, not a setting: a format-9 file reads without it.</summary>
    private static SsmOptions FormatNineSettings(SsmOptions o) => o;

    /// <summary>Before format 9 per-image normalisation divided by at least one 8-bit level (and the model was calibrated so).</summary>
    private static SsmOptions FormatEightSettings(SsmOptions o) => o with { NormalizationStdFloor = Data.InputNormalizer.EightBitStdFloor };

    /// <summary>Before format 8 no model corrected its scores for the images' original size (nor calibrated so).</summary>
    private static SsmOptions FormatSevenSettings(SsmOptions o) => o with
    {
        Scoring = o.Scoring with { SizeCorrection = false },
    };

    /// <summary>Before format 7 the image score was the maximum of the anomaly map (and calibrated so).</summary>
    private static SsmOptions FormatSixSettings(SsmOptions o) => o with
    {
        Scoring = o.Scoring with { ImageScoreError = o.Scoring.Error },
    };

    /// <summary>Before format 6 a model scored with as many masks per cell size as it trained with (and was calibrated so).</summary>
    private static SsmOptions FormatFiveSettings(SsmOptions o) => o with
    {
        Masking = o.Masking with { ScoringGroups = o.Masking.Groups },
    };

    /// <summary>Before format 5 every model was trained in float32 (the file had no training precision entry).</summary>
    private static SsmOptions FormatFourSettings(SsmOptions o) => o with
    {
        Training = o.Training with { Precision = NetworkPrecision.Float32 },
    };

    /// <summary>Auto did not exist before format 4: a file that reads as Auto had no precision entry and scored in float32.</summary>
    private static SsmOptions FormatThreeSettings(SsmOptions o) => o.Scoring.Precision != NetworkPrecision.Auto ? o : o with
    {
        Scoring = o.Scoring with { Precision = NetworkPrecision.Float32 },
    };

    /// <summary>A file before format 3 that left the cell sizes to the default was trained with the default of its time.</summary>
    private static SsmOptions FormatTwoSettings(SsmOptions o) => o.Masking.CellSizes is not null ? o : o with
    {
        Masking = o.Masking with { CellSizes = MaskingOptions.AuthorsCellSizes(o.ImageSize) },
    };

    /// <summary>A format-1 file has no entries for the settings added in format 2: it was trained and calibrated with
    /// what were then the only behaviours, not with today's defaults.</summary>
    private static SsmOptions FormatOneSettings(SsmOptions o) => o with
    {
        Normalization = Data.InputNormalization.None,
        Scoring = o.Scoring with
        {
            Error = RestorationError.MsGms,
            ImageScoreError = RestorationError.MsGms,   // set here too: the format-6 step ran first, on the default Error
            StandardizeMaps = false,
            SmoothingSigma = o.Scoring.SmoothingSigma ?? 7.0 * o.ImageSize / 128,
        },
    };
}

/// <summary>Network weights to and from bytes, checked against the settings they claim to fit.</summary>
internal static class Weights
{
    public static byte[] Save(InpaintingNetwork network)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            // TorchSharp copies device tensors to the CPU as it writes, so a GPU-trained model loads anywhere.
            network.save(writer);
        return buffer.ToArray();
    }

    public static InpaintingNetwork Load(SsmOptions options, byte[] weights, string kind)
    {
        // Checked before the network is built from the settings: a file claiming width 1024 and depth 8 beside a few KB of
        // weights made libtorch allocate gigabytes before the weights could be found not to fit.
        long fewest = FewestBytes(options.Network);
        if (weights.Length < fewest)
            throw new InvalidDataException($"The {kind}'s weights ({weights.Length} bytes) are too few for its network settings (base width " +
                                           $"{options.Network.BaseWidth}, depth {options.Network.Depth}: at least {fewest} bytes).");
        var network = new InpaintingNetwork(options.Network);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(weights, writable: false));
            network.load(reader, strict: true);
        }
        catch (Exception e)
        {
            network.Dispose();
            throw new InvalidDataException($"The {kind}'s weights do not match its network settings.", e);
        }
        // A weight that is not a number makes every score NaN, and NaN passes no threshold: every image would pass.
        if (NotFinite(network) is { } bad)
        {
            network.Dispose();
            throw new InvalidDataException($"The {kind}'s weights hold values that are not finite numbers (in {bad}).");
        }
        network.eval();
        return network;
    }

    /// <summary>The name of the first weight or buffer holding NaN or an infinity; null when there is none.</summary>
    private static string? NotFinite(InpaintingNetwork network)
    {
        using var scope = NewDisposeScope();
        return network.state_dict().Where(p => p.Value.is_floating_point() && !isfinite(p.Value).all().item<bool>()).Select(p => p.Key).FirstOrDefault();
    }

    /// <summary>A lower bound of a network's saved size: the float32 weights of each level's last 3 x 3 convolution,
    /// width to width (<see cref="InpaintingNetwork"/> has more).</summary>
    internal static long FewestBytes(InpaintingNetworkOptions network) =>
        network.LevelWidths().Sum(w => 4L * 9 * w * w);
}

/// <summary>JSON headers, with settings validated before anything is built from them.</summary>
internal static class Json
{
    public static T Parse<T>(byte[] utf8, string kind)
    {
        T? value;
        try { value = JsonSerializer.Deserialize<T>(utf8); }
        catch (JsonException e) { throw new InvalidDataException($"The {kind}'s settings are unreadable.", e); }
        return value ?? throw new InvalidDataException($"The {kind} has no settings.");
    }

    public static void Validate(SsmOptions options, string kind)
    {
        try { options.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"The {kind}'s settings are invalid: {e.Message}", e); }
    }
}
