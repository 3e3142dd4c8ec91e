// SSM benchmarks: accuracy on an MVTec-layout dataset (with baselines), raw speed, and micro-benchmarks.
//   dotnet run -c Release --project examples/Benchmarks -- <command> [options]; --help lists the commands and their options.
using SSM.Benchmarks;

const string Usage = """
    usage: SSM.Benchmarks <command> [options]  (examples/Benchmarks/README.md has what each measures)
      accuracy [--data <folder>] [--budget-minutes M] [--size S] [--width W]
          [--depth D] [--epochs E] [--rounds R] [--cell-weighting Equal|LargeCells] [--sigma X] [--lr X] [--batch B] [--seed N]
          [--baselines] [--ablations] [--synthetic] [--authors-test-limit N] [--authors-holdout F] [--no-rounds-ablation] [--pca-rank K] [--out results.md]
      speed [--size S] [--batch B] [--min-seconds T] [--bf16-train-seconds T (whole seconds; 0: none)] [--no-authors] [--levels]
      refinement [--size 32] [--epochs 20] [--seeds 2]
      memory [100 1000]
      memory --large 8000
      explore [--data <folder>] [--size S] [--epochs E] [--normalization None|PerImage]
          [--cells 1,2,4] [--width W] [--model file.bin (reused if present)] [--error MsGms|SquaredError|Both] [--score-error ...] [--sigma X] [--dump <folder>]
          [--knn 1,2|pix] [--tta 2|4] [--mask-draws N] [--refine none|0.9,0.99 [--mix] [--spread] [--coarse] [--center] [--peaks] [--pixel-negatives] [--levels F] [--size-correct]] ... (the options at the top of Explore.Run)
      pretrained-knn [--data <folder>] [--size 224] [--bank 20000] [--sampler random|coreset]
          [--coreset-pool N] [--coreset-dim 128] [--sigma X] [--seed N] [--threads T] [--batch B] [--train-limit N] [--test-limit N] [--out results.md]
          [--model ResNet18.onnx] [--mean-model ResNetPreprocess.onnx] [--save-scores F] (default: the copies of the NuGet package in the output folder)
      visibility [--data <folder>] [--sizes 64,256]
      drift --model model.zip|SsmModel.bin [--data <folder>] [--limit N] [--threshold 3]
      size-fit --model model.zip|SsmModel.bin --train <its training folder> --good <other good images> --labels <labels CSV> [--draws 3]
      compare A.bin [B.bin ...] [--bootstrap 1000] [--seed N] [--good good] [--without c1,c2]  (files of explore --save-scores)
      aupro-anomalib A.bin [B.bin ...] [--max-fpr 0.3] [--good good]  (the library's AUPRO beside anomalib's computation of it)
      pixels-original-size A.bin [--data <folder>] [--good good]  (pixel metrics at the model's side and at each test image's own size)
      contention [--images 24] [--epochs 2]
      serving --model model.zip --images <folder> [--clients 8] [--at-once N (default: the clients)] [--requests 8000]
      micro [BenchmarkDotNet arguments, e.g. --filter *Auroc*]
      onednn [--force-on] [--pairs] [--repeats N] [--threads T]
      dicom-check [folder of .dcm files (default: pydicom's test files)] [--python /usr/bin/python3]
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 1 : 0;
}
// "accuracy --help": that command's lines of the usage (micro passes its arguments to BenchmarkDotNet, which has its own).
if (args[0] != "micro" && args.Skip(1).Any(a => a is "-h" or "--help"))
{
    var own = new List<string>();
    bool inCommand = false;
    foreach (string line in Usage.Split('\n'))
    {
        inCommand = line.StartsWith($"  {args[0]} ", StringComparison.Ordinal) || inCommand && line.StartsWith("      ", StringComparison.Ordinal);
        if (inCommand) own.Add(line);
    }
    if (own.Count == 0) { Console.Error.WriteLine($"Unknown command '{args[0]}'.{Environment.NewLine}{Usage}"); return 1; }
    Console.WriteLine(string.Join('\n', own));
    return 0;
}
var rest = args[1..];
try
{
    switch (args[0])
    {
        case "accuracy": return AccuracyBenchmark.Run(Arguments.Parse(rest));
        case "speed": return SpeedBenchmark.Run(Arguments.Parse(rest));
        case "micro": return MicroBenchmarks.Run(rest);
        case "memory": return MemoryBenchmark.Run(rest);
        case "refinement": return RefinementAblation.Run(Arguments.Parse(rest));
        case "explore": return Explore.Run(Arguments.Parse(rest));
        case "pretrained-knn": return PretrainedKnn.Run(Arguments.Parse(rest));
        case "visibility": return Visibility.Run(Arguments.Parse(rest));
        case "drift": return Drift.Run(Arguments.Parse(rest));
        case "compare": return Compare.Run(rest);
        case "aupro-anomalib": return AnomalibAupro.Run(rest);
        case "pixels-original-size": return OriginalSizePixels.Run(rest);
        case "contention": return Contention.Run(rest);
        case "serving": return Serving.Run(Arguments.Parse(rest));
        case "onednn": return OneDnnSweep.Run(Arguments.Parse(rest));
        case "dicom-check": return DicomCheck.Run(rest);
        case "size-fit": return SizeFit.Run(Arguments.Parse(rest));
        default:
            Console.Error.WriteLine($"Unknown command '{args[0]}'; use accuracy, speed, micro, memory, refinement, explore, pretrained-knn, visibility, drift, compare, aupro-anomalib, pixels-original-size, contention, serving, onednn or dicom-check.");
            return 1;
    }
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
