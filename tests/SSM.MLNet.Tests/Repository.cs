namespace SSM.MLNet.Tests;

/// <summary>The repository these tests were built in: its docs and its examples' outputs.</summary>
internal static class Repository
{
    private static readonly Lazy<string> root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SSM.MLNet.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No SSM.MLNet.sln above '{AppContext.BaseDirectory}'.");
    });

    /// <summary>The folder of SSM.MLNet.sln, found above the test's output folder.</summary>
    public static string Root => root.Value;
}
