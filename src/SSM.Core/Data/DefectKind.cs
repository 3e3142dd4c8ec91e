namespace SSM.Core.Data;

/// <summary>Defects the synthetic generator can paint onto a texture.</summary>
public enum DefectKind
{
    /// <summary>A thin, slightly curved bright or dark line with random angle and length.</summary>
    Scratch,
    /// <summary>An irregular blob of brighter or darker (in colour also tinted) material.</summary>
    Spot,
    /// <summary>A dark, roughly elliptical region with a soft edge.</summary>
    Hole,
    /// <summary>A smooth-edged region whose brightness (gray) or hue and brightness (colour) is shifted; the texture stays visible.</summary>
    ColourChange,
}

/// <summary>Names used for defect kinds in dataset folders.</summary>
public static class DefectKindExtensions
{
    /// <summary>The snake_case category name used as an MVTec folder name, e.g. "colour_change".</summary>
    public static string CategoryName(this DefectKind kind) => kind switch
    {
        DefectKind.Scratch => "scratch",
        DefectKind.Spot => "spot",
        DefectKind.Hole => "hole",
        DefectKind.ColourChange => "colour_change",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown defect kind."),
    };
}
