using SkiaSharp;

namespace SSM.Cli.Report;

/// <summary>A plot area with axes in [0,1]×[0,1] data coordinates; labels are written in the HTML around the picture.</summary>
public sealed class Chart : IDisposable
{
    public const int Width = 360, Height = 280, Margin = 24;

    public Chart()
    {
        Bitmap = new SKBitmap(Width, Height);
        Canvas = new SKCanvas(Bitmap);
        Canvas.Clear(SKColors.White);
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1.5f, IsAntialias = true, Style = SKPaintStyle.Stroke };
        using var grid = new SKPaint { Color = new SKColor(225, 225, 225), StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        for (int i = 1; i <= 4; i++)
        {
            float v = i / 4f;
            Canvas.DrawLine(X(v), Y(0), X(v), Y(1), grid);
            Canvas.DrawLine(X(0), Y(v), X(1), Y(v), grid);
        }
        Canvas.DrawRect(SKRect.Create(X(0), Y(1), X(1) - X(0), Y(0) - Y(1)), axis);
    }

    public SKBitmap Bitmap { get; }
    public SKCanvas Canvas { get; }

    public static float X(double v) => (float)(Margin + v * (Width - 2 * Margin));
    public static float Y(double v) => (float)(Height - Margin - v * (Height - 2 * Margin));

    public void Polyline(IReadOnlyList<(double X, double Y)> points, SKColor color, float width = 2, bool dashed = false)
    {
        if (points.Count < 2) return;
        using var paint = new SKPaint { Color = color, StrokeWidth = width, IsAntialias = true, Style = SKPaintStyle.Stroke };
        if (dashed) paint.PathEffect = SKPathEffect.CreateDash([6, 4], 0);
        using var path = new SKPath();
        path.MoveTo(X(points[0].X), Y(points[0].Y));
        for (int i = 1; i < points.Count; i++) path.LineTo(X(points[i].X), Y(points[i].Y));
        Canvas.DrawPath(path, paint);
    }

    public void Bar(double x0, double x1, double height, SKColor color)
    {
        using var paint = new SKPaint { Color = color, Style = SKPaintStyle.Fill };
        Canvas.DrawRect(SKRect.Create(X(x0), Y(height), X(x1) - X(x0), Y(0) - Y(height)), paint);
    }

    public string DataUri()
    {
        Canvas.Flush();
        return Png.DataUri(Bitmap);
    }

    public void Dispose()
    {
        Canvas.Dispose();
        Bitmap.Dispose();
    }
}
