// A separate process for the tests.
//   TrainingChild <checkpoint folder> <epochs>: trains the tests' checkpoint scenario and prints "epoch N" after each
//     epoch, so a test can kill it mid-run (CheckpointTests).
//   TrainingChild heap: on the process's main thread, where glibc's main heap serves it, writes a 48 MB tensor eight
//     times and prints the page faults of the last four, then of one more after NativeHeap.ReturnFreeMemory
//     (NativeHeapTests).
using SSM.Core.Training;

if (args[0] == "heap")
{
    HeapScenario.Run();
    return;
}
var folder = args[0];
int epochs = int.Parse(args[1]);
var (images, options) = CheckpointScenario.Create(epochs, folder);
var report = new SynchronousProgress<TrainingProgress>(p => Console.WriteLine($"epoch {p.Epoch}"));
using var model = SsmTrainer.Train(images, options, report);
Console.WriteLine("done");
