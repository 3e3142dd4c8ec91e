// Trains the tests' checkpoint scenario and prints "epoch N" after each epoch, so a test can kill it
// mid-run. Usage: TrainingChild <checkpoint folder> <epochs>
using SSM.Core.Training;

var folder = args[0];
int epochs = int.Parse(args[1]);
var (images, options) = CheckpointScenario.Create(epochs, folder);
var report = new SynchronousProgress<TrainingProgress>(p => Console.WriteLine($"epoch {p.Epoch}"));
using var model = SsmTrainer.Train(images, options, report);
Console.WriteLine("done");
