using SSM.Core.Data;
using SSM.Core.Network;
using SSM.Core.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core;

/// <summary>Score and anomaly map of one image.</summary>
/// <param name="Score">Image score: the maximum of the smoothed map of <see cref="ScoringOptions.ImageScoreError"/>, less the
/// normal maximum the image's original size predicts when the model has a size correction; at least the score of its
/// contrast when that lies far below the training images' (<see cref="Calibration.Contrast"/>).</param>
/// <param name="Map">Anomaly map of <see cref="SsmOptions.ReadSize"/> (S x S without tiles), row-major, higher = more anomalous.</param>
public sealed record ImageScore(float Score, float[] Map);

/// <summary>
/// A trained SSM model: the inpainting network, its settings and its calibration. Scoring is
/// thread-safe; <see cref="Save(Stream)"/> writes a self-checking file that <see cref="Load(Stream, Device?)"/> reads back.
/// </summary>
public sealed class SsmModel : IDisposable
{
    private AnomalyScorer? scorer;
    private readonly object scorerLock = new();
    private readonly object lifetime = new();
    private int callsInFlight;
    private bool disposed;

    internal SsmModel(InpaintingNetwork network, SsmOptions options, Calibration? calibration)
    {
        Network = network;
        Options = options;
        Calibration = calibration;
    }

    /// <summary>The inpainting network (evaluation mode after training).</summary>
    public InpaintingNetwork Network { get; }

    /// <summary>The settings the model was trained with.</summary>
    public SsmOptions Options { get; }

    /// <summary>Calibration from held-out normal images; null only while training.</summary>
    public Calibration? Calibration { get; internal set; }

    /// <summary>What the training did: epochs run, final loss, images; null while training and for models saved before it was recorded.</summary>
    public Training.TrainingSummary? TrainingSummary { get; internal set; }

    /// <summary>The fine-tunings of the network since <see cref="TrainingSummary"/>'s training, oldest first
    /// (<see cref="Training.SsmTrainer.FineTune"/>); null when there were none. The last one's held-out images calibrated the model,
    /// unless it was calibrated again since (<see cref="Scoring.Calibration.Recalibrated"/>).</summary>
    public IReadOnlyList<Training.FineTuning>? FineTunings { get; internal set; }

    /// <summary>What trained the network last: the last fine-tuning's summary, or the training's.</summary>
    public Training.TrainingSummary? LastTraining => FineTunings is [.., var last] ? last.Summary : TrainingSummary;

    /// <summary>The settings the network was trained with last: <see cref="Options"/> with the last fine-tuning's training
    /// settings, or <see cref="Options"/> itself; what <see cref="LastTraining"/> ran with.</summary>
    public SsmOptions LastTrainingOptions => FineTunings is [.., var last] ? Options with { Training = last.Training } : Options;

    /// <summary>The device the network lives on.</summary>
    public Device Device => Network.parameters().First().device;

    /// <summary>A scorer with an explicit refinement threshold (null = one round, no refinement); its maps are standardised
    /// when the model has map statistics. It scores with this model's network: <see cref="Dispose"/> does not wait for its
    /// calls, so dispose the model only after the scorer's last one.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public AnomalyScorer CreateScorer(float? refinementThreshold)
    {
        ThrowIfDisposed();
        return NewScorer(refinementThreshold);
    }

    /// <summary>The scorer with the calibrated threshold (created once, shared). Like <see cref="CreateScorer"/>'s, its
    /// calls are not waited for by <see cref="Dispose"/>; <see cref="Score"/> is.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public AnomalyScorer Scorer
    {
        get
        {
            ThrowIfDisposed();
            return SharedScorer();
        }
    }

    private AnomalyScorer NewScorer(float? refinementThreshold) => Calibration is { } calibration
        ? calibration.CreateScorer(Network, Options, refinementThreshold)
        : new(Network, Options, refinementThreshold);

    // No disposed check: a call in flight keeps scoring while Dispose waits for it.
    private AnomalyScorer SharedScorer()
    {
        lock (scorerLock)
            return scorer ??= NewScorer(Calibration?.RefinementThreshold);
    }

