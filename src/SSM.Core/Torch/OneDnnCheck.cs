using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SSM.Core.Torch;

/// <summary>
/// Checks once per process that libtorch's oneDNN computes the convolutions this library runs as it should, and turns
/// oneDNN off when it does not. On a 2-core AMD EPYC (Zen 5, family 26) virtual machine of 2026-12-02, whose processor
/// reports no cache sizes, libtorch 2.10's oneDNN computed wrongly where it padded channels to its blocks: in the default
/// layout, convolutions of 17, 33, 65 or 129 channels in (off by 6-20 % of the range, or NaN) and the input gradients of
/// those with one channel in or two or four out; channels-last, the input gradient of one channel in, and in bfloat16
/// the output of one channel into fewer than 16 and the input gradient of one channel out. Every other channels-last
/// convolution came out right, forward and backward, in float32 and bfloat16 (the network's shapes, and every pair of
/// 1-16 channels: examples/Benchmarks, <c>onednn</c>). The library runs only those: the network is channels-last, its
/// first layer runs in float32 and its input takes no gradient, its last has two or more outputs, MS-GMS's Prewitt
/// gradients are differences of shifted sums, and the map smoothing's one-channel convolutions run forward, in float32.
/// The probe asks exactly that of the machine: oneDNN stays on where it holds (there a float32 training step took 131 ms
/// instead of 278, and bfloat16 runs with it), and is turned off where it does not.
/// </summary>
public static class OneDnnCheck
{
    private static readonly Lazy<string?> finding = new(Run);

    /// <summary>Null when the probe convolutions came out right (oneDNN's, or libtorch's own when it is off); else what was wrong, and that
    /// libtorch's own convolutions are used instead. Runs the probe on first use.</summary>
    public static string? Finding => finding.Value;

    /// <summary>True when the probe turned oneDNN off for this process.</summary>
    public static bool OneDnnTurnedOff => Finding is not null;

    /// <summary>Runs the probe once (under a second; twice that where oneDNN is wrong); <see cref="TorchNative.EnsureLoaded"/> calls it.</summary>
    /// <exception cref="InvalidOperationException">oneDNN computes wrongly and cannot be turned off on this platform.</exception>
    public static void Ensure() => _ = finding.Value;

    /// <summary>How the library runs a convolution: a network layer (channels-last, float32 and bfloat16, the weights' and the
    /// input's gradients taken), the network's first layer (channels-last, an image's 1-3 channels in: always float32, see
    /// Network.Conv, and its input takes no gradient), or the map smoothing (the default layout, float32, forward only).</summary>
    private enum Use { Layer, FirstLayer, Smoothing }

    /// <summary>A convolution the library runs: channels in and out, square kernel, stride, padding, and how it runs.</summary>
    private readonly record struct Case(int In, int Out, int Kernel, int Stride, int Padding, Use Use)
    {
        public bool ChannelsLast => Use != Use.Smoothing;
        public bool WeightGradient => Use != Use.Smoothing;
        public bool InputGradient => Use == Use.Layer;
        public ScalarType[] Formats => Use == Use.Layer ? [ScalarType.Float32, ScalarType.BFloat16] : [ScalarType.Float32];
    }

    /// <summary>The network's convolutions (grey and colour first layers, default and narrow; a mask block's extra channel; a
    /// decoder block's concatenation; the strided 4x4 and the 1x1 after upsampling; grey and colour heads) and the map
    /// smoothing's.</summary>
    private static readonly Case[] Cases =
    [
        new(1, 16, 3, 1, 1, Use.FirstLayer), new(3, 16, 3, 1, 1, Use.FirstLayer), new(1, 4, 3, 1, 1, Use.FirstLayer), new(3, 4, 3, 1, 1, Use.FirstLayer),
        new(16, 16, 3, 1, 1, Use.Layer), new(17, 16, 3, 1, 1, Use.Layer), new(33, 32, 3, 1, 1, Use.Layer), new(32, 16, 3, 1, 1, Use.Layer),
        new(5, 4, 3, 1, 1, Use.Layer), new(16, 16, 4, 2, 1, Use.Layer), new(32, 16, 1, 1, 0, Use.Layer),
        new(16, 2, 3, 1, 1, Use.Layer), new(16, 4, 3, 1, 1, Use.Layer),
        new(1, 1, 3, 1, 0, Use.Smoothing),
    ];

