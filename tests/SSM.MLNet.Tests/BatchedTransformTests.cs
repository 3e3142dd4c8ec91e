using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.Core.Data;

namespace SSM.MLNet.Tests;

/// <summary>Transform's read-ahead batching: same scores as row-at-a-time, pass-through, per-row errors, streaming, laziness.</summary>
[Collection(TrainedModelCollection.Name)]
public sealed class BatchedTransformTests(TrainedModelFixture fx)
{
    public sealed class RichRow
    {
        public string ImagePath { get; set; } = "";
        public string Name { get; set; } = "";
        [VectorType(3)] public float[] Features { get; set; } = new float[3];
        public int Index { get; set; }
    }

    /// <summary>An input whose enumeration is counted: how far ahead of the consumer the upstream is read.</summary>
    private sealed class CountingRows<T>(IReadOnlyList<T> rows) : IEnumerable<T>
    {
        public int Yielded;

        public IEnumerator<T> GetEnumerator()
        {
            foreach (var row in rows)
            {
                Yielded++;
                yield return row;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>An input whose enumeration fails after <paramref name="failAt"/> rows, as a reader meeting a damaged record does.</summary>
    private sealed class FailingRows<T>(IReadOnlyList<T> rows, int failAt) : IEnumerable<T>
    {
        public IEnumerator<T> GetEnumerator()
        {
            for (int i = 0; i < failAt; i++) yield return rows[i];
            throw new InvalidDataException($"Record {failAt} is damaged.");
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Passes an input through; a subclass wraps each of its cursors to change what the cursor does.</summary>
    private abstract class PassThroughView(IDataView inner) : IDataView
    {
        public bool CanShuffle => inner.CanShuffle;
        public DataViewSchema Schema => inner.Schema;
        public long? GetRowCount() => inner.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
            Wrap(inner.GetRowCursor(columnsNeeded, rand));

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            [GetRowCursor(columnsNeeded, rand)];

        protected abstract DataViewRowCursor Wrap(DataViewRowCursor cursor);
    }

    /// <summary>A cursor that does what the cursor it wraps does, and disposes it once.</summary>
    private class PassThroughCursor(DataViewRowCursor inner) : DataViewRowCursor
    {
        private bool disposed;
        protected DataViewRowCursor Inner => inner;
        public override DataViewSchema Schema => inner.Schema;
        public override long Position => inner.Position;
        public override long Batch => inner.Batch;
        public override bool MoveNext() => inner.MoveNext();
        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(column);
        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        /// <summary>Called once, when the cursor is first disposed.</summary>
        protected virtual void OnDispose() { }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !disposed)
            {
                disposed = true;
                OnDispose();
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>Passes an input through, counting how many of its cursors were disposed.</summary>
    private sealed class DisposeCountingView(IDataView inner) : PassThroughView(inner)
    {
        public int DisposedCursors;

        protected override DataViewRowCursor Wrap(DataViewRowCursor cursor) => new Cursor(this, cursor);

        private sealed class Cursor(DisposeCountingView view, DataViewRowCursor inner) : PassThroughCursor(inner)
        {
            protected override void OnDispose() => view.DisposedCursors++;
        }
    }

    /// <summary>Passes an input through, its text served from one buffer per getter that each row overwrites, as ML.NET
    /// lets a getter do.</summary>
    private sealed class SharedTextView(IDataView inner) : PassThroughView(inner)
    {
        protected override DataViewRowCursor Wrap(DataViewRowCursor cursor) => new Cursor(cursor);

        private sealed class Cursor(DataViewRowCursor inner) : PassThroughCursor(inner)
        {
            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                var shared = new char[256];
                if (typeof(TValue) == typeof(ReadOnlyMemory<char>))
                {
                    var get = Inner.GetGetter<ReadOnlyMemory<char>>(column);
                    return (ValueGetter<TValue>)(Delegate)(ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) =>
                    {
                        get(ref value);
                        value.Span.CopyTo(shared);
                        value = shared.AsMemory(0, value.Length);
                    });
                }
                if (typeof(TValue) == typeof(VBuffer<ReadOnlyMemory<char>>))
                {
                    var get = Inner.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
                    return (ValueGetter<TValue>)(Delegate)(ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> value) =>
                    {
                        get(ref value);
                        var editor = VBufferEditor.CreateFromBuffer(ref value);
                        for (int i = 0, at = 0; i < editor.Values.Length; at += editor.Values[i++].Length)
                        {
                            editor.Values[i].Span.CopyTo(shared.AsSpan(at));
                            editor.Values[i] = shared.AsMemory(at, editor.Values[i].Length);
                        }
                    });
                }
                return base.GetGetter<TValue>(column);
            }
        }
    }

    public sealed class TaggedRow
    {
        public string ImagePath { get; set; } = "";
        public string Name { get; set; } = "";
        [VectorType(2)] public string[] Tags { get; set; } = ["", ""];
    }

    private string TempFile(string name) => Path.Combine(fx.Folder, Guid.NewGuid().ToString("N")[..8] + "-" + name);

    private List<ImageRow> Cycle(int count) => Enumerable.Range(0, count).Select(i => fx.Test[i % fx.Test.Count]).ToList();

    private IDataView Images(IDataView data) =>
        fx.Context.Transforms.LoadImages("Image", "", nameof(ImageRow.ImagePath)).Fit(data).Transform(data);

    /// <summary>Row-at-a-time scores through a PredictionEngine (the per-row mapper path), by image path.</summary>
    private Dictionary<string, Prediction> PerRow(IEnumerable<string> paths)
    {
        using var engine = fx.Context.Model.CreatePredictionEngine<ImageRow, Prediction>(fx.Model, new PredictionEngineOptions { OwnsTransformer = false });
        var result = new Dictionary<string, Prediction>();
        foreach (var path in paths.Distinct())
        {
            var p = engine.Predict(new ImageRow { ImagePath = path });
            result[path] = new Prediction { Score = p.Score, PredictedLabel = p.PredictedLabel, AnomalyMap = p.AnomalyMap.ToArray() };
        }
        return result;
    }

    [Fact]
    public void Batched_Transform_matches_PredictionEngine_over_a_partial_last_batch()
    {
        var rows = Cycle(19); // 8 + 8 + 3
        var expected = PerRow(rows.Select(r => r.ImagePath));
        Assert.Equal(SsmAnomalyTransformer.DefaultScoringBatchSize, fx.Ssm.ScoringBatchSize);
        var data = fx.Context.Data.LoadFromEnumerable(rows);

        var scored = fx.Model.Transform(data);
        Assert.IsType<SsmScoredDataView>(scored);
        var batched = Scored.Read(scored);
        Assert.Equal(19, batched.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            var e = expected[rows[i].ImagePath];
            Close.Score(fx.Ssm, e.Score, batched[i].Score);
            Close.Map(e.AnomalyMap, batched[i].Map);
            Assert.Equal(batched[i].Score >= fx.Ssm.Threshold, batched[i].Predicted);
        }

        // One row per engine call is the per-row path exactly (the early resize to S x S changes nothing).
        using var single = fx.Ssm.WithScoringBatchSize(1);
        var one = Scored.Read(single.Transform(Images(data)));
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(expected[rows[i].ImagePath].Score, one[i].Score);
            Assert.Equal(expected[rows[i].ImagePath].AnomalyMap, one[i].Map);
        }
    }

    [Fact]
    public void Input_columns_pass_through_unchanged_and_in_order_with_their_row_ids()
    {
        var rows = Cycle(19).Select((r, i) => new RichRow
        {
            ImagePath = r.ImagePath, Name = $"row-{i}", Features = [i, -i, i * 0.5f], Index = i,
        }).ToList();
        var images = Images(fx.Context.Data.LoadFromEnumerable(rows));
        var scored = fx.Ssm.Transform(images);
        var expectedSchema = fx.Ssm.GetOutputSchema(images.Schema);
        Assert.Equal(expectedSchema.Select(c => (c.Name, c.Type, c.IsHidden)), scored.Schema.Select(c => (c.Name, c.Type, c.IsHidden)));

        var upstreamIds = new List<DataViewRowId>();
        using (var upstream = images.GetRowCursor(images.Schema))
        {
            var id = upstream.GetIdGetter();
            while (upstream.MoveNext())
            {
                DataViewRowId value = default;
                id(ref value);
                upstreamIds.Add(value);
            }
        }

        // With and without the added columns: passing through must not depend on scoring.
        foreach (bool withScore in new[] { true, false })
        {
            var columns = scored.Schema.Where(c => withScore || c.Name is not ("Score" or "PredictedLabel" or "AnomalyMap")).ToList();
            using var cursor = scored.GetRowCursor(columns);
            var name = cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema["Name"]);
            var path = cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema["ImagePath"]);
            var features = cursor.GetGetter<VBuffer<float>>(scored.Schema["Features"]);
            var index = cursor.GetGetter<int>(scored.Schema["Index"]);
            var image = cursor.GetGetter<MLImage>(scored.Schema["Image"]);
            var id = cursor.GetIdGetter();
            Assert.Equal(withScore, cursor.IsColumnActive(scored.Schema["Score"]));
            Assert.True(cursor.IsColumnActive(scored.Schema["Name"]));
            Assert.Equal(-1, cursor.Position);
            ReadOnlyMemory<char> n = default, p = default;
            VBuffer<float> f = default;
            int k = 0;
            MLImage img = null!;
            DataViewRowId rowId = default;
            int i = 0;
            while (cursor.MoveNext())
            {
                Assert.Equal(i, cursor.Position);
                name(ref n); path(ref p); features(ref f); index(ref k); image(ref img); id(ref rowId);
                Assert.Equal(rows[i].Name, n.ToString());
                Assert.Equal(rows[i].ImagePath, p.ToString());
                Assert.Equal(rows[i].Features, f.DenseValues().ToArray());
                Assert.Equal(i, k);
                Assert.Equal(TrainedModelFixture.Size, img.Width);
                Assert.Equal(upstreamIds[i], rowId);
                i++;
            }
            Assert.Equal(rows.Count, i);
            Assert.Equal(-1, cursor.Position);
            Assert.Throws<InvalidOperationException>(() => name(ref n));
        }

