namespace SSM.Core.Tests.Masks;

public class CellSizeTests
{
    [Theory]
    [InlineData(64, new[] { 4, 8, 16 })]
    [InlineData(128, new[] { 8, 16, 32 })]
    [InlineData(16, new[] { 1, 2, 4 })]
    [InlineData(8, new[] { 1, 2 })]      // S/16 and S/8 both round to 1 px: taken once
    public void DefaultCellSizesAreASixteenthAnEighthAndAQuarterOfTheImage(int side, int[] expected) =>
        Assert.Equal(expected, new MaskingOptions().ResolveCellSizes(side));

    [Theory]
    [InlineData(128, new[] { 2, 4, 8 })]
    [InlineData(32, new[] { 1, 2 })]
    public void AuthorsCellSizesAreS64S32S16(int side, int[] expected) =>
        Assert.Equal(expected, MaskingOptions.AuthorsCellSizes(side));

    [Fact]
    public void ExplicitCellSizesWin() =>
        Assert.Equal(new[] { 3 }, new MaskingOptions { CellSizes = [3] }.ResolveCellSizes(64));

    [Fact]
    public void EveryDefaultCellSizeIsValidDownToTheSmallestImage()
    {
        for (int side = 8; side <= 256; side *= 2)
            new SsmOptions { ImageSize = side, Network = new SSM.Core.Network.InpaintingNetworkOptions { Depth = 2 } }.Validate();
    }
}
