using Microsoft.ML.Runtime;
using SSM.Core.Torch;
using static TorchSharp.torch;

namespace SSM.MLNet;

/// <summary>Chooses the torch device the way Microsoft.ML.TorchSharp does.</summary>
internal static class SsmDevice
{
    /// <summary>The device strings <see cref="SsmAnomalyDetectionOptions.Device"/> accepts, for messages.</summary>
    internal const string AcceptedForms = DeviceName.AcceptedForms + ", or null to follow the MLContext";

    /// <summary>Whether <paramref name="device"/> is null, blank or one of <see cref="AcceptedForms"/> (any letter case).</summary>
    internal static bool IsValid(string? device) => string.IsNullOrWhiteSpace(device) || DeviceName.TryParse(device, out _);

    /// <summary>
    /// An explicit device string wins; otherwise CPU unless <c>MLContext.GpuDeviceId</c> is set, in which case CUDA
    /// (device GpuDeviceId) when available, else CPU if <c>MLContext.FallbackToCpu</c>, else an error, which names
    /// <paramref name="option"/>, the setting the user gave, and what null would do there (<paramref name="whenNull"/>).
    /// </summary>
    internal static Device Resolve(IHostEnvironment env, string? explicitDevice,
        string option = $"{nameof(SsmAnomalyDetectionOptions)}.{nameof(SsmAnomalyDetectionOptions.Device)}", string whenNull = "follow the MLContext")
    {
        // Fit and Load reach libtorch here first: a library that will not load is explained, not blamed on a missing package.
        TorchNative.EnsureLoaded();
        if (!string.IsNullOrWhiteSpace(explicitDevice))
        {
            // Built from the parsed name, so the device is the one the option check accepted.
            var device = new Device(DeviceName.Canonical(explicitDevice));
            if (device.type == TorchSharp.DeviceType.CUDA && !cuda.is_available())
                throw new DeviceUnavailableException(
                    $"{option} is '{explicitDevice}', but CUDA is not available (a CPU build of TorchSharp, or no GPU). Use \"cpu\", or null to {whenNull}.");
            if (device.type == TorchSharp.DeviceType.CUDA && DeviceName.Missing(device.index, cuda.device_count()) is { } missing)
                throw new DeviceUnavailableException($"{option} is '{explicitDevice}', but {missing}. Use one of those, \"cpu\", or null to {whenNull}.");
            return device;
        }
        if (env is IHostEnvironmentInternal { GpuDeviceId: int gpu } internalEnv)
        {
            if (cuda.is_available())
            {
                // Not a fallback to the CPU: a number past the machine's devices is a mistake, not a machine without CUDA.
                if (DeviceName.Missing(gpu, cuda.device_count()) is { } missing)
                    throw new DeviceUnavailableException($"MLContext.GpuDeviceId is {gpu}, but {missing}.");
                return new Device(TorchSharp.DeviceType.CUDA, gpu);
            }
            if (internalEnv.FallbackToCpu) return CPU;
            throw new DeviceUnavailableException(
                $"MLContext.GpuDeviceId is {gpu} but CUDA is not available (a CPU build of TorchSharp, or no GPU), and MLContext.FallbackToCpu is false. " +
                "Set FallbackToCpu = true to run on the CPU, or reference the package TorchSharp-cuda-linux or TorchSharp-cuda-windows on a machine " +
                "with a GPU (in this repository: build with -p:TorchBackend=cuda-linux or cuda-windows).");
        }
        return CPU;
    }
}

/// <summary>The CUDA device a model was asked to use is not there: an <see cref="InvalidOperationException"/> to users, and
/// to the command line a type to tell it from a bad file by, not words in a message (a file path holding "CUDA" would have passed for one).</summary>
internal sealed class DeviceUnavailableException(string message) : InvalidOperationException(message);
