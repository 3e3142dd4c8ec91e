using System.Globalization;
using System.Text;
using Spectre.Console;

namespace SSM.Cli;

/// <summary>
/// Text from outside (a file's name, a message quoting one) as the terminal should show it: control characters written out
/// ("\x1B") instead of acted on, and Spectre markup escaped. A file named with ESC[2J cleared the screen when a warning
/// named it, and one with ESC]0; retitled the terminal.
/// </summary>
public static class TerminalText
{
    /// <summary><paramref name="text"/> with every control character but the line break written as \xNN, and markup escaped.</summary>
    public static string Markup(string text) => Spectre.Console.Markup.Escape(Printable(text));

    /// <summary><paramref name="text"/> with every control character but tab and the line break written as \xNN.</summary>
    public static string Printable(string text)
    {
        if (!Enumerable.Range(0, text.Length).Any(i => IsControl(text, i))) return text;
        var shown = new StringBuilder(text.Length + 8);
        for (int i = 0; i < text.Length; i++)
            shown.Append(IsControl(text, i) ? "\\x" + ((int)text[i]).ToString("X2", CultureInfo.InvariantCulture) : text[i].ToString());
        return shown.ToString();
    }

    // Tab and line breaks (Windows' \r\n too) lay text out; a lone carriage return, escape, bell and the C1 controls
    // (U+0080-U+009F, which some terminals take as escape sequences too) move or command the terminal.
    private static bool IsControl(string text, int i) =>
        char.IsControl(text[i]) && text[i] is not '\n' and not '\t' && !(text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n');
}
