using Microsoft.ML.Data;
using SSM.Core.Data;

namespace SSM.MLNet;

/// <summary>
/// Fit's warning for colour training images that a grey model (<see cref="SsmAnomalyDetectionOptions.Channels"/> 1, the
/// default) reads by their luminance: a defect of colour alone (a hue shift at the same brightness) is then invisible to it
/// (a walkthrough's labels: image AUROC 0.773 in grey against 0.923 in colour through this API, and 0 of 12 such defects
/// found by the command line's grey model). Looked for in the first <see cref="RowsLooked"/> rows only: pictures by their
/// pixels (a picture of grey pixels, as <c>ConvertToGrayscale</c> gives, says grey is meant), files and encoded bytes by
/// <see cref="ImageFile.HoldsColour(string)"/> (a colour file of grey pixels holds none). Vectors cannot tell.
/// </summary>
internal static class ColourReadAsGrey
{
    /// <summary>How many rows are looked at: a file is decoded a second time for it, at 64 px.</summary>
    public const int RowsLooked = 16;

    /// <summary>Whether a Bgra32/Rgba32 picture has a pixel whose three colour bytes differ.</summary>
    public static bool HasColour(MLImage image)
    {
        var bytes = image.Pixels;
        for (int i = 0; i + 2 < bytes.Length; i += 4)
            if (bytes[i] != bytes[i + 1] || bytes[i] != bytes[i + 2]) return true;
        return false;
    }

    /// <param name="input">The column the images come from.</param>
    /// <param name="fineTuning">Whether the images fine-tune a model, whose channels are its training's: colour needs a new model.</param>
    public static string Warning(SsmInput input, bool fineTuning = false) =>
        $"SSM: the training images in column '{input.ColumnName}' are in colour, and the model reads grey " +
        (fineTuning
            ? "since its training: it reads them by their luminance, so a defect of colour alone will be invisible to it. " +
              $"A new model with {nameof(SsmAnomalyDetectionOptions.Channels)} = 3 reads colour"
            : $"({nameof(SsmAnomalyDetectionOptions.Channels)} = 1, the default): it reads them by their luminance, so a defect of colour " +
              $"alone will be invisible to it. Set {nameof(SsmAnomalyDetectionOptions.Channels)} = 3 to train in colour") +
        (input.Kind == SsmInputKind.Image ? ", or convert the pictures to grey first (ConvertToGrayscale) to say grey is meant." : ".");
}
