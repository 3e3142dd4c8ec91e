using System.Diagnostics;
using SSM.Core.Data;

namespace SSM.Benchmarks;

/// <summary>
/// `dicom-check [folder]`: reads every DICOM file of a folder with the library's reader and has pydicom read the same files
/// (dicom_compare.py), then prints, file by file, how far apart the two are. The default folder is pydicom's own test
/// set as Debian installs it (`apt-get install python3-pydicom`): files from many vendors and encoders, the reference a
/// reader is held to. pydicom's values are put through the same rescale, window and range rules (PS3.3 C.11), so what is
/// compared is the decoding.
/// </summary>
internal static class DicomCheck
{
    public static int Run(string[] args)
    {
        string folder = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "/usr/lib/python3/dist-packages/pydicom/data/test_files";
        var a = Arguments.Parse(args.SkipWhile(s => !s.StartsWith("--", StringComparison.Ordinal)).ToArray());
        string python = a.String("python") ?? "/usr/bin/python3";
        a.RejectUnknown();
        if (!Directory.Exists(folder)) throw new ArgumentException($"No folder '{folder}' (install python3-pydicom, or give a folder of .dcm files).");

        string decoded = Directory.CreateTempSubdirectory("ssm-dicom-check-").FullName;
        try
        {
            int read = 0, refused = 0;
            foreach (string file in Directory.GetFiles(folder, "*.dcm").Order(StringComparer.Ordinal))
            {
                try
                {
                    var image = ImageFile.Load(file);
                    using var output = new BinaryWriter(File.Create(Path.Combine(decoded, Path.GetFileName(file) + ".bin")));
                    output.Write(image.Channels);
                    output.Write(image.Height);
                    output.Write(image.Width);
                    foreach (float v in image.Pixels) output.Write(v);
                    read++;
                }
                catch (InvalidDataException e)
                {
                    refused++;
                    Console.WriteLine($"refused  {Path.GetFileName(file)}: {e.Message.Replace(file, "", StringComparison.Ordinal).Trim('\'', ' ')}");
                }
            }
            Console.WriteLine($"{read} read, {refused} refused; pydicom on the ones read:");
            string script = Path.Combine(AppContext.BaseDirectory, "dicom_compare.py");
            using var process = Process.Start(new ProcessStartInfo(python, [script, folder, decoded]))
                ?? throw new IOException($"Could not start {python}.");
            process.WaitForExit();
            return process.ExitCode;
        }
        finally { Directory.Delete(decoded, recursive: true); }
    }
}
