using System.Globalization;

namespace SSM.Cli.Report;

/// <summary>
/// One axis of a <see cref="Chart"/>: its data range, the values that get a tick and a label, and its title. The range ends
/// on ticks, so every bar and point has a labelled value on either side of it.
/// </summary>
public sealed record Axis(double Min, double Max, IReadOnlyList<double> Ticks, string Title)
{
    /// <summary>
    /// An axis over [<paramref name="min"/>, <paramref name="max"/>], widened to round ticks: their spacing is 1, 2 or 5 times
    /// a power of ten, the one that gives nearest to <paramref name="targetTicks"/> intervals, and at least
    /// <paramref name="minStep"/> (1 for counts).
    /// </summary>
    public static Axis Nice(double min, double max, string title, int targetTicks = 5, double minStep = 0)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
            throw new ArgumentOutOfRangeException(nameof(min), $"An axis needs finite min <= max; got [{min}, {max}].");
        ArgumentOutOfRangeException.ThrowIfLessThan(targetTicks, 1);
        if (max - min < 1e-9 * Math.Max(1, Math.Abs(max))) { min -= 0.5; max += 0.5; }
        double step = Math.Max(minStep, NiceStep((max - min) / targetTicks));
        double first = Math.Floor(min / step + 1e-9) * step, last = Math.Ceiling(max / step - 1e-9) * step;
        return new Axis(first, last, Steps(first, last, step), title);
    }

    /// <summary>An axis over exactly [<paramref name="min"/>, <paramref name="max"/>] with a tick every <paramref name="step"/>.</summary>
    public static Axis Fixed(double min, double max, double step, string title) => new(min, max, Steps(min, max, step), title);

    /// <summary>Where <paramref name="value"/> lies on the axis: 0 at <see cref="Min"/>, 1 at <see cref="Max"/>.</summary>
    public double Fraction(double value) => Max > Min ? (value - Min) / (Max - Min) : 0.5;

    /// <summary>A tick's label, with as many decimals as the tick spacing needs and no more.</summary>
    public string Label(double tick)
    {
        double step = Ticks.Count > 1 ? Ticks[1] - Ticks[0] : Math.Max(Math.Abs(tick), 1);
        int decimals = Math.Clamp((int)Math.Ceiling(-Math.Log10(step) - 1e-9), 0, 10);
        double rounded = Math.Round(tick, decimals);
        // Rounding keeps 0.30000000000000004 out of the labels; the comparison turns -0 into 0.
        return (rounded == 0 ? 0 : rounded).ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    // The nearest of 1, 2, 5 and 10 on a log scale (the cut-offs are their geometric means), as d3's ticks choose.
    private static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double mantissa = rough / power;
        return (mantissa >= Math.Sqrt(50) ? 10 : mantissa >= Math.Sqrt(10) ? 5 : mantissa >= Math.Sqrt(2) ? 2 : 1) * power;
    }

    private static double[] Steps(double first, double last, double step)
    {
        int count = (int)Math.Round((last - first) / step) + 1;
        // Multiplying instead of adding keeps the ticks from drifting off their round values.
        return [.. Enumerable.Range(0, count).Select(i => first + i * step)];
    }
}
