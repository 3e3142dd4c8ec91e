namespace SSM.MLNet.Tests;

/// <summary>An exception and its inner exceptions, outermost first: what a failure says may sit at any depth of the
/// wrapping ML.NET and the engine add.</summary>
internal static class ExceptionChain
{
    public static IEnumerable<Exception> Flatten(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException) yield return x;
    }

    /// <summary>Every message of the chain, outermost first, joined by " | ".</summary>
    public static string Messages(Exception e) => string.Join(" | ", Flatten(e).Select(x => x.Message));
}
