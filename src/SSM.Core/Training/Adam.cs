using SSM.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core.Training;

/// <summary>
/// Adam with L2 weight decay, as torch.optim.Adam (no AMSGrad): m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g²,
/// p -= lr / (1 - b1^t) · m / (sqrt(v / (1 - b2^t)) + eps). Written here rather than taken from TorchSharp because
/// TorchSharp 0.107's Adam passes temporary scalars to native code that a garbage collection on another thread can free
/// mid-call (<see cref="Scalars"/>); a GC-stress test broke its step within seconds. Every scalar here is kept alive.
/// </summary>
internal sealed class Adam : IDisposable
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    private readonly Tensor[] parameters;
    private readonly Tensor[] firstMoments;
    private readonly Tensor[] secondMoments;
    private readonly double weightDecay;
    private long steps;

    public Adam(IEnumerable<Tensor> parameters, double learningRate, double weightDecay)
    {
        this.parameters = parameters.ToArray();
        firstMoments = this.parameters.Select(p => zeros_like(p)).ToArray();
        secondMoments = this.parameters.Select(p => zeros_like(p)).ToArray();
        LearningRate = learningRate;
        this.weightDecay = weightDecay;
    }

    /// <summary>The step size of the next <see cref="Step"/>.</summary>
    public double LearningRate { get; set; }

    /// <summary>Clears the gradients before the next backward pass.</summary>
    public void ZeroGrad()
    {
        foreach (var p in parameters)
        {
            using var grad = p.grad;
            grad?.zero_();
        }
    }

    /// <summary>Updates every parameter that has a gradient.</summary>
    public void Step()
    {
        using var noGrad = no_grad();
        steps++;
        double correction1 = 1 - Math.Pow(Beta1, steps), correction2 = 1 - Math.Pow(Beta2, steps);
        // Per-step values: held by using variables until the end of the method, so never collected mid-call.
        using var stepSize = (-LearningRate / correction1).ToScalar();
        using var rootCorrection2 = Math.Sqrt(correction2).ToScalar();
        for (int i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            using var scope = NewDisposeScope();   // also takes the wrapper of p.grad (the gradient itself stays)
            if (p.grad is not { } grad) continue;
            var g = weightDecay == 0 ? grad : grad.add(p, Scalars.Real(weightDecay));
            firstMoments[i].mul_(Scalars.Real(Beta1)).add_(g, Scalars.Real(1 - Beta1));
            secondMoments[i].mul_(Scalars.Real(Beta2)).addcmul_(g, g, Scalars.Real(1 - Beta2));
            var denominator = secondMoments[i].sqrt().div_(rootCorrection2).add_(Scalars.Real(Epsilon), Scalars.One);
            p.addcdiv_(firstMoments[i], denominator, stepSize);
        }
    }

    /// <summary>Writes the step count and both moments of every parameter (for checkpoints).</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(steps);
        writer.Write(parameters.Length);
        foreach (var m in firstMoments.Concat(secondMoments)) m.Save(writer);
    }

    /// <summary>Restores what <see cref="Save"/> wrote for the same parameters.</summary>
    public void Load(BinaryReader reader)
    {
        long savedSteps = reader.ReadInt64();
        int count = reader.ReadInt32();
        if (count != parameters.Length)
            throw new InvalidDataException($"The optimizer state holds {count} parameter{(count == 1 ? "" : "s")}; the network has {parameters.Length}.");
        foreach (var m in firstMoments.Concat(secondMoments)) m.Load(reader);
        steps = savedSteps;
    }

    public void Dispose()
    {
        foreach (var m in firstMoments.Concat(secondMoments)) m.Dispose();
    }
}
