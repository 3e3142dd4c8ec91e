using Microsoft.ML;
using Microsoft.ML.Data;

namespace SSM.MLNet.Tests;

/// <summary>Pictures passed through the scored data are owned as ML.NET's image getters own them: a caller keeps each one it
/// was given, and each picture it gives back, and each of the upstream's, is disposed.</summary>
[Collection(TrainedModelCollection.Name)]
public sealed class PictureOwnershipTests(TrainedModelFixture fx)
{
    private static bool Disposed(MLImage image)
    {
        try { _ = image.Pixels; return false; }
        catch (InvalidOperationException) { return true; }
    }

    private (IDataView Scored, RecordingView Upstream) Scored(int rows)
    {
        var data = fx.Context.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => fx.Test[i % fx.Test.Count]));
        var upstream = new RecordingView(fx.Context.Transforms.LoadImages("Image", "", nameof(ImageRow.ImagePath)).Fit(data).Transform(data));
        return (fx.Ssm.Transform(upstream), upstream);
    }

    [Fact]
    public void Pictures_read_into_fresh_destinations_outlive_their_batch_and_the_cursor()
    {
        // 11 rows: batches of the default 4, the last one partial; each picture kept for after the loop (a heat map each).
        var (scored, upstream) = Scored(11);
        var kept = new List<MLImage>();
        using (var cursor = scored.GetRowCursor([scored.Schema["Image"], scored.Schema["Score"]]))
        {
            var image = cursor.GetGetter<MLImage>(scored.Schema["Image"]);
            while (cursor.MoveNext())
            {
                MLImage picture = null!;
                image(ref picture);
                kept.Add(picture);
            }
        }
        Assert.Equal(11, kept.Count);
        Assert.All(kept, p => Assert.False(Disposed(p)));
        Assert.All(kept, p => Assert.Equal(TrainedModelFixture.Size, p.Width));
        // LoadImages' own are given back to it, which disposes each before reading the next: at most its last is left.
        Assert.Equal(11, upstream.Handed.Count);
        Assert.True(upstream.Handed.Count(p => !Disposed(p)) <= 1, $"{upstream.Handed.Count(p => !Disposed(p))} of LoadImages' pictures undisposed");
        foreach (var picture in kept) picture.Dispose();
    }

    [Fact]
    public void Preview_shows_every_row_s_picture_and_a_picture_given_back_is_disposed()
    {
        var (scored, _) = Scored(6);
        var pictures = scored.Preview().ColumnView.Single(c => c.Column.Name == "Image").Values.Cast<MLImage>().ToList();
        Assert.Equal(6, pictures.Count);
        Assert.All(pictures, p => Assert.False(Disposed(p)));

        // A destination reused row by row is the caller's picture given back: disposed, as LoadImages disposes it.
        using var cursor = scored.GetRowCursor([scored.Schema["Image"]]);
        var image = cursor.GetGetter<MLImage>(scored.Schema["Image"]);
        MLImage reused = null!;
        Assert.True(cursor.MoveNext());
        image(ref reused);
        var first = reused;
        Assert.True(cursor.MoveNext());
        image(ref reused);
        Assert.True(Disposed(first));
        Assert.False(Disposed(reused));
    }

    /// <summary>Passes a view through, recording every picture its getters hand out.</summary>
    private sealed class RecordingView(IDataView inner) : IDataView
    {
        public List<MLImage> Handed { get; } = [];
        public bool CanShuffle => inner.CanShuffle;
        public DataViewSchema Schema => inner.Schema;
        public long? GetRowCount() => inner.GetRowCount();
        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
            new Cursor(this, inner.GetRowCursor(columnsNeeded, rand));
        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            [GetRowCursor(columnsNeeded, rand)];

        private sealed class Cursor(RecordingView view, DataViewRowCursor inner) : DataViewRowCursor
        {
            public override DataViewSchema Schema => inner.Schema;
            public override long Position => inner.Position;
            public override long Batch => inner.Batch;
            public override bool MoveNext() => inner.MoveNext();
            public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);
            public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();
            public override ValueGetter<T> GetGetter<T>(DataViewSchema.Column column)
            {
                var get = inner.GetGetter<T>(column);
                if (typeof(T) != typeof(MLImage)) return get;
                return (ref T value) =>
                {
                    get(ref value);
                    if (value is MLImage picture) view.Handed.Add(picture);
                };
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing) inner.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
