using System.Collections.Concurrent;
using TorchSharp;

namespace SSM.Core.Torch;

/// <summary>
/// Scalar operands that live as long as the process. TorchSharp 0.107 converts a number to a temporary
/// <see cref="Scalar"/>, reads its handle and calls native code without keeping the Scalar alive, so a garbage
/// collection started by another thread during the call can finalise it and free the value mid-call: the call fails
/// ("Unknown scalar type") or silently uses a wrong value (<c>ConcurrencyTests</c> shows it within a second). Every
/// scalar operand in this library comes from here, including the alpha of <c>add</c>, which TorchSharp otherwise makes
/// itself. A value is kept once, so the cache grows only with the distinct
/// constants, weights and thresholds in use.
/// </summary>
internal static class Scalars
{
    private static readonly ConcurrentDictionary<double, Scalar> reals = new();
    private static readonly ConcurrentDictionary<long, Scalar> integers = new();

    /// <summary>1, for the alpha of <c>add</c>: TorchSharp's one-argument <c>add</c> makes a temporary alpha of 1 itself.</summary>
    public static Scalar One { get; } = Integer(1);

    /// <summary>A 64-bit floating-point scalar (for float tensors; libtorch computes in the tensor's type).</summary>
    public static Scalar Real(double value) => reals.GetOrAdd(value, v => v.ToScalar());

    /// <summary>An integer scalar (for integer tensors, which a real scalar would promote to floating point).</summary>
    public static Scalar Integer(long value) => integers.GetOrAdd(value, v => v.ToScalar());
}

/// <summary>The arithmetic the losses and maps need, with kept scalars (<see cref="Scalars"/>), reading like the formulas.</summary>
internal static class KeptScalarArithmetic
{
    /// <summary>a + b (TorchSharp's one-argument add would make a temporary alpha).</summary>
    public static torch.Tensor Plus(this torch.Tensor a, torch.Tensor b) => a.add(b, Scalars.One);

    /// <summary>a + c.</summary>
    public static torch.Tensor Plus(this torch.Tensor a, double c) => a.add(Scalars.Real(c), Scalars.One);

    /// <summary>a · c.</summary>
    public static torch.Tensor Times(this torch.Tensor a, double c) => a.mul(Scalars.Real(c));

    /// <summary>a / c.</summary>
    public static torch.Tensor Over(this torch.Tensor a, double c) => a.div(Scalars.Real(c));

    /// <summary>a² (TorchSharp's square() is pow with a temporary 2).</summary>
    public static torch.Tensor Squared(this torch.Tensor a) => a.pow(Scalars.Integer(2));

    /// <summary>1 - a.</summary>
    public static torch.Tensor OneMinus(this torch.Tensor a) => a.neg().add(Scalars.One, Scalars.One);
}
