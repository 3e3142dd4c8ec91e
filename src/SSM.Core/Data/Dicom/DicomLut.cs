namespace SSM.Core.Data.Dicom;

/// <summary>
/// A lookup table of a Modality LUT or VOI LUT Sequence's first item (PS3.3 C.11.1, C.11.2), as read: its descriptor
/// (entries, first input value mapped, bits per entry) and its data, checked only when the table is used.
/// </summary>
internal sealed class DicomLut
{
    private ushort[]? descriptor, data;
    private bool descriptorSigned;

    /// <summary>One element of the sequence's item: the LUT Descriptor and LUT Data are kept, the rest skipped.</summary>
    public void Read(DicomReader reader, DicomReader.Element element)
    {
        switch (element.Tag)
        {
            case 0x0028_3002: descriptorSigned = element.Vr == "SS"; descriptor = reader.Words(element); break;
            case 0x0028_3006: data = reader.Words(element); break;
            default: reader.SkipValue(element, 3); break;
        }
    }

    /// <summary>The table to map values with; null when the sequence held neither descriptor nor data (an empty sequence).</summary>
    /// <param name="name">The file, for messages.</param>
    /// <param name="kind">"Modality" or "VOI", for messages.</param>
    /// <param name="inputCanBeNegative">Whether the values mapped can be negative: the first value mapped is then read as
    /// signed when its VR does not say (implicit VR, or US written where SS belongs).</param>
    /// <exception cref="InvalidDataException">The descriptor and data do not make a table.</exception>
    public Table? Resolve(string name, string kind, bool inputCanBeNegative)
    {
        if (descriptor is null && data is null) return null;
        if (descriptor is not [var count, var first, var bits] || data is null)
            throw new InvalidDataException($"{name} has a {kind} LUT without {(data is null ? "its data" : "a descriptor of three values")}; the file is corrupt.");
        int entries = count == 0 ? 1 << 16 : count;
        if (bits is < 1 or > 16)
            throw new InvalidDataException($"{name} has a {kind} LUT of {bits}-bit entries; the standard allows 8 to 16.");
        int[] values;
        if (data.Length == entries) values = Array.ConvertAll(data, v => (int)v);
        // 8-bit entries may also come packed two to a word, the first in the low byte, as DCMTK reads them.
        else if (bits <= 8 && data.Length == (entries + 1) / 2)
        {
            values = new int[entries];
            for (int i = 0; i < entries; i++) values[i] = data[i / 2] >> (i % 2 * 8) & 0xFF;
        }
        else throw new InvalidDataException($"{name} has a {kind} LUT of {entries} entries with {data.Length} values; the file is corrupt.");
        bool signed = descriptorSigned || (inputCanBeNegative && first >= 1 << 15);
        return new Table(signed ? (short)first : first, values, (1 << bits) - 1);
    }

    /// <param name="First">The input value the first entry maps; values below it map to the first entry, values past the
    /// last entry's to the last.</param>
    /// <param name="Entries">The output values.</param>
    /// <param name="Largest">The largest output the entries' bits can hold, which viewers show as white.</param>
    public sealed record Table(int First, int[] Entries, int Largest)
    {
        public int this[double input] => Entries[(int)Math.Clamp(Math.Floor(input) - First, 0, Entries.Length - 1)];
    }
}
