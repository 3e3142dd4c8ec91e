namespace SSM.Core.IO;

/// <summary>
/// Input files checked before they are opened. A named pipe opened for reading waits for a writer, forever: one named like
/// an image in a folder hung <c>ssm predict</c>, and no signal stopped it. A pipe or a device has no size, so it is taken
/// for what its size says, an empty file, and never opened.
/// </summary>
public static class InputFile
{
    /// <summary>Whether the file at <paramref name="path"/> has bytes to read: false for an empty file, for a pipe or a
    /// device (size 0), and for a path that cannot be looked at.</summary>
    public static bool HasBytes(string path)
    {
        try { return new FileInfo(path).Length > 0; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException) { return false; }
    }

    /// <summary>The file opened for reading when it <see cref="HasBytes"/>, else null (nothing opened).</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">It may not be read.</exception>
    public static FileStream? OpenWithBytes(string path) => HasBytes(path) ? File.OpenRead(path) : null;
}
