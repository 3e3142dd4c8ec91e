using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace SSM.MLNet;

/// <summary>Chooses the torch device the way Microsoft.ML.TorchSharp does.</summary>
internal static class SsmDevice
{
    /// <summary>
    /// An explicit device string wins; otherwise CPU unless <c>MLContext.GpuDeviceId</c> is set, in which case CUDA
    /// (device GpuDeviceId) when available, else CPU if <c>MLContext.FallbackToCpu</c>, else an error.
    /// </summary>
    internal static Device Resolve(IHostEnvironment env, string? explicitDevice)
    {
        if (!string.IsNullOrWhiteSpace(explicitDevice))
        {
            var device = new Device(explicitDevice);
            if (device.type == TorchSharp.DeviceType.CUDA && !cuda.is_available())
                throw new InvalidOperationException($"Device '{explicitDevice}' was asked for, but CUDA is not available (a CPU build of TorchSharp, or no GPU).");
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
