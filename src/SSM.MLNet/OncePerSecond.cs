namespace SSM.MLNet;

/// <summary>True at most once a second (the first time a second after it is made): the pace of progress traces.</summary>
internal sealed class OncePerSecond
{
    private long last = Environment.TickCount64;

    public bool Due()
    {
        long now = Environment.TickCount64;
        if (now - last < 1000) return false;
        last = now;
        return true;
    }
}
