using SSM.Core.Torch;

namespace SSM.Core.Tests;

public class DeviceNameTests
{
    [Theory]
    [InlineData("cpu", null, "cpu")]
    [InlineData("CPU", null, "cpu")]
    [InlineData("cuda", 0, "cuda:0")]
    [InlineData("CUDA", 0, "cuda:0")]
    [InlineData("cuda:0", 0, "cuda:0")]
    [InlineData("Cuda:12", 12, "cuda:12")]
    public void Accepted_names_parse_in_any_case_to_the_canonical_form(string name, int? cuda, string canonical)
    {
        Assert.True(DeviceName.TryParse(name, out int? parsed));
        Assert.Equal(cuda, parsed);
        Assert.Equal(canonical, DeviceName.Canonical(name));
        // The canonical form is a device TorchSharp takes.
        Assert.Equal(cuda is null ? TorchSharp.DeviceType.CPU : TorchSharp.DeviceType.CUDA, new TorchSharp.torch.Device(canonical).type);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("gpu")]
    [InlineData("mps")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:+1")]
    [InlineData("cuda: 1")]
    [InlineData("cuda:1.0")]
    [InlineData(" cpu")]
    public void Other_names_are_refused(string? name)
    {
        Assert.False(DeviceName.TryParse(name, out _));
        if (name is not null) Assert.Contains(DeviceName.AcceptedForms, Assert.Throws<ArgumentException>(() => DeviceName.Canonical(name)).Message);
    }

    [Theory]
    [InlineData(0, 1, null)]
    [InlineData(3, 4, null)]
    [InlineData(1, 1, "this machine has 1 CUDA device, cuda:0")]
    [InlineData(3, 1, "this machine has 1 CUDA device, cuda:0")]
    [InlineData(2, 2, "this machine has 2 CUDA devices, cuda:0 to cuda:1")]
    public void A_CUDA_device_number_past_the_machines_devices_is_named_with_those_there(int index, int count, string? missing) =>
        Assert.Equal(missing, DeviceName.Missing(index, count));
}
