using System.Security.Cryptography;

namespace SSM.Core.IO;

/// <summary>
/// The container of model and checkpoint files: an 8-byte signature, a format version (int32),
/// length-prefixed sections, then a SHA-256 of everything before it. Damaged, truncated, foreign or
/// newer files are refused before any section is interpreted.
/// </summary>
internal static class SignedFile
{
    private const int HashLength = 32;
    private const long MaxSection = 2L << 30;

    public static void Write(Stream stream, ReadOnlySpan<byte> signature, int version, params byte[][] sections)
    {
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(signature);
            writer.Write(version);
            foreach (var section in sections)
            {
                writer.Write((long)section.Length);
                writer.Write(section);
            }
        }
        var span = body.GetBuffer().AsSpan(0, (int)body.Length);
        stream.Write(span);
        stream.Write(SHA256.HashData(span));
    }

    /// <summary>Reads and checks a file; returns its version and sections. <c>kind</c> names the file in messages, e.g. "SSM model file".</summary>
    public static (int Version, byte[][] Sections) Read(Stream stream, ReadOnlySpan<byte> signature, int maxVersion, int sectionCount, string kind)
    {
        byte[] all;
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            all = copy.ToArray();
        }
        int head = signature.Length + 4;
        if (all.Length < signature.Length || !all.AsSpan(0, signature.Length).SequenceEqual(signature))
            throw new InvalidDataException($"This is not an {kind} (its signature is missing).");
        if (all.Length < head + HashLength)
            throw new InvalidDataException($"The {kind} is truncated.");
        int version = BitConverter.ToInt32(all, signature.Length);
        if (version > maxVersion)
            throw NewerFormat.Mark(new InvalidDataException($"This {kind} has format version {version}, written by a newer SSM.MLNet; this version reads format {maxVersion} and older. Update the SSM.MLNet package."));
        if (version < 1)
            throw new InvalidDataException($"This {kind} has an invalid format version {version}.");
        int bodyLength = all.Length - HashLength;
        if (!SHA256.HashData(all.AsSpan(0, bodyLength)).AsSpan().SequenceEqual(all.AsSpan(bodyLength)))
            throw new InvalidDataException($"The {kind} is damaged or truncated: its integrity check (SHA-256 over settings and weights) failed.");

        var sections = new byte[sectionCount][];
        int position = head;
        for (int i = 0; i < sectionCount; i++)
        {
            if (position + 8 > bodyLength) throw new InvalidDataException($"The {kind} is malformed (section {i} is missing).");
            long length = BitConverter.ToInt64(all, position);
            position += 8;
            if (length < 0 || length > MaxSection || length > bodyLength - position)
                throw new InvalidDataException($"The {kind} is malformed (section {i} has an impossible length).");
            sections[i] = all.AsSpan(position, (int)length).ToArray();
            position += (int)length;
        }
        return (version, sections);
    }
}

/// <summary>Tells the refusal of a file of a newer format (a model or checkpoint of a later SSM.MLNet) from a damaged or foreign
/// one: a program built on the library (the command line) can say "update" instead of "not a model".</summary>
public static class NewerFormat
{
    private const string Key = "SSM.NewerFormat";

    /// <summary>Whether <paramref name="exception"/> refused a file because its format is newer than this version reads.</summary>
    public static bool Is(Exception exception) => exception?.Data[Key] is true;

    /// <summary>Marks <paramref name="exception"/> as such a refusal (for the ML.NET layer's own format check) and returns it.</summary>
    public static T Mark<T>(T exception) where T : Exception
    {
        exception.Data[Key] = true;
        return exception;
    }
}
