using SSM.Cli.Outputs;
using SSM.Cli.Training;
using SSM.Core;

namespace SSM.Cli.Tests;

public sealed class CheckpointFolderTests
{
    /// <summary>A checkpoint that cannot be read (damaged, or another program's file of that name) does not stop the command:
    /// the folder starts afresh, and the note says why the training starts from the beginning.</summary>
    [Fact]
    public void A_checkpoint_that_cannot_be_read_is_said_and_the_training_starts_afresh()
    {
        string root = Cli.TempFolder("unreadable-checkpoint");
        try
        {
            var options = new SsmOptions();
            var rows = RecordedSettings.Of(options, 105, ("cpu", 1, null, "BFloat16")).Rows(withThreads: false).ToList();
            string output = Path.Combine(root, "out");
            var first = CheckpointFolder.Open(output, rows, options, [], threads: 1);
            string checkpoint = Path.Combine(first.Path, "ssm-training.checkpoint");   // the engine's file name
            File.WriteAllText(checkpoint, "not a checkpoint");

            var again = CheckpointFolder.Open(output, rows, options, [], threads: 1);
            Assert.Equal(first.Path, again.Path);
            Assert.Null(again.Kept);
            Assert.Empty(again.History);
            Assert.Contains($"the checkpoint in '{first.Path}' cannot be read (", again.Note);
            Assert.Contains("(its signature is missing)", again.Note);
            Assert.EndsWith("training starts from the beginning.", again.Note);
            Assert.False(File.Exists(checkpoint));
        }
        finally { if (Directory.Exists(root)) Directory.Delete(root, recursive: true); }
    }
}