        // A typed view of the same rows, as users read them.
        var typed = fx.Context.Data.CreateEnumerable<RichScored>(scored, reuseRowObject: false).ToList();
        Assert.Equal(rows.Select(r => r.Name), typed.Select(t => t.Name));
        Assert.Equal(rows.Select(r => r.Index), typed.Select(t => t.Index));
        Assert.All(typed, t => Assert.True(float.IsFinite(t.Score)));
    }

    public sealed class RichScored
    {
        public string Name { get; set; } = "";
        public int Index { get; set; }
        public float Score { get; set; }
    }

    [Fact]
    public void A_failing_row_in_a_batch_fails_when_reached_and_the_other_rows_keep_their_scores()
    {
        var rows = Cycle(12);
        string unreadable = TempFile("unreadable.png");
        File.WriteAllText(unreadable, "not an image");
        string tiny = TempFile("tiny.png");
        ImageFile.Save(new FloatImage(1, 2, 2), tiny);
        rows[3] = new ImageRow { ImagePath = tiny };        // refused by the engine (too small)
        rows[5] = new ImageRow { ImagePath = unreadable };  // refused while reading
        var expected = PerRow(rows.Where((_, i) => i is not (3 or 5)).Select(r => r.ImagePath));
        var scored = fx.Model.Transform(fx.Context.Data.LoadFromEnumerable(rows));

        // Once with every column (the image column is then read once and passed through), once with only the score.
        foreach (var columns in new[] { scored.Schema.ToList(), [scored.Schema["Score"], scored.Schema["ImagePath"]] })
        {
            using var cursor = scored.GetRowCursor(columns);
            var score = cursor.GetGetter<float>(scored.Schema["Score"]);
            var path = cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema["ImagePath"]);
            float s = 0;
            ReadOnlyMemory<char> p = default;
            for (int i = 0; i < rows.Count; i++)
            {
                Assert.True(cursor.MoveNext());
                path(ref p);
                Assert.Equal(rows[i].ImagePath, p.ToString());
                if (i == 3)
                {
                    var e = Assert.Throws<InvalidOperationException>(() => score(ref s));
                    // The row, and no other index: the engine's own "#k" counts within its batch.
                    Assert.Equal("Cannot score the image in column 'Image' at row 3: The image is 2x2 pixels; images must be at least 8x8.", e.Message);
                }
                else if (i == 5)
                {
                    var e = Assert.Throws<InvalidOperationException>(() => score(ref s));
                    Assert.Contains("Could not read the image in column 'Image' at row 5", e.Message);
                    Assert.EndsWith($" (ImagePath: '{unreadable}')", e.Message);   // LoadImages' path names the file, as at Fit
                }
                else
                {
                    score(ref s);
                    Close.Score(fx.Ssm, expected[rows[i].ImagePath].Score, s);
                }
            }
            Assert.False(cursor.MoveNext());
        }
    }

    [Theory]
    [InlineData(3)]                                                // inside a batch: kept until the rows before it are served
    [InlineData(SsmAnomalyTransformer.DefaultScoringBatchSize)]    // at a batch's first row, where no row waits
    public void An_input_that_fails_to_move_fails_at_its_row_after_the_rows_before_it(int failAt)
    {
        var rows = Cycle(failAt + 2);
        var expected = PerRow(rows.Take(failAt).Select(r => r.ImagePath));
        var scored = fx.Model.Transform(fx.Context.Data.LoadFromEnumerable(new FailingRows<ImageRow>(rows, failAt)));
        using var cursor = scored.GetRowCursor(scored.Schema);
        var score = cursor.GetGetter<float>(scored.Schema["Score"]);
        float s = 0;
        for (int i = 0; i < failAt; i++)
        {
            Assert.True(cursor.MoveNext());
            score(ref s);
            Close.Score(fx.Ssm, expected[rows[i].ImagePath].Score, s);
        }
        var e = Assert.ThrowsAny<Exception>(() => cursor.MoveNext());   // never an end of the data that was not there
        Assert.Contains(ExceptionChain.Flatten(e), x => x is InvalidDataException && x.Message == $"Record {failAt} is damaged.");
    }

    [Fact]
    public void Transform_streams_at_most_one_batch_ahead_of_the_consumer()
    {
        var rows = new CountingRows<ImageRow>(Cycle(19));
        var source = new DisposeCountingView(fx.Context.Data.LoadFromEnumerable(rows));
        var scored = fx.Model.Transform(source);
        _ = scored.Schema;
        Assert.Equal(0, rows.Yielded); // Transform itself reads nothing

        using (var cursor = scored.GetRowCursor(scored.Schema))
        {
            var score = cursor.GetGetter<float>(scored.Schema["Score"]);
            Assert.Equal(0, rows.Yielded);
            float s = 0;
            for (int i = 0; i < 10; i++)
            {
                Assert.True(cursor.MoveNext());
                score(ref s);
                Assert.InRange(rows.Yielded, i + 1, i + SsmAnomalyTransformer.DefaultScoringBatchSize);
            }
            const int batch = SsmAnomalyTransformer.DefaultScoringBatchSize;
            Assert.Equal((10 + batch - 1) / batch * batch, rows.Yielded); // the batches the 10 rows needed, no more
        }
        Assert.Equal(1, source.DisposedCursors); // disposing the cursor disposed the upstream cursor

        // A batch size of 1 reads exactly one row ahead; a cursor set is one cursor over every row.
        using var single = fx.Ssm.WithScoringBatchSize(1);
        var counted = new CountingRows<ImageRow>(Cycle(5));
        var data = single.Transform(Images(fx.Context.Data.LoadFromEnumerable(counted)));
        var set = data.GetRowCursorSet(data.Schema, 4);
        using var only = Assert.Single(set);
        int n = 0;
        while (only.MoveNext())
        {
            n++;
            Assert.Equal(n, counted.Yielded);
            Assert.Equal(0, only.Batch);
        }
        Assert.Equal(5, n);
    }

    [Fact]
    public void Text_the_input_overwrites_row_by_row_passes_through_as_each_row_had_it()
    {
        // A batch holds several rows' text at once, so each is copied as it is read: else every row of a batch shows the last's.
        var rows = Cycle(6).Select((r, i) => new TaggedRow { ImagePath = r.ImagePath, Name = $"row {i}", Tags = [$"tag {i}a", $"tag {i}b"] }).ToList();
        var scored = fx.Model.Transform(new SharedTextView(fx.Context.Data.LoadFromEnumerable(rows)));
        using var cursor = scored.GetRowCursor(scored.Schema);
        var score = cursor.GetGetter<float>(scored.Schema["Score"]);
        var name = cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema["Name"]);
        var tags = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(scored.Schema["Tags"]);
        float s = 0;
        ReadOnlyMemory<char> n = default;
        VBuffer<ReadOnlyMemory<char>> t = default;
        foreach (var row in rows)
        {
            Assert.True(cursor.MoveNext());
            score(ref s);
            name(ref n);
            tags(ref t);
            Assert.Equal((row.Name, row.Tags[0], row.Tags[1]), (n.ToString(), t.GetItemOrDefault(0).ToString(), t.GetItemOrDefault(1).ToString()));
        }
    }

    public sealed class NotedRow
    {
        public string Category { get; set; } = "";
        public string Note { get; set; } = "";
        public string ImagePath { get; set; } = "";
    }

    [Fact]
    public void An_unreadable_picture_is_named_by_its_path_column_first_whatever_the_columns_order()
    {
        string unreadable = TempFile("unreadable.png");
        File.WriteAllText(unreadable, "not an image");
        var rows = new[] { new NotedRow { Category = "crack", Note = "second shift", ImagePath = unreadable } };
        var scored = fx.Model.Transform(fx.Context.Data.LoadFromEnumerable(rows));
        var e = Assert.Throws<InvalidOperationException>(() => scored.GetColumn<float>("Score").ToList());
        Assert.EndsWith($" (ImagePath: '{unreadable}') (Category: 'crack')", e.Message);   // two columns at most, the path's first
    }

    [Fact]
    public void The_scored_data_says_its_inputs_row_count_and_whether_it_can_shuffle()
    {
        // A cached input knows both; an enumerable one neither (ML.NET's trainers and Cache ask before reading).
        var cached = fx.Context.Data.Cache(fx.Context.Data.LoadFromEnumerable(Cycle(5)));
        var scored = fx.Model.Transform(cached);
        Assert.Equal((5L, true), (scored.GetRowCount(), scored.CanShuffle));
        var streamed = fx.Model.Transform(fx.Context.Data.LoadFromEnumerable(new CountingRows<ImageRow>(Cycle(5))));
        Assert.Equal(((long?)null, false), (streamed.GetRowCount(), streamed.CanShuffle));
    }

    [Fact]
    public void A_cursor_is_refused_a_column_of_another_schema_and_a_negative_count_of_cursors()
    {
        var scored = fx.Model.Transform(fx.Context.Data.LoadFromEnumerable(Cycle(2)));
        // Index 0 of another schema is another column: taken by its index, the cursor would serve this schema's column 0.
        var other = fx.Context.Data.LoadFromEnumerable(new[] { new { Elsewhere = 1f } }).Schema["Elsewhere"];
        var e = Assert.ThrowsAny<ArgumentException>(() => scored.GetRowCursor([other]));
        Assert.Contains("Column 'Elsewhere' (index 0) is not a column of this data view.", e.Message);
        Assert.ThrowsAny<ArgumentException>(() => scored.GetRowCursorSet(scored.Schema, -1));
    }

    [Fact]
    public void The_getter_of_a_column_the_cursor_was_not_asked_for_is_refused_as_ML_NET_refuses_it()
    {
        var scored = fx.Model.Transform(fx.Context.Data.LoadFromEnumerable(Cycle(2)));
        using var cursor = scored.GetRowCursor([scored.Schema["Score"]]);
        // ML.NET's own cursors throw ArgumentOutOfRangeException ("requested column not active") for the column parameter.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => cursor.GetGetter<VBuffer<float>>(scored.Schema["AnomalyMap"]));
        Assert.Equal("column", e.ParamName);
        Assert.StartsWith("Column 'AnomalyMap' is not active in this cursor: ask for it when making the cursor.", e.Message);
    }

    [Fact]
    public void Reading_only_input_columns_never_scores()
    {
        // Paths that do not exist: reading the image column of any row would throw, and so would scoring.
        var rows = Enumerable.Range(0, 11).Select(i => new ImageRow { ImagePath = Path.Combine(fx.Folder, $"missing-{i}.png"), LabelSingle = i }).ToList();
        var moved = fx.Ssm.WithThreshold(1f);
        var scored = moved.Transform(Images(fx.Context.Data.LoadFromEnumerable(rows)));
        moved.Dispose(); // scoring through it would now throw ObjectDisposedException

        using (var cursor = scored.GetRowCursor([scored.Schema["ImagePath"], scored.Schema["LabelSingle"]]))
        {
            var label = cursor.GetGetter<float>(scored.Schema["LabelSingle"]);
            float value = 0;
            int n = 0;
            while (cursor.MoveNext())
            {
                label(ref value);
                Assert.Equal(n++, value);
            }
            Assert.Equal(11, n);
        }
        using (var cursor = scored.GetRowCursor([scored.Schema["Score"]]))
            Assert.Throws<ObjectDisposedException>(() => cursor.MoveNext());
    }

    [Fact]
    public void Saved_and_loaded_model_keeps_its_batch_size_and_batches()
    {
        using var three = fx.Ssm.WithScoringBatchSize(3);
        var images = fx.Context.Transforms.LoadImages("Image", "", nameof(ImageRow.ImagePath)).Fit(fx.TestData);
        string zip = TempFile("batch3.zip");
        fx.Context.Model.Save(images.Append(three), fx.TestData.Schema, zip);

        var loaded = (TransformerChain<ITransformer>)new MLContext().Model.Load(zip, out _);
        using var ssm = loaded.OfType<SsmAnomalyTransformer>().Single();
        Assert.Equal(3, ssm.ScoringBatchSize);
        var rows = new CountingRows<ImageRow>(Cycle(7));
        var scored = loaded.Transform(fx.Context.Data.LoadFromEnumerable(rows));
        Assert.IsType<SsmScoredDataView>(scored);
        using var cursor = scored.GetRowCursor(scored.Schema);
        var score = cursor.GetGetter<float>(scored.Schema["Score"]);
        float s = 0;
        Assert.True(cursor.MoveNext());
        score(ref s);
        Assert.Equal(3, rows.Yielded);
        // The same batch of 3 as the original transformer scores: bit-identical after the round trip.
        Assert.Equal(Scored.Read(three.Transform(Images(fx.Context.Data.LoadFromEnumerable(Cycle(3)))))[0].Score, s);
    }

    [Fact]
    public void ScoringBatchSize_is_validated()
    {
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() =>
            fx.Context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions { ScoringBatchSize = 0 }));
        Assert.Contains("ScoringBatchSize", e.Message);
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => fx.Ssm.WithScoringBatchSize(SsmAnomalyTransformer.MaxScoringBatchSize + 1));
    }
}

