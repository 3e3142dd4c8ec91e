// MSBuild inline task (RoslynCodeTaskFactory): marks one ELF version requirement as weak, so the
// dynamic loader no longer refuses the library when the system lacks that symbol version.
// It patches whatever machine builds: the library runs where it is deployed, which may lack the
// version the build machine has (a build on Ubuntu 24.04 or Windows, a run on Debian 12), and a weak
// requirement changes nothing where the version exists.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class SsmWeakenElfVersionNeed : Task
{
    [Required] public ITaskItem[] Files { get; set; }
    [Required] public string VersionName { get; set; }

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            try
            {
                var path = item.ItemSpec;
                var written = File.GetLastWriteTimeUtc(path);
                var bytes = File.ReadAllBytes(path);
                switch (Weaken(bytes, VersionName))
                {
                    case 1:
                        // The output may hold a hard or symbolic link into the NuGet cache (see
                        // Directory.Build.props): write a new file and rename it over the link, so the
                        // cache keeps its original bytes. The rename is atomic: a program loading the
                        // library meanwhile sees the old file or the new one, never none. The copy's time
                        // is kept, so the next build's incremental copy (same size, same time) leaves the
                        // patched file alone instead of linking the original again: every `dotnet run`
                        // did, and a second program starting then found the unpatched library.
                        var patched = path + ".ssm-patched";
                        File.WriteAllBytes(patched, bytes);
                        File.SetLastWriteTimeUtc(patched, written);
                        File.Replace(patched, path, null);
                        Log.LogMessage(MessageImportance.Normal, "Marked " + VersionName + " as weak in " + path);
                        break;
                    case 0:
                        Log.LogMessage(MessageImportance.Low, path + ": " + VersionName + " already weak.");
                        break;
                    default:
                        Log.LogMessage(MessageImportance.Low, path + ": no " + VersionName + " requirement.");
                        break;
                }
            }
            catch (Exception e)
            {
                Log.LogWarning("Could not patch " + item.ItemSpec + ": " + e.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }

    static int IndexOf(byte[] hay, byte[] needle)
    {
        for (int i = 0; i <= hay.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    // Returns 1 when patched, 0 when already weak, -1 when the requirement is absent.
    static int Weaken(byte[] b, string version)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2 || b[5] != 1)
            throw new InvalidDataException("not a little-endian 64-bit ELF file");
        ulong shoff = BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3a);
        int shnum = BitConverter.ToUInt16(b, 0x3c);
        for (int s = 0; s < shnum; s++)
        {
            int sh = (int)shoff + s * shentsize;
            if (BitConverter.ToUInt32(b, sh + 4) != ShtGnuVerneed) continue;
            int offset = (int)BitConverter.ToUInt64(b, sh + 0x18);
            int link = (int)BitConverter.ToUInt32(b, sh + 0x28);
            int strtab = (int)BitConverter.ToUInt64(b, (int)shoff + link * shentsize + 0x18);
            int vn = offset;
            while (true)
            {
                int cnt = BitConverter.ToUInt16(b, vn + 2);
                int aux = vn + (int)BitConverter.ToUInt32(b, vn + 8);
                for (int a = 0; a < cnt; a++)
                {
                    int name = strtab + (int)BitConverter.ToUInt32(b, aux + 8);
                    int end = name;
                    while (b[end] != 0) end++;
                    if (Encoding.ASCII.GetString(b, name, end - name) == version)
                    {
                        ushort flags = BitConverter.ToUInt16(b, aux + 4);
                        if ((flags & VerFlgWeak) != 0) return 0;
                        flags |= VerFlgWeak;
                        b[aux + 4] = (byte)(flags & 0xff);
                        b[aux + 5] = (byte)(flags >> 8);
                        return 1;
                    }
                    uint nextAux = BitConverter.ToUInt32(b, aux + 12);
                    if (nextAux == 0) break;
                    aux += (int)nextAux;
                }
                uint next = BitConverter.ToUInt32(b, vn + 12);
                if (next == 0) break;
                vn += (int)next;
            }
        }
        return -1;
    }
}
