using SSM.Core.Data;

namespace SSM.Core.Tests;

/// <summary>Images cached as a training with given settings reads them.</summary>
internal static class ImageCaches
{
    /// <summary><paramref name="images"/> cached at <paramref name="options"/>' image size, channels and tiles.</summary>
    public static ImageCache For(IEnumerable<FloatImage> images, SsmOptions options)
    {
        var cache = new ImageCache(options.ImageSize, options.Network.InputChannels, options.Tiles);
        foreach (var image in images) cache.Add(image, null);
        return cache;
    }
}
