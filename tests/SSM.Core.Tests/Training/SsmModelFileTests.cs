using System.Text.Json;
using SSM.Core.IO;

namespace SSM.Core.Tests.Training;

public class SsmModelFileTests : IClassFixture<TinyModelFixture>
{
    private readonly TinyModelFixture fixture;

    public SsmModelFileTests(TinyModelFixture fixture) => this.fixture = fixture;

    private byte[] Saved()
    {
        using var stream = new MemoryStream();
        fixture.Model.Save(stream);
        return stream.ToArray();
    }

    [Fact]
    public void SaveThenLoadGivesIdenticalScoresMapsAndSettings()
    {
        using var loaded = SsmModel.Load(new MemoryStream(Saved()));
        var probe = fixture.Data.Test.Take(4).Select(t => t.Image).ToList();
        var before = fixture.Model.Score(probe);
        var after = loaded.Score(probe);
        for (int i = 0; i < probe.Count; i++)
        {
            Assert.Equal(before[i].Score, after[i].Score);
            Assert.Equal(before[i].Map, after[i].Map);
        }
        Assert.Equal(fixture.Model.Options.ImageSize, loaded.Options.ImageSize);
        Assert.Equal(fixture.Model.Options.Network, loaded.Options.Network);
        Assert.Equal(fixture.Model.Options.Scoring, loaded.Options.Scoring);
        Assert.Equal(fixture.Model.Calibration!.RefinementThreshold, loaded.Calibration!.RefinementThreshold);
        Assert.Equal(fixture.Model.Calibration.NormalImageScores, loaded.Calibration.NormalImageScores);
        Assert.NotNull(fixture.Model.TrainingSummary);
        Assert.Equal(fixture.Model.TrainingSummary, loaded.TrainingSummary);
    }

    /// <summary>A model of whole images is written in format 10, byte for byte as before tiles, so that older readers keep
    /// reading it; a tiled one in 11, which they refuse instead of scoring its images whole.</summary>
    [Fact]
    public void WholeImageModelsKeepFormat10_SideBySideTilesAre11_OverlappingOnes12()
    {
        Assert.Equal(10, SignedFile.Read(new MemoryStream(Saved()), "SSMMODEL"u8, SsmModelFile.FormatVersion, 2, "test").Version);
        Assert.DoesNotContain("\"Tiles\"", System.Text.Encoding.UTF8.GetString(SignedFile.Read(new MemoryStream(Saved()), "SSMMODEL"u8, 10, 2, "test").Sections[0]));
        var sideBySide = fixture.Model.Options with { Tiles = new SSM.Core.Data.TileGrid(2, 1, Overlapping: false) };
        var overlapping = fixture.Model.Options with { Tiles = new SSM.Core.Data.TileGrid(2, 1) };
        Assert.Equal((11, 12), (SsmModelFile.FormatOf(sideBySide), SsmModelFile.FormatOf(overlapping)));
        using (var loaded = LoadAsFormat(overlapping, 12)) Assert.Equal(new SSM.Core.Data.TileGrid(2, 1, Overlapping: true), loaded.Options.Tiles);
        // A format-11 file's tiles lay side by side, whatever today's default says.
        using (var loaded = LoadAsFormat(overlapping, 11)) Assert.Equal(new SSM.Core.Data.TileGrid(2, 1, Overlapping: false), loaded.Options.Tiles);
        using var whole = LoadAsFormat(fixture.Model.Options, 10);
        Assert.Null(whole.Options.Tiles);
    }

