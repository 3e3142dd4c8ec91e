using SSM.Core.Data;

namespace SSM.Core.Tests.Data;

public class FloatImageTests
{
    [Theory]
    [InlineData(2, 4, 4, "channels")]
    [InlineData(1, 0, 4, "height")]
    [InlineData(1, 4, 0, "width")]
    [InlineData(3, 0, 0, "height")]
    public void A_bad_size_names_the_parameter_at_fault(int channels, int height, int width, string parameter) =>
        Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(() => new FloatImage(channels, height, width)).ParamName);

    [Fact]
    public void Pixels_of_another_count_are_named_with_the_count_expected()
    {
        var e = Assert.Throws<ArgumentException>(() => new FloatImage(3, 2, 2, new float[11]));
        Assert.Equal("pixels", e.ParamName);
        Assert.StartsWith("Expected 3*2*2 = 12 values, got 11.", e.Message);
    }
}
