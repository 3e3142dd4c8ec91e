namespace SSM.Cli.Report;

/// <summary>Embeds PNG pictures as data URIs, so the report is one self-contained file.</summary>
public static class Png
{
    public static string DataUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);
}
