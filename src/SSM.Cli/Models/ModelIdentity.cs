using System.IO.Compression;
using System.Security.Cryptography;

namespace SSM.Cli.Models;

/// <summary>
/// What makes a model the model it is: the SHA-256 of its trained network, options and calibration (the zip's SsmModel.bin
/// stream). The same training gives the same identity, where the zip's own hash differs with its entries' dates; a threshold
/// set later (<c>evaluate --threshold</c>) keeps it, as the network is the same.
/// </summary>
public static class ModelIdentity
{
    /// <summary>The lower-case hex SHA-256 of the model's SsmModel.bin stream.</summary>
    /// <exception cref="CliException">The file is not a zip holding one SSM model.</exception>
    public static string Of(string modelZip)
    {
        try
        {
            using var zip = ZipFile.OpenRead(modelZip);
            var entries = zip.Entries.Where(e => e.Name == SSM.MLNet.SsmAnomalyTransformer.WeightsEntryName).Take(2).ToList();
            if (entries.Count != 1)
                throw new CliException($"'{Path.GetFullPath(modelZip)}' holds {(entries.Count == 0 ? "no" : "more than one")} SSM model: give a model.zip written by ssm train or evaluate.");
            using var stream = entries[0].Open();
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (InvalidDataException ex) { throw new CliException($"'{Path.GetFullPath(modelZip)}' is not a model file (not a zip): {ex.Message}", ex); }
    }
}
