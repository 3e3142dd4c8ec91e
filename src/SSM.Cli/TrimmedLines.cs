using System.Text;

namespace SSM.Cli;

/// <summary>
/// Writes through to <paramref name="inner"/> without the spaces at the ends of lines. Spectre pads every line of help and
/// tables to the console's width, which in a log or a pipe (200 columns, see <see cref="CliApp"/>) is trailing noise. Spaces are
/// held back only until the next visible character, so nothing visible is delayed.
/// </summary>
internal sealed class TrimmedLines(TextWriter inner) : TextWriter
{
    private int heldSpaces;
    private readonly StringBuilder pass = new();

    public override Encoding Encoding => inner.Encoding;

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        pass.Clear();
        foreach (char c in value)
        {
            if (c == ' ') { heldSpaces++; continue; }
            if (c is not ('\n' or '\r')) pass.Append(' ', heldSpaces);
            heldSpaces = 0;
            pass.Append(c);
        }
        if (pass.Length > 0) inner.Write(pass.ToString());
    }

    public override void Write(char value) => Write(value.ToString());

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Flush() => inner.Flush();
}