/// <summary>A vector model: a bad vector in the middle of a batch fails alone.</summary>
public sealed class BatchedVectorTests
{
    private sealed class VectorRow
    {
        [VectorType(16 * 16)] public float[] Pixels { get; set; } = new float[256];
    }

    [Fact]
    public void A_NaN_vector_in_the_second_batch_fails_at_its_row_only()
    {
        var random = new Random(4);
        VectorRow Noise() => new() { Pixels = Enumerable.Range(0, 256).Select(_ => random.NextSingle()).ToArray() };
        var context = new MLContext(seed: 1);
        var train = context.Data.LoadFromEnumerable(Enumerable.Range(0, 8).Select(_ => Noise()).ToList());
        using var model = context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions
        {
            InputColumnName = nameof(VectorRow.Pixels), VectorWidth = 16, VectorHeight = 16, ImageSize = 16, BaseWidth = 4, Depth = 2, Epochs = 1,
        }).Fit(train);

        var rows = Enumerable.Range(0, 12).Select(_ => Noise()).ToList();
        rows[10].Pixels[7] = float.NaN;
        var scored = model.Transform(context.Data.LoadFromEnumerable(rows));
        using var cursor = scored.GetRowCursor(scored.Schema);
        var score = cursor.GetGetter<float>(scored.Schema["Score"]);
        var pixels = cursor.GetGetter<VBuffer<float>>(scored.Schema["Pixels"]);
        using var engine = context.Model.CreatePredictionEngine<VectorRow, Prediction16>(model, new PredictionEngineOptions { OwnsTransformer = false });
        float s = 0;
        VBuffer<float> v = default;
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.True(cursor.MoveNext());
            pixels(ref v);
            Assert.Equal(rows[i].Pixels, v.DenseValues().ToArray());
            if (i == 10)
            {
                var e = Assert.Throws<InvalidOperationException>(() => score(ref s));
                Assert.Contains("'Pixels' at row 10", e.Message);
                Assert.Contains("NaN", e.Message);
                continue;
            }
            score(ref s);
            Close.Score(model, engine.Predict(rows[i]).Score, s);
        }
        Assert.False(cursor.MoveNext());
    }

    private sealed class Prediction16
    {
        public float Score { get; set; }
    }

    [Fact]
    public void A_model_saved_before_the_batch_size_was_saved_loads_with_the_default_and_batches()
    {
        var context = new MLContext(seed: 1);
        string zip = Path.Combine(AppContext.BaseDirectory, "Models", "model-0x00010001.zip");
        using var model = Assert.IsType<SsmAnomalyTransformer>(context.Model.Load(zip, out var schema));
        Assert.Equal(SsmAnomalyTransformer.DefaultScoringBatchSize, model.ScoringBatchSize);
        Assert.Equal(SsmInputKind.Vector, model.InputKind);
        Assert.Equal("Pixels", model.InputColumnName);
        Assert.Equal(1.5f, model.Threshold);
        Assert.Null(model.AnomalyMapColumnName);
        Assert.False(model.ReadsFilesUpright);   // older models read files as stored
        Assert.Null(model.MaskThreshold);         // and mark their masks where the verdict lies
        Assert.NotNull(schema.GetColumnOrNull("Pixels"));
        // Engine format 1 predates these settings: the model keeps the behaviour it was trained and calibrated with.
        var options = model.Model.Options;
        Assert.Equal(SSM.Core.Data.InputNormalization.None, options.Normalization);
        Assert.Equal(SSM.Core.RestorationError.MsGms, options.Scoring.Error);
        Assert.Equal(SSM.Core.RestorationError.MsGms, options.Scoring.ImageScoreError);
        Assert.Equal(1, options.Scoring.ErrorKinds);
        Assert.False(options.Scoring.StandardizeMaps);
        Assert.Equal(SSM.Core.NetworkPrecision.Float32, options.Scoring.Precision);
        Assert.Equal(new[] { 1 }, options.Masking.CellSizes);   // S/64, S/32, S/16 at 16 px, not today's S/16, S/8, S/4
        Assert.Equal(7.0 * options.ImageSize / 128, options.Scoring.ResolveSigma(options.ImageSize), 9);

        var random = new Random(5);
        var rows = Enumerable.Range(0, 11).Select(_ => new VectorRow { Pixels = Enumerable.Range(0, 256).Select(_ => random.NextSingle()).ToArray() }).ToList();
        var scored = model.Transform(context.Data.LoadFromEnumerable(rows));
        Assert.IsType<SsmScoredDataView>(scored);
        var scores = context.Data.CreateEnumerable<Prediction16>(scored, reuseRowObject: false).Select(p => p.Score).ToList();
        using var engine = context.Model.CreatePredictionEngine<VectorRow, Prediction16>(model, new PredictionEngineOptions { OwnsTransformer = false });
        Assert.Equal(rows.Count, scores.Count);
        for (int i = 0; i < rows.Count; i++) Close.Score(model, engine.Predict(rows[i]).Score, scores[i]);
    }

    [Fact]
    public void A_model_of_an_earlier_format_saved_again_keeps_what_it_was_read_with()
    {
        // Saved in today's format, a model that reads files as stored and has no map column must not come back turning
        // photos by their EXIF tag or adding an AnomalyMap column: both are written, not taken from today's defaults.
        var context = new MLContext(seed: 1);
        using var old = Assert.IsType<SsmAnomalyTransformer>(context.Model.Load(Path.Combine(AppContext.BaseDirectory, "Models", "model-0x00010001.zip"), out var schema));
        using var saved = new MemoryStream();
        context.Model.Save(old, schema, saved);
        saved.Position = 0;
        using var again = Assert.IsType<SsmAnomalyTransformer>(context.Model.Load(saved, out _));
        Assert.False(again.ReadsFilesUpright);
        Assert.Null(again.AnomalyMapColumnName);
        Assert.Equal(old.Threshold, again.Threshold);
        var rows = context.Data.LoadFromEnumerable(new[] { new VectorRow() });
        Assert.Null(again.GetOutputSchema(rows.Schema).GetColumnOrNull("AnomalyMap"));
        Assert.Equal(old.Transform(rows).GetColumn<float>("Score").Single(), again.Transform(rows).GetColumn<float>("Score").Single());
    }
}

