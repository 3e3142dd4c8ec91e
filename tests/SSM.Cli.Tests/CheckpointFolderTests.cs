using SSM.Cli.Outputs;
using SSM.Cli.Training;
using SSM.Core;

namespace SSM.Cli.Tests;

public sealed class CheckpointFolderTests
{
    /// <summary>
    /// The same command after an upgrade that changed an engine default (here the normalisation floor of 2026-12-03, which
    /// no row shows) must not continue the old checkpoint, which the engine would refuse: the folder is another.
    /// </summary>
    [Fact]
    public void CheckpointFolder_DiffersWhenOnlyTheEngineSettingsDo()
    {
        var options = new SsmOptions();
        string output = Path.Combine(Cli.TempFolder("stamp"), "out");
        var today = Open(output, options);
        Assert.Equal(today.Path, Open(output, options).Path);
        var older = CheckpointFolder.Open(output, CommandRows(options), options with { NormalizationStdFloor = SSM.Core.Data.InputNormalizer.EightBitStdFloor }, [], threads: 1);
        Assert.NotEqual(today.Path, older.Path);
        Assert.Contains("other settings, images or library version", older.Note);
    }

    /// <summary>A checkpoint that cannot be read (damaged, or another program's file of that name) does not stop the command:
    /// the folder starts afresh, and the note says why the training starts from the beginning.</summary>
    [Fact]
    public void A_checkpoint_that_cannot_be_read_is_said_and_the_training_starts_afresh()
    {
        var options = new SsmOptions();
        string output = Path.Combine(Cli.TempFolder("unreadable-checkpoint"), "out");
        var first = Open(output, options);
        string checkpoint = Path.Combine(first.Path, "ssm-training.checkpoint");   // the engine's file name
        File.WriteAllText(checkpoint, "not a checkpoint");

        var again = Open(output, options);
        Assert.Equal(first.Path, again.Path);
        Assert.Null(again.Kept);
        Assert.Empty(again.History);
        Assert.Contains($"the checkpoint in '{first.Path}' cannot be read (", again.Note);
        Assert.Contains("(its signature is missing)", again.Note);
        Assert.EndsWith("training starts from the beginning.", again.Note);
        Assert.False(File.Exists(checkpoint));
    }

    /// <summary>A checkpoint of an earlier version's format (format 1, TorchSharp's optimizer state) is said as the engine says
    /// it, without the engine's advice to delete it: the command deletes it itself, and the note said "Delete it".</summary>
    [Fact]
    public void A_checkpoint_of_an_earlier_format_is_said_without_the_advice_to_delete_what_the_command_deletes()
    {
        var options = new SsmOptions();
        string output = Path.Combine(Cli.TempFolder("earlier-checkpoint"), "out");
        var first = Open(output, options);
        string checkpoint = Path.Combine(first.Path, "ssm-training.checkpoint");
        File.WriteAllBytes(checkpoint, SignedFileOfFormat1());

        var again = Open(output, options);
        Assert.Null(again.Kept);
        Assert.Equal($"the checkpoint in '{first.Path}' cannot be read (The checkpoint '{checkpoint}' was written by an earlier version of SSM.MLNet, " +
                     "whose optimizer state this one cannot read.); training starts from the beginning.", again.Note);
        Assert.False(File.Exists(checkpoint));
    }

    /// <summary>A checkpoint file as format 1 wrote it, as far as the engine reads before refusing it: the signature, the
    /// version, three empty sections and the SHA-256 of all that (the layout of SSM.Core's signed files).</summary>
    private static byte[] SignedFileOfFormat1()
    {
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write("SSMCKPT1"u8);
            writer.Write(1);
            for (int section = 0; section < 3; section++) writer.Write(0L);
        }
        byte[] signed = body.ToArray();
        return [.. signed, .. System.Security.Cryptography.SHA256.HashData(signed)];
    }

    /// <summary>The rows `ssm train` stamps a checkpoint folder with, for a run of <paramref name="options"/> on one CPU thread.</summary>
    private static List<(string Key, string Value)> CommandRows(SsmOptions options) =>
        [.. RecordedSettings.Of(options, 105, ("cpu", 1, null, "BFloat16")).Rows(withThreads: false)];

    /// <summary>The checkpoint folder of that command, its rows and engine settings both <paramref name="options"/>'.</summary>
    private static CheckpointFolder Open(string output, SsmOptions options) => CheckpointFolder.Open(output, CommandRows(options), options, [], threads: 1);
}
