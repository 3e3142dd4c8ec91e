using System.Security.Cryptography;
using System.Text;

namespace SSM.Cli.Outputs;

/// <summary>
/// What names a command's kept work (a stopped training's checkpoints, a stopped predict's rows): a hash of its settings and
/// of each input file's full path, length and time of writing. The same command on the same files gives the same stamp; any
/// other setting, or a file added, removed or changed, another.
/// </summary>
public static class CommandStamp
{
    /// <summary>The upper-case hex SHA-256 of the settings (in key order) and the files (in the order given).</summary>
    public static string Of(IEnumerable<(string Key, string Value)> settings, IEnumerable<string> files)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in settings.OrderBy(s => s.Key, StringComparer.Ordinal)) text.Append(key).Append('=').Append(value).Append('\n');
        foreach (string file in files)
        {
            var info = new FileInfo(file);
            // A file gone since it was listed (removed by the camera's software, or a name .NET cannot open) is stamped as
            // gone: predict --keep-going lists it as unreadable, and the training names it, rather than failing here.
            text.Append(info.FullName).Append('\t').Append(info.Exists ? info.Length : -1).Append('\t').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
