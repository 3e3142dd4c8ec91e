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

    /// <summary>Why CUDA device <paramref name="index"/> is not one of a machine's <paramref name="count"/>, for a message
    /// ("this machine has 1 CUDA device, cuda:0"); null when it is one. libtorch meets a missing device only at the first
    /// tensor put on it, and says so in its own words, without the setting.</summary>
    public static string? Missing(int index, int count) => index < count ? null
        : count == 1 ? "this machine has 1 CUDA device, cuda:0"
        : string.Create(CultureInfo.InvariantCulture, $"this machine has {count} CUDA devices, cuda:0 to cuda:{count - 1}");
}
