using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Network;

/// <summary>The one training run the checkpoint tests interrupt and resume, shared by both processes.</summary>
public static class CheckpointScenario
{
    public static (IReadOnlyList<FloatImage> Images, SsmOptions Options) Create(int epochs, string? checkpointFolder)
    {
        var data = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = 16, TrainCount = 12, TestGoodCount = 1, TestDefectCount = 1, Seed = 5 });
        var options = new SsmOptions
        {
            ImageSize = 16,
            Network = new InpaintingNetworkOptions { BaseWidth = 4, Depth = 3 },
            Training = new TrainingOptions { Epochs = epochs, Seed = 9, CheckpointFolder = checkpointFolder, CheckpointEvery = 1 },
        };
        return (data.Train, options);
    }
}
