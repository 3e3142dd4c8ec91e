namespace SSM.Cli.Tests;

public class TrimmedLinesTests
{
    [Fact]
    public void DropsSpacesAtLineEnds_KeepsThoseBetweenWords_EvenAcrossWrites()
    {
        var inner = new StringWriter();
        var writer = new TrimmedLines(inner);
        writer.Write("a  b   ");
        Assert.Equal("a  b", inner.ToString());   // the spaces wait for what follows
        writer.Write("  c \n");
        writer.Write(' ');
        writer.Write("\r\n   \nd".ToCharArray(), 0, 7);
        Assert.Equal("a  b     c\n\r\n\nd", inner.ToString());
        writer.Write((string?)null);
        writer.Write("");
        Assert.Equal("a  b     c\n\r\n\nd", inner.ToString());
    }
}
