namespace SSM.MLNet;

// The With... methods: this transformer with one thing changed, sharing its network.
public sealed partial class SsmAnomalyTransformer
{
    /// <summary>
    /// A transformer identical to this one but whose predicted masks mark every AnomalyMap value at or above
    /// <paramref name="maskThreshold"/> (map units; <see cref="MaskThreshold"/>), or, with null, where the verdict lies
    /// again. Scores and labels do not change; the network is shared, as with <see cref="WithThreshold"/>. Saving the
    /// result saves the mask threshold.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maskThreshold"/> is not a finite number.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer WithMaskThreshold(float? maskThreshold)
    {
        if (maskThreshold is { } t && !float.IsFinite(t))
            throw new ArgumentOutOfRangeException(nameof(maskThreshold), t, "The mask threshold must be a finite number, or null for the verdict's own line.");
        ThrowIfDisposed();
        var copy = Copy();
        copy.MaskThreshold = maskThreshold;
        return copy;
    }

    /// <summary>
    /// A transformer identical to this one but with another decision threshold (in Score units). No retraining: the
    /// network is shared (it stays alive until every transformer using it is disposed). Saving the result saves the new threshold.
    /// </summary>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer WithThreshold(float threshold)
    {
        ThrowIfDisposed();   // now, not at the copy's first use: the copy would share a network that may be freed
        return Copy(threshold: threshold);
    }

    /// <summary>
    /// A transformer identical to this one but whose <see cref="Transform"/> scores <paramref name="scoringBatchSize"/> rows per
    /// engine call (1 to <see cref="MaxScoringBatchSize"/>). The network is shared, as with <see cref="WithThreshold"/>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer WithScoringBatchSize(int scoringBatchSize)
    {
        ThrowIfDisposed();
        return Copy(scoringBatchSize: scoringBatchSize);
    }

    /// <summary>
    /// A transformer identical to this one but reading relative paths from <paramref name="imageFolder"/> (null or empty: as
    /// given, from the current folder): for a loaded model whose paths are relative to another folder on this machine. The
    /// network is shared, as with <see cref="WithThreshold"/>. Saving the result saves the new folder.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model reads images, vectors or bytes, not file paths.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer WithImageFolder(string? imageFolder)
    {
        ThrowIfDisposed();
        if (InputKind != SsmInputKind.Path)
            throw new InvalidOperationException($"This model reads column '{InputColumnName}' as {InputKind}, not as file paths: it has no image folder.");
        ThrowIfBlank(imageFolder);
        return Copy(input with { ImageFolder = string.IsNullOrEmpty(imageFolder) ? null : imageFolder });
    }

    /// <summary>
    /// A transformer identical to this one but refusing image files whose header declares more than
    /// <paramref name="maxImagePixels"/> pixels (0: no limit), before decoding them; for a server that takes uploads, a
    /// limit of what it means to read. The network is shared, as with <see cref="WithThreshold"/>. Not saved.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model reads <c>LoadImages</c> pictures or pixel vectors, which arrive decoded.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxImagePixels"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer WithMaxImagePixels(long maxImagePixels)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(maxImagePixels);
        if (!input.ReadsFiles)
            throw new InvalidOperationException($"This model reads column '{InputColumnName}' as {InputKind}, which arrives decoded: it has no file to refuse.");
        return Copy(input with { MaxPixels = maxImagePixels });
    }

    /// <summary>
    /// A transformer identical to this one but reading whole image files from the <c>byte[]</c> column
    /// <paramref name="inputColumnName"/> (<see cref="SsmInputKind.Encoded"/>): to serve uploads with a model trained on file
    /// paths, such as <c>ssm train</c>'s. Paths and bytes are decoded by the same reader, so an upload scores exactly as its
    /// file does. The network is shared, as with <see cref="WithThreshold"/>. Saving the result saves the new input.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model reads <c>LoadImages</c> pictures or pixel vectors, which are decoded
    /// otherwise (not turned upright, or not decoded at all): it cannot read files.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputColumnName"/> is null, blank or the name of an output column.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer WithBytesInput(string inputColumnName) => WithFileInput(SsmInputKind.Encoded, inputColumnName, null);

    /// <summary>
    /// A transformer identical to this one but reading image files from the paths in the text column
    /// <paramref name="inputColumnName"/> (<see cref="SsmInputKind.Path"/>; relative ones from <paramref name="imageFolder"/>):
    /// a model trained on uploaded bytes, run on files (<c>ssm evaluate</c> and <c>predict</c> do so). As
    /// <see cref="WithBytesInput"/> otherwise.
    /// </summary>
    /// <exception cref="InvalidOperationException">As for <see cref="WithBytesInput"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputColumnName"/> is null, blank or the name of an output column.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer WithPathInput(string inputColumnName, string? imageFolder = null) =>
        WithFileInput(SsmInputKind.Path, inputColumnName, imageFolder);

    private SsmAnomalyTransformer WithFileInput(SsmInputKind kind, string inputColumnName, string? imageFolder)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        if (inputColumnName == ScoreColumnName || inputColumnName == PredictedLabelColumnName || inputColumnName == AnomalyMapColumnName)
            throw new ArgumentException($"'{inputColumnName}' is the name of one of this model's output columns, which would hide the images it reads: name the input otherwise.", nameof(inputColumnName));
        ThrowIfBlank(imageFolder);
        if (!input.ReadsFiles)
            throw new InvalidOperationException($"This model reads column '{InputColumnName}' as {InputKind}, not as image files: it was trained on what " +
                (InputKind == SsmInputKind.Image ? "LoadImages decoded (not turned by EXIF orientation)" : "pixel vectors") + ", so it cannot read files as it was trained. A model trained on a column of file paths (InputColumnName naming a text column) reads paths and bytes alike.");
        return Copy(input with { ColumnName = inputColumnName, Kind = kind, ImageFolder = kind == SsmInputKind.Path && !string.IsNullOrEmpty(imageFolder) ? imageFolder : null });
    }

    // Blanks name no folder: refused as the options refuse them, not joined to every path.
    private static void ThrowIfBlank(string? imageFolder, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(imageFolder))] string? parameter = null)
    {
        if (imageFolder is { Length: > 0 } && string.IsNullOrWhiteSpace(imageFolder))
            throw new ArgumentException("Give a folder path, or null or empty for paths as given.", parameter);
    }

    /// <summary>This transformer with one thing changed, sharing its network (the With... methods).</summary>
    private SsmAnomalyTransformer Copy(SsmInput? input = null, float? threshold = null, int? scoringBatchSize = null) =>
        new(Host, shared, input ?? this.input, ScoreColumnName, PredictedLabelColumnName, AnomalyMapColumnName, ScoreNormalization,
            threshold ?? Threshold, scoringBatchSize ?? ScoringBatchSize) { MaskThreshold = MaskThreshold };
}