    /// <summary>Scores images of any size (resized to S x S, or cut into <see cref="SsmOptions.Tiles"/>; the size correction reads each one's
    /// <see cref="FloatImage.SourceSize"/>, so an image a caller resized already is judged by its size as given).</summary>
    /// <param name="images">The images, values in [0, 1].</param>
    /// <param name="batchSize">Images per engine call.</param>
    /// <exception cref="ObjectDisposedException">The model was disposed before the call.</exception>
    public IReadOnlyList<ImageScore> Score(IReadOnlyList<FloatImage> images, int batchSize = 8)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);   // 0 would loop for ever over empty batches
        return Use(() => ScoreNow(images, batchSize));
    }

    private List<ImageScore> ScoreNow(IReadOnlyList<FloatImage> images, int batchSize)
    {
        var results = new List<ImageScore>(images.Count);
        int s = Options.ImageSize, tiles = Options.Grid.Count;
        // At most a batch of tiles per engine call, and of images' tiles at a time, one image at least: 8 strips of 32 tiles
        // in one call held 3.7 GB of masked tiles, and 8 images of 961 overlapping tiles of 1024 px overflow an array.
        int imagesAtATime = Math.Max(1, batchSize / tiles);
        for (int start = 0; start < images.Count; start += imagesAtATime)
        {
            var cache = new ImageCache(s, Options.Network.InputChannels, Options.Tiles);
            int count = Math.Min(imagesAtATime, images.Count - start);
            // One image is just "the image": a caller scoring rows one by one names the row itself.
            for (int i = 0; i < count; i++) cache.Add(images[start + i], images.Count == 1 ? null : $"#{start + i}");
            var maps = Enumerable.Range(0, count).Select(_ => Options.Grid.EmptyMap(s)).ToArray();
            var values = new float[cache.Count];
            for (int from = 0; from < cache.Count; from += batchSize)
            {
                int n = Math.Min(batchSize, cache.Count - from);
                using var batch = cache.Batch(Enumerable.Range(from, n).ToArray());
                using var scored = SharedScorer().Score(batch, [.. Enumerable.Range(from, n).Select(cache.LogArea)]);
                using var cpu = scored.Maps.cpu();
                using var onCpu = cpu.contiguous();
                using var scores = scored.Scores.cpu();
                // Read where torch holds it, not copied into an array first (16 KB an image at 64 px).
                var tileMaps = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(onCpu.bytes);
                scores.data<float>().CopyTo(values, from);
                for (int k = 0; k < n; k++)
                {
                    int entry = from + k;
                    var tileMap = tileMaps.Slice(k * s * s, s * s);
                    if (tiles == 1) tileMap.CopyTo(maps[entry]);
                    else Options.Grid.Place(maps[entry / tiles], entry % tiles, tileMap, s);   // the tiles' maps put together
                }
            }
            // A tiled image scores as calibration scored it: its highest tile.
            var imageScores = Options.Grid.ImageScores(values);
            for (int i = 0; i < count; i++) results.Add(new ImageScore(imageScores[i], maps[i]));
        }
        return results;
    }

    /// <summary>
    /// A copy of this model calibrated on <paramref name="normalImages"/> instead of its held-out images: the refinement
    /// threshold, the map statistics, the size correction, the normal scores the decision threshold stands on and (with
    /// per-image normalisation) the contrast of normal frames are learnt again from them; the network and the settings
    /// are this model's, and so is <see cref="TrainingSummary"/>. For normal images the network has not seen, taken after
    /// a change of lamp or camera, or more of them than training could hold out. This model is not changed.
    /// </summary>
    /// <param name="normalImages">Normal images cached with this model's image size, channels and tiles.</param>
    /// <param name="progress">Images scored so far, as for a training's calibration.</param>
    /// <param name="batchSize">Images (tiles) per engine call.</param>
    /// <param name="cancellation">Checked between batches.</param>
    /// <exception cref="ArgumentException">Fewer than <see cref="MinimumCalibrationImages"/> images, or images cached for another
    /// size, number of channels or tiles than this model's.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed before the call.</exception>
    public SsmModel Recalibrated(ImageCache normalImages, IProgress<Training.CalibrationProgress>? progress = null, int batchSize = 8,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(normalImages);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (normalImages.ImageCount < MinimumCalibrationImages)
            throw new ArgumentException($"Calibrating needs at least {MinimumCalibrationImages} normal images (their scores' spread sets the " +
                                        $"threshold); got {normalImages.ImageCount}.", nameof(normalImages));
        normalImages.RequireCachedFor(Options, nameof(normalImages));
        return Use(() =>
        {
            // The contrast too: after a change of lamp the training images' contrast is no longer what a normal frame has.
            var calibration = Scoring.Calibration.Compute(Network, Options, normalImages, progress, batchSize, cancellation, contrast: null);
            return new SsmModel(CopyNetworkNow(), Options, calibration with { Recalibrated = true }) { TrainingSummary = TrainingSummary, FineTunings = FineTunings };
        });
    }

    /// <summary>A copy of the network, on <paramref name="device"/> (null: this model's), for a model made from this one.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed before the call.</exception>
    internal InpaintingNetwork CopyNetwork(Device? device = null) => Use(() => CopyNetworkNow(device));

    // The weights copied as a model file holds them.
    private InpaintingNetwork CopyNetworkNow(Device? device = null)
    {
        var network = Weights.Load(Options, Weights.Save(Network), "SSM model");
        try { network.to(device ?? Device); }
        catch
        {
            network.Dispose();
            throw;
        }
        return network;
    }

    /// <summary>Fewest normal images <see cref="Recalibrated"/> takes: as many as a training holds out at the least.</summary>
    public const int MinimumCalibrationImages = 2;

    /// <summary>Writes the model (settings, calibration, weights) with a format version and a SHA-256 over it all.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed before the call.</exception>
    public void Save(Stream stream) => Use(() => { SsmModelFile.Write(this, stream); return 0; });

    /// <summary>Saves to a file.</summary>
    public void Save(string path)
    {
        using var file = File.Create(path);
        Save(file);
    }

    /// <summary>Reads a model written by <see cref="Save(Stream)"/>; throws <see cref="InvalidDataException"/> for anything else.</summary>
    public static SsmModel Load(Stream stream, Device? device = null)
    {
        Torch.TorchNative.EnsureLoaded();
        return SsmModelFile.Read(stream, device);
    }

    /// <summary>Loads from a file.</summary>
    public static SsmModel Load(string path, Device? device = null)
    {
        using var file = File.OpenRead(path);
        return Load(file, device);
    }

    /// <summary>Frees the network's and the scorer's native (libtorch) memory; the model cannot score afterwards. Calls
    /// already scoring or saving on other threads finish first; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (lifetime)
        {
            if (disposed) return;
            disposed = true;
            // A server replacing its model disposes the old one while requests still score with it; freeing the tensors
            // under them would fail those requests with libtorch's "Tensor invalid -- empty handle".
            while (callsInFlight > 0) Monitor.Wait(lifetime);
        }
        lock (scorerLock) scorer?.Dispose();
        Network.Dispose();
    }

    private void ThrowIfDisposed()
    {
        lock (lifetime)
            if (disposed) throw Disposed();
    }

    private static ObjectDisposedException Disposed() =>
        new(nameof(SsmModel), "This SSM model was disposed; it can no longer score or be saved.");

    /// <summary>Runs <paramref name="work"/> on the network, which <see cref="Dispose"/> does not free until it returns.</summary>
    private T Use<T>(Func<T> work)
    {
        lock (lifetime)
        {
            if (disposed) throw Disposed();
            callsInFlight++;
        }
        try { return work(); }
        finally
        {
            lock (lifetime)
                if (--callsInFlight == 0) Monitor.PulseAll(lifetime);
        }
    }
}