    /// <summary>The largest error of the probe convolutions (forward, and the gradients training takes) relative to their
    /// range, against a float64 reference, which libtorch never hands to oneDNN. The cases that failed on the Zen 5 machine
    /// were off by 0.09 or more (or NaN); right ones are within 1e-5 in float32 and 1e-2 in bfloat16.</summary>
    internal static (double Float32, double BFloat16) ProbeErrors()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        double worst32 = 0, worst16 = 0;
        foreach (var c in Cases)
        {
            // 16 px, batches of 4: big enough for oneDNN's blocked kernels and its threads to split the work.
            var x = randn([4, c.In, 16, 16], generator: generator);
            var w = randn([c.Out, c.In, c.Kernel, c.Kernel], generator: generator).mul_(1.0 / Math.Sqrt(c.In * c.Kernel * c.Kernel));
            var reference = Convolve(c, x, w, ScalarType.Float64);
            var outputGradient = randn(reference.Output.shape, generator: generator);
            reference.Backward(c, outputGradient);
            foreach (var format in c.Formats)
            {
                var run = Convolve(c, x, w, format);
                run.Backward(c, outputGradient);
                double error = Error(run.Output, reference.Output);
                if (c.WeightGradient) error = Math.Max(error, Error(run.WeightGradient, reference.WeightGradient));
                if (c.InputGradient) error = Math.Max(error, Error(run.InputGradient, reference.InputGradient));
                if (format == ScalarType.Float32) worst32 = Math.Max(worst32, error);
                else worst16 = Math.Max(worst16, error);
            }
        }
        return (worst32, worst16);
    }

    /// <summary>One convolution in <paramref name="format"/>, its input and weights made leaves so that a backward pass
    /// leaves the gradients the case takes.</summary>
    private static Convolution Convolve(Case c, Tensor x, Tensor w, ScalarType format)
    {
        var input = (c.ChannelsLast ? ChannelsLast.Of(x.to(format)) : x.to(format)).detach().requires_grad_(c.InputGradient);
        var weight = w.to(format).detach().requires_grad_(c.WeightGradient);
        return new Convolution(input, weight, nn.functional.conv2d(input, weight, null, [c.Stride, c.Stride], [c.Padding, c.Padding]));
    }

    private sealed record Convolution(Tensor Input, Tensor Weight, Tensor Output)
    {
        public Tensor InputGradient => Input.grad!;
        public Tensor WeightGradient => Weight.grad!;
        /// <summary>The gradients the case takes (none for the smoothing, which runs forward only).</summary>
        public void Backward(Case c, Tensor outputGradient)
        {
            if (c.WeightGradient || c.InputGradient) Output.mul(outputGradient.to(Output.dtype)).sum().backward();
        }
    }

    /// <summary>The largest difference of <paramref name="y"/> from <paramref name="reference"/> relative to the reference's
    /// range; infinity for NaN.</summary>
    internal static double Error(Tensor y, Tensor reference)
    {
        double range = reference.abs().max().item<double>();
        double e = (y.to(ScalarType.Float64) - reference).abs().max().item<double>() / range;
        return double.IsNaN(e) ? double.PositiveInfinity : e;
    }

    private static string? Run()
    {
        Native.TurnOffUnusableNnpack();
        var before = ProbeErrors();
        if (Right(before)) return null;
        if (!Native.TrySetEnabled(false))
            throw new InvalidOperationException(Wrong(before) + " Turning oneDNN off is not supported with this libtorch; on the machine where " +
                                                "this was seen, the environment variable ONEDNN_MAX_CPU_ISA=SSE41, set before the program starts, gave right values.");
        var after = ProbeErrors();
        if (!Right(after))
            throw new InvalidOperationException(Wrong(before) + $" With oneDNN off they are still wrong ({Describe(after)}).");
        return Wrong(before) + $" oneDNN is off for this process: libtorch's own convolutions are right ({Describe(after)}), and slower.";
    }

    /// <summary>Turns libtorch's oneDNN on or off for the process, whatever the probe found: for the benchmarks' sweep of
    /// convolutions (examples/Benchmarks, <c>onednn</c>), never for scoring. False when the switch cannot be reached.</summary>
    internal static bool TrySetEnabled(bool enabled) => Native.TrySetEnabled(enabled);

    private static bool Right((double Float32, double BFloat16) errors) => errors.Float32 <= 1e-3 && errors.BFloat16 <= 0.05;

    private static string Wrong((double Float32, double BFloat16) errors) =>
        $"libtorch's oneDNN convolutions compute wrong values on this processor ({Describe(errors)}; a virtual machine that " +
        "reports no cache sizes showed this).";

    private static string Describe((double Float32, double BFloat16) e) =>
        $"largest error {Format(e.Float32)} of the range in float32, {Format(e.BFloat16)} in bfloat16";

    /// <summary>An error as the probe reports it: one significant digit and the exponent, or NaN.</summary>
    internal static string Format(double e) => double.IsPositiveInfinity(e) ? "NaN" : e.ToString("0.0e0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>libtorch's switch for oneDNN (at::globalContext().setUserEnabledMkldnn), which TorchSharp does not expose:
    /// the C++ entry points by their mangled names, GCC's (Linux, macOS) or MSVC's (Windows).</summary>
    private static class Native
    {
        private const string Library = "torch_cpu";

        [DllImport(Library, EntryPoint = "_ZN2at13globalContextEv")] private static extern IntPtr ContextGcc();
        [DllImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")] private static extern void SetGcc(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);
        [DllImport(Library, EntryPoint = "?globalContext@at@@YAAEAVContext@1@XZ")] private static extern IntPtr ContextMsvc();
        [DllImport(Library, EntryPoint = "?setUserEnabledMkldnn@Context@at@@QEAAX_N@Z")] private static extern void SetMsvc(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);
        [DllImport(Library, EntryPoint = "_ZN2at6native17_nnpack_availableEv")] [return: MarshalAs(UnmanagedType.I1)] private static extern bool NnpackAvailableGcc();
        [DllImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")] private static extern void SetNnpackGcc(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

        /// <summary>
        /// NNPACK that cannot start (the same Zen 5 machine: "Unsupported hardware") makes libtorch log a warning line on
        /// stderr at every convolution it considers NNPACK for: 16 lines per image scored, 684 in one training (a
        /// walkthrough, 2026-12-02). Asked once with libtorch's log quiet, and turned off when unusable. Linux only: the
        /// log level is c10's exported FLAGS_caffe2_log_level.
        /// </summary>
        public static void TurnOffUnusableNnpack()
        {
            if (!OperatingSystem.IsLinux()) return;
            try
            {
                if (!NativeLibrary.TryLoad("libc10.so", typeof(OneDnnCheck).Assembly, null, out IntPtr c10) ||
                    !NativeLibrary.TryGetExport(c10, "FLAGS_caffe2_log_level", out IntPtr level)) return;
                int before = Marshal.ReadInt32(level);
                Marshal.WriteInt32(level, 3);   // FATAL only, while asking
                bool available;
                try { available = NnpackAvailableGcc(); }
                finally { Marshal.WriteInt32(level, before); }
                if (!available) SetNnpackGcc(ContextGcc(), false);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                // Another libtorch build: its warnings, if any, stay.
            }
        }

        /// <summary>False when the switch cannot be reached (a libtorch built otherwise).</summary>
        public static bool TrySetEnabled(bool enabled)
        {
            try
            {
                if (OperatingSystem.IsWindows()) SetMsvc(ContextMsvc(), enabled);
                else SetGcc(ContextGcc(), enabled);
                return true;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                return false;
            }
        }
    }
}
