namespace SSM.MLNet;

/// <summary>
/// Fit's warning for an image column whose pictures hold next to no grey levels. <c>MLImage</c> keeps 8 bits per channel, so
/// <c>LoadImages</c> cuts a 16-bit scan whose values fill only the lower part of the range (a 12-bit CT stored in a 16-bit
/// PNG) to a handful of levels, and the network would train on posterised images without a word. A path column reads the
/// same files at full depth.
/// </summary>
internal static class DarkPictures
{
    /// <summary>Training pictures whose brightest pixel stays below this hold at most 32 grey levels, and get the warning.</summary>
    public const float Limit = 32f / 255f;

    /// <param name="input">The estimator's input column; only pictures (<see cref="SsmInputKind.Image"/>) have 8 bits.</param>
    /// <param name="brightest">The brightest value, in [0, 1], of every training picture.</param>
    public static string? Warning(SsmInput input, float brightest)
    {
        if (input.Kind != SsmInputKind.Image || brightest >= Limit) return null;
        int level = (int)Math.Round(brightest * 255);
        return $"SSM: the brightest pixel of the training images in column '{input.ColumnName}' is {level} of 255, so they hold at most " +
               $"{level + 1} grey levels. An MLImage has 8 bits: LoadImages keeps 16 grey levels of a 12-bit scan in a 16-bit file. " +
               "Give the column of file paths instead, without LoadImages: the model reads 16-bit PNGs, TIFFs and DICOM at full depth.";
    }
}
