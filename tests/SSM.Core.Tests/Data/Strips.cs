using SSM.Core.Data;

namespace SSM.Core.Tests.Data;

/// <summary>Line-scan-like strips for tests of tiles.</summary>
public static class Strips
{
    /// <summary>Two grey squares of one size side by side: a strip twice as wide as high.</summary>
    public static FloatImage SideBySide(FloatImage left, FloatImage right)
    {
        int s = left.Width;
        var strip = new FloatImage(1, s, 2 * s);
        for (int y = 0; y < s; y++)
            for (int x = 0; x < s; x++)
            {
                strip[0, y, x] = left[0, y, x];
                strip[0, y, s + x] = right[0, y, x];
            }
        return strip;
    }
}
