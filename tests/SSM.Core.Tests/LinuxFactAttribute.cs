namespace SSM.Core.Tests;

/// <summary>A test of what only Linux has (/proc, mkfifo, glibc, file names of any bytes): skipped elsewhere, and said to
/// be, where a test that returned early would pass without checking anything.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute() { if (!OperatingSystem.IsLinux()) Skip = "Linux only"; }
}