    /// <summary>The fixture's network written with <paramref name="options"/> (and its calibration, or <paramref name="calibration"/>)
    /// in a given file format, then loaded.</summary>
    private SsmModel LoadAsFormat(SsmOptions options, int version, SSM.Core.Scoring.Calibration? calibration = null)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new { Options = options, Calibration = calibration ?? fixture.Model.Calibration });
        using var stream = new MemoryStream();
        SignedFile.Write(stream, "SSMMODEL"u8, version, header, Weights.Save(fixture.Model.Network));
        stream.Position = 0;
        return SsmModel.Load(stream);
    }

    [Fact]
    public void AFormatThreeFileScoresInFloat32ThoughTodaysDefaultIsAuto()
    {
        // Format 3 had no Auto: a file without a precision entry deserialises to today's default, Auto, and must mean Float32.
        var options = fixture.Model.Options with { Scoring = fixture.Model.Options.Scoring with { Precision = NetworkPrecision.Auto } };
        using var loaded = LoadAsFormat(options, 3);
        Assert.Equal(NetworkPrecision.Float32, loaded.Options.Scoring.Precision);

        using var current = SsmModel.Load(new MemoryStream(Saved()));
        Assert.Equal(fixture.Model.Options.Scoring.Precision, current.Options.Scoring.Precision);
    }

    [Fact]
    public void AFormatFourFileRecordsFloat32TrainingThoughTodaysDefaultIsAuto()
    {
        // Format 4 had no training precision: its models were trained in float32, whatever today's default says.
        var options = fixture.Model.Options with { Training = fixture.Model.Options.Training with { Precision = NetworkPrecision.Auto } };
        using var loaded = LoadAsFormat(options, 4);
        Assert.Equal(NetworkPrecision.Float32, loaded.Options.Training.Precision);
        Assert.Equal(options.Scoring.Precision, loaded.Options.Scoring.Precision);

        using var current = SsmModel.Load(new MemoryStream(Saved()));
        Assert.Equal(fixture.Model.Options.Training.Precision, current.Options.Training.Precision);
    }

    [Fact]
    public void AFormatFiveFileScoresWithItsTrainingMasksThoughTodaysDefaultIsSix()
    {
        // Format 5 had no scoring-mask count: its models scored (and were calibrated) with the training masks' n.
        var options = fixture.Model.Options with { Masking = fixture.Model.Options.Masking with { Groups = 4, ScoringGroups = 6 } };
        using var loaded = LoadAsFormat(options, 5);
        Assert.Equal(4, loaded.Options.Masking.ScoringGroups);
        Assert.Equal(options.Training.Precision, loaded.Options.Training.Precision);

        using var current = SsmModel.Load(new MemoryStream(Saved()));
        Assert.Equal(fixture.Model.Options.Masking.ScoringGroups, current.Options.Masking.ScoringGroups);
    }

    [Fact]
    public void AFormatSixFileScoresTheMaximumOfItsMap()
    {
        // Format 6 had no image-score error: the score was the maximum of the map, calibrated so.
        var options = fixture.Model.Options with { Scoring = fixture.Model.Options.Scoring with { Error = RestorationError.Both, ImageScoreError = RestorationError.MsGms } };
        using var loaded = LoadAsFormat(options, 6);
        Assert.Equal(RestorationError.Both, loaded.Options.Scoring.ImageScoreError);
        Assert.Equal(options.Masking.ScoringGroups, loaded.Options.Masking.ScoringGroups);

        using var current = SsmModel.Load(new MemoryStream(Saved()));
        Assert.Equal(fixture.Model.Options.Scoring.ImageScoreError, current.Options.Scoring.ImageScoreError);
    }

    [Fact]
    public void AFormatSevenFileHasNoSizeCorrectionAndACurrentFilesSizeEffectIsReadBack()
    {
        // Format 7 had no size correction: its scores were calibrated without one.
        var options = fixture.Model.Options with { Scoring = fixture.Model.Options.Scoring with { SizeCorrection = true } };
        using (var loaded = LoadAsFormat(options, 7))
            Assert.False(loaded.Options.Scoring.SizeCorrection);

        var calibration = fixture.Model.Calibration! with { SizeEffect = new SSM.Core.Scoring.SizeEffect(1.5f, -0.25f, 3f, -0.5f, 9.5, 12.25) };
        using var current = LoadAsFormat(options, SsmModelFile.FormatVersion, calibration);
        Assert.True(current.Options.Scoring.SizeCorrection);
        Assert.Equal(calibration.SizeEffect, current.Calibration!.SizeEffect);
    }

    [Fact]
    public void AFormatEightFileNormalisesWithTheEightBitFloorItWasCalibratedWith()
    {
        // Format 8 had no floor entry: a file without one deserialises to today's 16-bit floor, and must mean one 8-bit level.
        var options = fixture.Model.Options with { Normalization = SSM.Core.Data.InputNormalization.PerImage };
        using (var loaded = LoadAsFormat(options, 8))
            Assert.Equal(SSM.Core.Data.InputNormalizer.EightBitStdFloor, loaded.Options.NormalizationStdFloor);

        using var current = LoadAsFormat(options with { NormalizationStdFloor = 0.01f }, SsmModelFile.FormatVersion);
        Assert.Equal(0.01f, current.Options.NormalizationStdFloor);
    }

    [Fact]
    public void AFormatNineFileHasNoContrastAndACurrentFilesContrastIsReadBack()
    {
        // A format-9 file goes through format 10's step (loading fails if the step is missing) and has no contrast.
        var options = fixture.Model.Options with { Normalization = SSM.Core.Data.InputNormalization.PerImage };
        using (var loaded = LoadAsFormat(options, 9))
        {
            Assert.Null(loaded.Calibration!.Contrast);
            Assert.Null(loaded.Scorer.LowContrast);
        }

        var calibration = fixture.Model.Calibration! with { Contrast = new SSM.Core.Scoring.ContrastRange(-2.25, 0.36) };
        using var current = LoadAsFormat(options, SsmModelFile.FormatVersion, calibration);
        Assert.Equal(calibration.Contrast, current.Calibration!.Contrast);
        Assert.NotNull(current.Scorer.LowContrast);
    }

    [Fact]
    public void TruncatedFileIsRefused()
    {
        var bytes = Saved();
        var e = Assert.Throws<InvalidDataException>(() => SsmModel.Load(new MemoryStream(bytes[..(bytes.Length / 2)])));
        Assert.Contains("integrity", e.Message);
    }

    [Fact]
    public void FlippedBitIsRefused()
    {
        var bytes = Saved();
        bytes[bytes.Length / 2] ^= 0x10;
        var e = Assert.Throws<InvalidDataException>(() => SsmModel.Load(new MemoryStream(bytes)));
        Assert.Contains("integrity", e.Message);
    }

    [Theory]
    [InlineData(1)]     // the next format: the boundary
    [InlineData(89)]
    public void NewerFormatIsRefusedWithAClearMessage(int above)
    {
        var bytes = Saved();
        int version = SsmModelFile.FormatVersion + above;
        BitConverter.GetBytes(version).CopyTo(bytes, 8);
        var e = Assert.Throws<InvalidDataException>(() => SsmModel.Load(new MemoryStream(bytes)));
        Assert.Contains($"format version {version}", e.Message);
        Assert.True(SSM.Core.IO.NewerFormat.Is(e));
    }

    /// <summary>Settings claiming a network far larger than the weights beside them are refused before it is built (a
    /// crafted file's width 1024 and depth 8 made libtorch allocate gigabytes first).</summary>
    [Fact]
    public void SettingsClaimingAFarLargerNetworkAreRefusedBeforeItIsBuilt()
    {
        var claimed = fixture.Model.Options with { Network = fixture.Model.Options.Network with { BaseWidth = 1024 } };
        var e = Assert.Throws<InvalidDataException>(() => LoadAsFormat(claimed, SsmModelFile.FormatVersion));
        Assert.Contains($"are too few for its network settings (base width 1024, depth {claimed.Network.Depth}: at least", e.Message);
        // The lower bound holds for the real network: its own weights are more.
        Assert.InRange(Weights.FewestBytes(fixture.Model.Options.Network), 1, Weights.Save(fixture.Model.Network).Length);
    }

    /// <summary>A weight that is not a number would make every score NaN, which passes any threshold check as "normal".</summary>
    [Fact]
    public void WeightsThatAreNotFiniteAreRefused()
    {
        using var copy = SsmModel.Load(new MemoryStream(Saved()));
        using (TorchSharp.torch.no_grad()) copy.Network.parameters().Last().fill_(float.NaN);
        var header = JsonSerializer.SerializeToUtf8Bytes(new { fixture.Model.Options, fixture.Model.Calibration });
        using var stream = new MemoryStream();
        SignedFile.Write(stream, "SSMMODEL"u8, SsmModelFile.FormatVersion, header, Weights.Save(copy.Network));
        stream.Position = 0;
        var e = Assert.Throws<InvalidDataException>(() => SsmModel.Load(stream));
        Assert.Contains("weights hold values that are not finite numbers (in ", e.Message);
    }

    /// <summary>A calibration no training gives (a crafted file's contrast of 1e308) made every score NaN.</summary>
    [Fact]
    public void ACalibrationNoTrainingGivesIsRefused()
    {
        var calibration = fixture.Model.Calibration! with { Contrast = new SSM.Core.Scoring.ContrastRange(1e308, 0) };
        var e = Assert.Throws<InvalidDataException>(() => LoadAsFormat(fixture.Model.Options, SsmModelFile.FormatVersion, calibration));
        Assert.Contains("calibration holds values no training gives (in Contrast)", e.Message);
        Assert.Null(fixture.Model.Calibration.Invalid());
        Assert.Equal("NormalImageScores", (fixture.Model.Calibration with { NormalImageScores = [1, float.MaxValue * 2] }).Invalid());
    }

    [Fact]
    public void AHeaderWithoutSettingsIsRefusedInWords()
    {
        using var stream = new MemoryStream();
        SignedFile.Write(stream, "SSMMODEL"u8, SsmModelFile.FormatVersion, "{}"u8.ToArray(), Weights.Save(fixture.Model.Network));
        stream.Position = 0;
        Assert.Equal("The SSM model file has no settings.", Assert.Throws<InvalidDataException>(() => SsmModel.Load(stream)).Message);
    }

    /// <summary>A hand-edited history ({} for a fine-tuning) is refused at load, in words: it loaded, and the programs that
    /// show a model's history stopped with a NullReferenceException.</summary>
    [Theory]
    [InlineData("[{}]")]
    [InlineData("[null]")]
    [InlineData("[{\"Training\":{\"Epochs\":0},\"Summary\":{\"EpochsRun\":1,\"FinalLoss\":1,\"NetworkImages\":9,\"HeldOutImages\":1}}]")]
    public void AnIncompleteOrInvalidFineTuningRecordIsRefusedInWords(string fineTunings)
    {
        var (version, sections) = SignedFile.Read(new MemoryStream(Saved()), "SSMMODEL"u8, SsmModelFile.FormatVersion, 2, "model");
        var header = System.Text.Json.Nodes.JsonNode.Parse(sections[0])!;
        header["FineTunings"] = System.Text.Json.Nodes.JsonNode.Parse(fineTunings);
        using var edited = new MemoryStream();
        SignedFile.Write(edited, "SSMMODEL"u8, version, JsonSerializer.SerializeToUtf8Bytes(header), sections[1]);
        edited.Position = 0;
        Assert.StartsWith("The SSM model file's", Assert.Throws<InvalidDataException>(() => SsmModel.Load(edited)).Message);
    }

    /// <summary>A model entry that inflates to gigabytes after a sound start is refused from what it declares, not read
    /// whole: a zip bomb's 1.5 GB of zeros after an SSM signature took 5.5 GB to be refused.</summary>
    [Theory]
    [InlineData(0)]                               // version 0: refused from the first 12 bytes
    [InlineData(SsmModelFile.FormatVersion)]      // sections of length 0, then a hash of zeros that does not match
    public void AFileFollowedByGigabytesOfZerosIsRefusedWithoutReadingThem(int version)
    {
        var start = new byte[12];
        "SSMMODEL"u8.CopyTo(start);
        BitConverter.GetBytes(version).CopyTo(start, 8);
        var endless = new ZerosAfter(start, 1L << 30);
        Assert.Throws<InvalidDataException>(() => SsmModel.Load(endless));
        Assert.InRange(endless.Consumed, 12, 1 << 20);
    }

    /// <summary>A section length crafted to hundreds of megabytes beside as many zeros, in a stream that can seek (ML.NET's
    /// zip entries can): refused by its hash before the section is allocated. A 2.9 MB zip so made cost 2.3 GB and 20 s.</summary>
    [Fact]
    public void ASectionLengthOfHundredsOfMegabytesIsRefusedBeforeItIsAllocated()
    {
        const long length = 256L << 20;
        var start = new byte[20];
        "SSMMODEL"u8.CopyTo(start);
        BitConverter.GetBytes(SsmModelFile.FormatVersion).CopyTo(start, 8);
        BitConverter.GetBytes(length).CopyTo(start, 12);
        var zeros = new ZerosAfter(start, start.Length + length + 32, canSeek: true);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("damaged or truncated", Assert.Throws<InvalidDataException>(() => SsmModel.Load(zeros)).Message);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - allocated, 0, 8 << 20);
    }

    /// <summary>A section length of 2^31 (one past the largest int) in a stream that cannot seek is malformed: it overflowed.</summary>
    [Fact]
    public void ASectionLengthBeyondAnArrayIsMalformed()
    {
        var start = new byte[20];
        "SSMMODEL"u8.CopyTo(start);
        BitConverter.GetBytes(SsmModelFile.FormatVersion).CopyTo(start, 8);
        BitConverter.GetBytes(1L << 31).CopyTo(start, 12);
        Assert.Contains("malformed", Assert.Throws<InvalidDataException>(() => SsmModel.Load(new ZerosAfter(start, 1 << 16))).Message);
    }

    /// <summary>A stream of <c>start</c>, then zeros up to <c>length</c> bytes; counts what was read.</summary>
    private sealed class ZerosAfter(byte[] start, long length, bool canSeek = false) : Stream
    {
        public long Consumed { get; private set; }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Max(0, Math.Min(count, length - Consumed));
            Array.Clear(buffer, offset, n);
            for (long i = Consumed; i < Math.Min(Consumed + n, start.Length); i++) buffer[offset + i - Consumed] = start[i];
            Consumed += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => canSeek;
        public override bool CanWrite => false;
        public override long Length => canSeek ? length : throw new NotSupportedException();
        public override long Position { get => Consumed; set => Consumed = canSeek ? value : throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void ForeignFileIsRefused()
    {
        var e = Assert.Throws<InvalidDataException>(() => SsmModel.Load(new MemoryStream("PK\u0003\u0004 not a model"u8.ToArray())));
        Assert.Contains("not an SSM model", e.Message);
    }
}
