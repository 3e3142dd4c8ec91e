using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace SSM.MLNet;

/// <summary>Chooses the torch device the way Microsoft.ML.TorchSharp does.</summary>
internal static class SsmDevice
{
    /// <summary>The device strings <see cref="SsmAnomalyDetectionOptions.Device"/> accepts, for messages.</summary>
    internal const string AcceptedForms = "\"cpu\", \"cuda\" or \"cuda:N\" (N a CUDA device number from 0), or null to follow the MLContext";

    /// <summary>
    /// Whether <paramref name="device"/> is null, blank or one of <see cref="AcceptedForms"/> (any letter case). TorchSharp's
    /// own parser also takes device types this library has no backend for and fails on the rest without naming the option.
    /// </summary>
    internal static bool IsValid(string? device)
    {
        if (string.IsNullOrWhiteSpace(device)) return true;
        if (device.Equals("cpu", StringComparison.OrdinalIgnoreCase) || device.Equals("cuda", StringComparison.OrdinalIgnoreCase)) return true;
        // NumberStyles.None: digits only, no sign or spaces.
        return device.StartsWith("cuda:", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(device.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _);
    }

    /// <summary>
    /// An explicit device string wins; otherwise CPU unless <c>MLContext.GpuDeviceId</c> is set, in which case CUDA
    /// (device GpuDeviceId) when available, else CPU if <c>MLContext.FallbackToCpu</c>, else an error.
    /// </summary>
    internal static Device Resolve(IHostEnvironment env, string? explicitDevice)
    {
        // Fit and Load reach libtorch here first: a library that will not load is explained, not blamed on a missing package.
        SSM.Core.Torch.TorchNative.EnsureLoaded();
        if (!string.IsNullOrWhiteSpace(explicitDevice))
        {
            var device = new Device(explicitDevice);
            if (device.type == TorchSharp.DeviceType.CUDA && !cuda.is_available())
                throw new InvalidOperationException(
                    $"{nameof(SsmAnomalyDetectionOptions)}.{nameof(SsmAnomalyDetectionOptions.Device)} is '{explicitDevice}', but CUDA is not available " +
                    "(a CPU build of TorchSharp, or no GPU). Use \"cpu\", or null to follow the MLContext.");
            return device;
        }
        if (env is IHostEnvironmentInternal { GpuDeviceId: int gpu } internalEnv)
        {
            if (cuda.is_available()) return new Device(TorchSharp.DeviceType.CUDA, gpu);
            if (internalEnv.FallbackToCpu) return CPU;
            throw new InvalidOperationException(
                $"MLContext.GpuDeviceId is {gpu} but CUDA is not available (a CPU build of TorchSharp, or no GPU), and MLContext.FallbackToCpu is false. " +
                "Set FallbackToCpu = true to run on the CPU, or build with -p:TorchBackend=cuda-linux / cuda-windows on a machine with a GPU.");
        }
        return CPU;
    }
}
