namespace SSM.Core.Data;

/// <summary>Texture families the synthetic generator can draw; each image is a fresh random instance of its family.</summary>
public enum TextureKind
{
    /// <summary>Basket-weave fabric: interlaced warp and weft threads with fibre striation.</summary>
    Woven,
    /// <summary>Isotropic multi-scale grain, like leather or sandpaper.</summary>
    Grainy,
    /// <summary>Soft-edged parallel stripes with a slight wobble.</summary>
    Striped,
    /// <summary>Fine anisotropic streaks along one direction, like brushed steel.</summary>
    BrushedMetal,
}
