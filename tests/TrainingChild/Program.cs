// A separate process for the tests.
//   TrainingChild <checkpoint folder> <epochs>: trains the tests' checkpoint scenario and prints "epoch N" after each
//     epoch, so a test can kill it mid-run (CheckpointTests).
//   TrainingChild heap: on the process's main thread, where glibc's main heap serves it, writes a 48 MB tensor eight
//     times and prints the page faults of the last four, then of one more after NativeHeap.ReturnFreeMemory
//     (NativeHeapTests).
//   TrainingChild openmp: loads libtorch, then trains a tiny model, each on a thread of its own, and prints how many
//     OpenMP helper threads each left behind, with a computation's as the control, and how many of those
//     TorchThreads.ReleaseHelpers left (OpenMpPoolTests).
using SSM.Core.Training;

if (args[0] == "heap")
{
    HeapScenario.Run();
    return;
}
if (args[0] == "openmp")
{
    OpenMpScenario.Run();
    return;
}
var folder = args[0];
int epochs = int.Parse(args[1]);
var (images, options) = CheckpointScenario.Create(epochs, folder);
var report = new SynchronousProgress<TrainingProgress>(p => Console.WriteLine($"epoch {p.Epoch}"));
using var model = SsmTrainer.Train(images, options, report);
Console.WriteLine("done");