/// <summary>
/// Batched and row-at-a-time scores agree up to float rounding, not bit for bit: libtorch may pick other convolution
/// kernels for other batch sizes (the tolerance of SSM.Core.Tests' BatchedAndSingleScoringAgree, on the raw score).
/// </summary>
internal static class Close
{
    public static void Score(SsmAnomalyTransformer model, float expected, float actual)
    {
        // Compared in raw engine units: a z-score divides the rounding difference by the (small) normal std.
        float scale = model.ScoreNormalization == SsmScoreNormalization.ZScore ? model.Calibration.NormalStd : 1f;
        float raw = model.ScoreNormalization == SsmScoreNormalization.ZScore ? model.Calibration.NormalMean + expected * scale : expected;
        Assert.True(MathF.Abs(expected - actual) * scale <= 1e-5f * MathF.Max(1f, MathF.Abs(raw)),
            $"expected {expected}, got {actual}");
    }

    public static void Map(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        // Relative to the map's largest value, not each pixel's: standardised maps are near 0 wherever a pixel is typical,
        // and the raw maps' rounding differences are divided by the (small) normal spread there.
        float magnitude = MathF.Max(1f, expected.Max(MathF.Abs));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-5f * magnitude, $"map[{i}]: expected {expected[i]}, got {actual[i]}");
    }
}
