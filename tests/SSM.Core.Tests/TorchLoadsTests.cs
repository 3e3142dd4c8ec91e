using TorchSharp;
namespace SSM.Core.Tests;
public class TorchLoadsTests
{
    [Fact]
    public void NativeLibraryLoads()
    {
        using var t = torch.ones(2, 3);
        Assert.Equal(6f, t.sum().item<float>());
    }
}
