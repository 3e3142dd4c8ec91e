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
    private static long MaxSection => Array.MaxLength;   // a section is one array

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
    /// <remarks>Read piece by piece as the file declares itself, hashed on the way: nothing is held twice, and a file of
    /// another kind or version is refused from its first 12 bytes. (Read whole first, a zip entry inflating to 1.5 GB of
    /// zeros after an SSM signature took 5.5 GB before its version 0 was refused.)</remarks>
    public static (int Version, byte[][] Sections) Read(Stream stream, ReadOnlySpan<byte> signature, int maxVersion, int sectionCount, string kind)
    {
        var head = new byte[signature.Length + 4];
        int got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (got < signature.Length || !head.AsSpan(0, signature.Length).SequenceEqual(signature))
            throw new InvalidDataException($"This is not an {kind} (its signature is missing).");
        if (got < head.Length) throw new InvalidDataException($"The {kind} is truncated.");
        int version = BitConverter.ToInt32(head, signature.Length);
        if (version > maxVersion)
            throw NewerFormat.Mark(new InvalidDataException($"This {kind} has format version {version}, written by a newer SSM.MLNet; this version reads format {maxVersion} and older. Update the SSM.MLNet package."));
        if (version < 1)
            throw new InvalidDataException($"This {kind} has an invalid format version {version}.");

        var damaged = new InvalidDataException($"The {kind} is damaged or truncated: its integrity check (SHA-256 over settings and weights) failed.");
        if (stream.CanSeek && !HashHolds(stream, head)) throw damaged;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(head);
        var sections = new byte[sectionCount][];
        var prefix = new byte[8];
        for (int i = 0; i < sectionCount; i++)
        {
            if (stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false) < prefix.Length) throw damaged;
            long length = BitConverter.ToInt64(prefix);
            if (length < 0 || length > MaxSection) throw new InvalidDataException($"The {kind} is malformed (section {i} has an impossible length).");
            if (stream.CanSeek && length > stream.Length - stream.Position) throw damaged;   // cut short, or a length damaged
            hash.AppendData(prefix);
            sections[i] = ReadSection(stream, (int)length) ?? throw damaged;
            hash.AppendData(sections[i]);
        }
        if (!EndsWithHashOf(stream, hash) || stream.ReadByte() != -1) throw damaged;
        return (version, sections);
    }

    /// <summary>Whether the rest of a stream that can seek ends in the SHA-256 of <paramref name="head"/> and what lies between,
    /// hashed through in chunks and the stream put back where it was. Checked before any section is allocated: a section
    /// length crafted to 2 GB beside as many zeros (a 2.9 MB zip) cost 2.3 GB and 20 s before the hash refused it.</summary>
    private static bool HashHolds(Stream stream, byte[] head)
    {
        long start = stream.Position, left = stream.Length - HashLength - start;
        if (left < 0) return false;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(head);
        var chunk = new byte[(int)Math.Min(left, 1 << 20)];
        while (left > 0)
        {
            int read = stream.Read(chunk, 0, (int)Math.Min(left, chunk.Length));
            if (read == 0) return false;
            hash.AppendData(chunk, 0, read);
            left -= read;
        }
        bool holds = EndsWithHashOf(stream, hash);
        stream.Position = start;
        return holds;
    }

    /// <summary>Whether the stream's next bytes are the SHA-256 <paramref name="hash"/> has taken so far.</summary>
    private static bool EndsWithHashOf(Stream stream, IncrementalHash hash)
    {
        var stored = new byte[HashLength];
        return stream.ReadAtLeast(stored, HashLength, throwOnEndOfStream: false) == HashLength
               && hash.GetHashAndReset().AsSpan().SequenceEqual(stored);
    }

    /// <summary>The next <paramref name="length"/> bytes; null when the stream ends first. A stream that cannot tell its
    /// length is read in chunks, so a length damaged to gigabytes costs only what the stream holds.</summary>
    private static byte[]? ReadSection(Stream stream, int length)
    {
        if (stream.CanSeek)
        {
            var section = new byte[length];
            return stream.ReadAtLeast(section, length, throwOnEndOfStream: false) < length ? null : section;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[Math.Min(length, 1 << 20)];
        for (int left = length; left > 0;)
        {
            int read = stream.Read(chunk, 0, Math.Min(left, chunk.Length));
            if (read == 0) return null;
            buffer.Write(chunk, 0, read);
            left -= read;
        }
        return buffer.ToArray();
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
