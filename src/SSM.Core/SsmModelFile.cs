using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SSM.Core.Network;
using SSM.Core.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core;

/// <summary>
/// The model file: "SSMMODEL", format version (int32), settings and calibration as JSON, the weights
/// in TorchSharp's tensor format (names, shapes and raw values: nothing in it is executed), then a
/// SHA-256 of everything before it. Damaged, foreign or newer files are refused before anything is
/// built from them.
/// </summary>
internal static class SsmModelFile
{
    private static readonly byte[] Magic = "SSMMODEL"u8.ToArray();
    public const int FormatVersion = 1;
    private const int HashLength = 32;
    private const long MaxSection = 2L << 30;

    private sealed record Header(SsmOptions Options, Calibration? Calibration);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static void Write(SsmModel model, Stream stream)
    {
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            var header = JsonSerializer.SerializeToUtf8Bytes(new Header(model.Options, model.Calibration), Json);
            writer.Write((long)header.Length);
            writer.Write(header);
            using var weights = new MemoryStream();
            using (var weightWriter = new BinaryWriter(weights, Encoding.UTF8, leaveOpen: true))
            {
                // TorchSharp copies device tensors to the CPU as it writes, so a GPU-trained model loads anywhere.
                model.Network.save(weightWriter);
            }
            writer.Write(weights.Length);
            writer.Write(weights.GetBuffer(), 0, (int)weights.Length);
        }
        var hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        stream.Write(body.GetBuffer(), 0, (int)body.Length);
        stream.Write(hash);
    }

    public static SsmModel Read(Stream stream, Device? device)
    {
        byte[] all;
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            all = copy.ToArray();
        }
        if (all.Length < Magic.Length + 4 || !all.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException("This is not an SSM model file (its signature is missing).");
        int version = BitConverter.ToInt32(all, Magic.Length);
        if (version > FormatVersion)
            throw new InvalidDataException($"This SSM model file has format version {version}, written by a newer SSM.MLNet; this version reads format {FormatVersion} and older. Update the SSM.MLNet package.");
        if (version < 1)
            throw new InvalidDataException($"This SSM model file has an invalid format version {version}.");
        if (all.Length < Magic.Length + 4 + HashLength)
            throw new InvalidDataException("The SSM model file is truncated.");
        var body = all.AsSpan(0, all.Length - HashLength);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(all.AsSpan(all.Length - HashLength)))
            throw new InvalidDataException("The SSM model file is damaged or truncated: its integrity check (SHA-256 over settings and weights) failed.");

        using var reader = new BinaryReader(new MemoryStream(all, 0, body.Length, writable: false));
        reader.ReadBytes(Magic.Length + 4);
        var header = JsonSerializer.Deserialize<Header>(ReadSection(reader), Json)
            ?? throw new InvalidDataException("The SSM model file has no settings.");
        header.Options.Validate();
        var weights = ReadSection(reader);
        var network = new InpaintingNetwork(header.Options.Network);
        try
        {
            using var weightReader = new BinaryReader(new MemoryStream(weights, writable: false));
            network.load(weightReader, strict: true);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            network.Dispose();
            throw new InvalidDataException("The SSM model file's weights do not match its network settings.", e);
        }
        network.eval();
        if (device is not null) network.to(device);
        return new SsmModel(network, header.Options, header.Calibration);
    }

    private static byte[] ReadSection(BinaryReader reader)
    {
        long length = reader.ReadInt64();
        if (length < 0 || length > MaxSection || length > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new InvalidDataException("The SSM model file is malformed (a section length is out of range).");
        return reader.ReadBytes((int)length);
    }
}
