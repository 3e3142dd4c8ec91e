using SSM.Core.Torch;
using TorchSharp;

namespace SSM.Core.Tests;

public class TorchLoadsTests
{
    [Fact]
    public void NativeLibraryLoads()
    {
        TorchNative.EnsureLoaded();
        using var t = torch.ones(2, 3);
        Assert.Equal(6f, t.sum().item<float>());
    }

    [Fact]
    public void AnOldLibStdCxx_IsExplained_WithTheLoadersReason_AndTheFix()
    {
        // What .NET's loader says on Debian 12 for an unpatched copy (measured in an app outside the repository).
        const string loader = "Unable to load shared library '/app/cpu/libLibTorchSharp.so' or one of its dependencies. In order to help " +
            "diagnose loading problems, consider using a tool like strace. If you're using glibc, consider setting the LD_DEBUG environment variable: \n" +
            "/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /app/cpu/libLibTorchSharp.so)\n";
        string message = TorchNative.Explain(loader);
        Assert.Contains("version `GLIBCXX_3.4.32' not found (required by /app/cpu/libLibTorchSharp.so)", message);
        Assert.Contains("build/SSM.TorchSharpNativeFix.targets", message);
        Assert.DoesNotContain("strace", message);   // the loader's boilerplate is left out, its reason kept
    }

    [Fact]
    public void OtherLoadFailures_KeepTheLoadersReason_AndAMissingLibrary_NamesThePackages()
    {
        Assert.Equal("TorchSharp's native library cannot load: libtorch_cpu.so: cannot open shared object file",
            TorchNative.Explain("Unable to load shared library 'x' or one of its dependencies.\nlibtorch_cpu.so: cannot open shared object file"));
        Assert.Contains("libtorch-cpu-linux-x64", TorchNative.Explain(null));
    }

    [Fact]
    public void Threads_AreSetForAStretch_ThenGivenBack()
    {
        TorchNative.EnsureLoaded();
        int before = torch.get_num_threads();
        using (TorchThreads.Use(1)) Assert.Equal(1, torch.get_num_threads());
        Assert.Equal(before, torch.get_num_threads());
        using (TorchThreads.Use(null)) Assert.Equal(before, torch.get_num_threads());
        var twice = TorchThreads.Use(1);
        twice.Dispose();
        twice.Dispose();   // a second dispose restores nothing more
        Assert.Equal(before, torch.get_num_threads());
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchThreads.Use(0));
    }
}
