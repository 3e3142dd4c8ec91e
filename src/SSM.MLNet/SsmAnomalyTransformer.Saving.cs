using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SSM.Core;

namespace SSM.MLNet;

// How the transformer is written into and read from a model zip (mlContext.Model.Save / Load).
public sealed partial class SsmAnomalyTransformer
{
    // Format versions: 0x00010001 initial; 0x00010002 adds the scoring batch size; 0x00010003 adds the image folder (path input);
    // 0x00010004 adds whether files are turned by their EXIF orientation; 0x00010005 the mask threshold.
    private const uint VersionScoringBatchSize = 0x00010002;
    private const uint VersionImageFolder = 0x00010003;
    private const uint VersionUpright = 0x00010004;
    private const uint VersionMaskThreshold = 0x00010005;

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "SSM-ANOM",
        verWrittenCur: VersionMaskThreshold,
        verReadableCur: VersionMaskThreshold,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(SsmAnomalyTransformer).Assembly.FullName);

    /// <summary>Writes the settings and the engine model (as the binary stream "SsmModel.bin") into the model zip.</summary>
    protected override void SaveModel(ModelSaveContext ctx)
    {
        Host.CheckValue(ctx, nameof(ctx));
        ThrowIfDisposed();
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        // *** Binary format ***
        // string: input column, score column, predicted label column; string or null: anomaly map column
        // int: input kind; int: channels, vector height, vector width; float: vector scale
        // int: normalisation; float: threshold
        // int: scoring batch size (since 0x00010002; older models read as DefaultScoringBatchSize)
        // string or null: image folder of path input (since 0x00010003; older models have none)
        // bool: files turned by their EXIF orientation (since 0x00010004; older models read them as stored)
        // bool, and float when true: the mask threshold (since 0x00010005; older models have none)
        // binary stream "SsmModel.bin": the engine model (SsmModel.Save: magic, version, settings, weights, SHA-256)
        ctx.SaveNonEmptyString(input.ColumnName);
        ctx.SaveNonEmptyString(ScoreColumnName);
        ctx.SaveNonEmptyString(PredictedLabelColumnName);
        ctx.SaveStringOrNull(AnomalyMapColumnName);
        ctx.Writer.Write((int)input.Kind);
        ctx.Writer.Write(input.Channels);
        ctx.Writer.Write(input.VectorHeight);
        ctx.Writer.Write(input.VectorWidth);
        ctx.Writer.Write(input.VectorScale);
        ctx.Writer.Write((int)ScoreNormalization);
        ctx.Writer.Write(Threshold);
        ctx.Writer.Write(ScoringBatchSize);
        ctx.SaveStringOrNull(input.ImageFolder);
        ctx.Writer.Write(input.Upright);
        ctx.Writer.Write(MaskThreshold is not null);
        if (MaskThreshold is { } maskThreshold) ctx.Writer.Write(maskThreshold);
        ctx.SaveBinaryStream(WeightsEntryName, w =>
        {
            w.Flush();
            Model.Save(w.BaseStream);
        });
    }

    // Called by ML.NET's ComponentCatalog for SignatureLoadModel (mlContext.Model.Load).
    private static SsmAnomalyTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        // ML.NET's own refusal of a newer format says "ML.NET 1.0.0.0 cannot read" (our assembly's version) with the two
        // version numbers swapped; the user needs to hear that the package is older than the model.
        var version = GetVersionInfo();
        // The same test as ML.NET's own (the oldest version that can read the file, against the newest this one writes).
        if (ctx.Header.ModelSignature == version.ModelSignature && ctx.Header.ModelVerReadable > version.VerWrittenCur)
            throw SSM.Core.IO.NewerFormat.Mark(new FormatException($"This model was saved by a newer SSM.MLNet (its format 0x{ctx.Header.ModelVerReadable:X8}; this version reads " +
                $"up to 0x{version.VerWrittenCur:X8}). Update the SSM.MLNet package to load it."));
        ctx.CheckAtModel(version);
        string inputColumn = ctx.LoadNonEmptyString();
        string scoreColumn = ctx.LoadNonEmptyString();
        string predictedColumn = ctx.LoadNonEmptyString();
        string? mapColumn = ctx.LoadStringOrNull();
        var kind = (SsmInputKind)ctx.Reader.ReadInt32();
        int channels = ctx.Reader.ReadInt32();
        int vectorHeight = ctx.Reader.ReadInt32();
        int vectorWidth = ctx.Reader.ReadInt32();
        float vectorScale = ctx.Reader.ReadSingle();
        var normalization = (SsmScoreNormalization)ctx.Reader.ReadInt32();
        float threshold = ctx.Reader.ReadSingle();
        int scoringBatchSize = ctx.Header.ModelVerWritten >= VersionScoringBatchSize ? ctx.Reader.ReadInt32() : DefaultScoringBatchSize;
        string? imageFolder = ctx.Header.ModelVerWritten >= VersionImageFolder ? ctx.LoadStringOrNull() : null;
        bool upright = ctx.Header.ModelVerWritten >= VersionUpright && ctx.Reader.ReadBoolean();
        float? maskThreshold = ctx.Header.ModelVerWritten >= VersionMaskThreshold && ctx.Reader.ReadBoolean() ? ctx.Reader.ReadSingle() : null;
        env.CheckDecode(float.IsFinite(threshold), "The threshold is not a finite number.");
        env.CheckDecode(maskThreshold is null || float.IsFinite(maskThreshold.Value), "The mask threshold is not a finite number.");
        env.CheckDecode(scoringBatchSize >= 1 && scoringBatchSize <= MaxScoringBatchSize, "Scoring batch size out of range.");
        env.CheckDecode(Enum.IsDefined(kind), "Unknown input kind.");
        env.CheckDecode(Enum.IsDefined(normalization), "Unknown score normalisation.");

        var device = SsmDevice.Resolve(env, null);
        SsmModel? model = null;
        if (!ctx.TryLoadBinaryStream(WeightsEntryName, r => model = SsmModel.Load(r.BaseStream, device)) || model is null)
            throw env.ExceptDecode($"The model has no '{WeightsEntryName}' entry with the SSM network.");
        try
        {
            // The zip's two parts are written together; a network of other channels is another model's (an entry swapped by
            // hand), which would load and then blame each image for its channels.
            int networkChannels = model.Options.Network.InputChannels;
            if (channels != networkChannels)
                throw env.ExceptDecode($"The model reads {channels}-channel images but its '{WeightsEntryName}' holds a network of {networkChannels} " +
                                       "channel(s): the file's parts are of two models. Save the model again from the transformer that scores as intended.");
            var input = new SsmInput(inputColumn, kind, channels, vectorHeight, vectorWidth, vectorScale, imageFolder, upright);
            return new SsmAnomalyTransformer(env, model, input, scoreColumn, predictedColumn, mapColumn, normalization, threshold, scoringBatchSize)
                { MaskThreshold = maskThreshold };
        }
        catch
        {
            model.Dispose();   // nothing holds it yet
            throw;
        }
    }

    // Called by ML.NET for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(env, ctx).MakeRowMapper(inputSchema);
}
