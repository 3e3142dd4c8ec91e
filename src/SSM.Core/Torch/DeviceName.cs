using System.Globalization;

namespace SSM.Core.Torch;

/// <summary>
/// The device strings this library accepts, in one place for the ML.NET options and the command line. TorchSharp's own
/// parser also takes device types this library has no backend for (mps, xla, ...) and fails on the rest without naming
/// the setting, so names are checked here first.
/// </summary>
public static class DeviceName
{
    /// <summary>The accepted forms, for messages.</summary>
    public const string AcceptedForms = "\"cpu\", \"cuda\" or \"cuda:N\" (N a CUDA device number from 0)";

    /// <summary>
    /// Parses "cpu", "cuda" or "cuda:N" in any letter case. <paramref name="cudaDevice"/> is null for the CPU and the CUDA
    /// device number otherwise ("cuda" is device 0).
    /// </summary>
    public static bool TryParse(string? name, out int? cudaDevice)
    {
        cudaDevice = null;
        if (name is null) return false;
        if (name.Equals("cpu", StringComparison.OrdinalIgnoreCase)) return true;
        if (name.Equals("cuda", StringComparison.OrdinalIgnoreCase)) { cudaDevice = 0; return true; }
        // NumberStyles.None: digits only, no sign or spaces.
        if (name.StartsWith("cuda:", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
        {
            cudaDevice = n;
            return true;
        }
        return false;
    }

    /// <summary>The canonical TorchSharp form of a valid name: "cpu" or "cuda:N".</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not one of <see cref="AcceptedForms"/>.</exception>
    public static string Canonical(string name) => TryParse(name, out int? cuda)
        ? cuda is int n ? $"cuda:{n}" : "cpu"
        : throw new ArgumentException($"Device '{name}' is not one of {AcceptedForms}.", nameof(name));
}
