using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SSM.Core.Data;

namespace SSM.MLNet;

/// <summary>
/// What <see cref="SsmAnomalyTransformer.Transform"/> returns: the input rows with Score, PredictedLabel and AnomalyMap
/// added (the schema of the row-at-a-time mapper, so <c>GetOutputSchema</c> and <c>Transform(...).Schema</c> agree).
/// Lazy and streaming: each cursor reads at most <see cref="SsmAnomalyTransformer.ScoringBatchSize"/> rows ahead of its
/// consumer, keeps the values of the requested input columns of those rows, scores their images in one engine call,
/// then serves the rows one by one. Nothing is read or scored before a cursor moves, no more than one batch is held, and
/// a cursor that asks for none of the added columns never scores (it only passes the input columns through).
/// </summary>
internal sealed class SsmScoredDataView : IDataView
{
    private readonly IHost host;
    private readonly SsmAnomalyTransformer parent;
    private readonly IDataView source;
    private readonly ColumnBindings bindings;
    private readonly int inputColumn;

    /// <param name="host">The transformer's host.</param>
    /// <param name="parent">The transformer (model, threshold, input reading, batch size).</param>
    /// <param name="source">The input data.</param>
    /// <param name="inputColumn">Index of the (checked) input column in <paramref name="source"/>'s schema.</param>
    /// <param name="addedColumns">The row mapper's output columns: Score, PredictedLabel and optionally AnomalyMap.</param>
    public SsmScoredDataView(IHost host, SsmAnomalyTransformer parent, IDataView source, int inputColumn, DataViewSchema.DetachedColumn[] addedColumns)
    {
        this.host = host;
        this.parent = parent;
        this.source = source;
        this.inputColumn = inputColumn;
        // The same bindings RowToRowMapperTransform uses: input columns keep their indices (a shadowed one is hidden).
        bindings = new ColumnBindings(source.Schema, addedColumns);
    }

    public bool CanShuffle => source.CanShuffle;

    public DataViewSchema Schema => bindings.Schema;

    /// <summary>The model that scores these rows: the evaluation reads their images' sizes through it.</summary>
    public SsmAnomalyTransformer Model => parent;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        host.CheckValue(columnsNeeded, nameof(columnsNeeded));
        host.CheckValueOrNull(rand);
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded)
        {
            if (column.Index < 0 || column.Index >= active.Length || Schema[column.Index].Name != column.Name)
                throw host.ExceptParam(nameof(columnsNeeded), $"Column '{column.Name}' (index {column.Index}) is not a column of this data view.");
            active[column.Index] = true;
        }
        bool scoring = bindings.AddedColumnIndices.Any(i => active[i]);
        var passthrough = new bool[source.Schema.Count];
        for (int i = 0; i < active.Length; i++)
        {
            if (!active[i]) continue;
            int index = bindings.MapColumnIndex(out bool isSource, i);
            if (isSource) passthrough[index] = true;
        }
        var naming = scoring ? SsmInput.NamingColumns(source.Schema, parent.Input.Kind) : [];
        var upstreamColumns = source.Schema.Where(c => passthrough[c.Index] || (scoring && c.Index == inputColumn) || naming.Any(n => n.Index == c.Index));
        var upstream = source.GetRowCursor(upstreamColumns, rand);
        try
        {
            return new Cursor(this, upstream, active, passthrough, scoring, naming);
        }
        catch
        {
            upstream.Dispose();
            throw;
        }
    }

    /// <summary>One cursor: batching needs the rows of a batch in one place, so there is no parallel split.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        host.CheckParam(n >= 0, nameof(n), "The number of cursors must be non-negative.");
        return [GetRowCursor(columnsNeeded, rand)];
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly SsmScoredDataView view;
        private readonly DataViewRowCursor upstream;
        private readonly bool[] active;
        private readonly int batchSize;
        private readonly Delegate?[] getters;
        private readonly ColumnCache[] caches;
        private readonly ValueGetter<DataViewRowId> upstreamId;

        // Per row of the current batch.
        private readonly DataViewRowId[] ids;
        private readonly long[] batches;
        private readonly FloatImage?[] images;
        private readonly Exception?[] errors;
        private readonly float[] scores;
        private readonly float[][] maps;

        private readonly Func<long, FloatImage>? read; // null when no added column is active: nothing is scored
        private readonly Func<string, string>? named;  // an unreadable image's row by its text columns (LoadImages' path)
        private int count;         // rows in the current batch
        private int index = -1;    // the current row within the batch
        private int fillSlot;      // the row being read into the batch
        private long position = -1;
        private bool upstreamDone;
        private bool done;
        private ExceptionDispatchInfo? upstreamError; // upstream MoveNext failed after some rows of a batch were read
        private bool disposed;

        public Cursor(SsmScoredDataView view, DataViewRowCursor upstream, bool[] active, bool[] passthrough, bool scoring, DataViewSchema.Column[] naming)
        {
            this.view = view;
            this.upstream = upstream;
            this.active = active;
            batchSize = scoring ? view.parent.ScoringBatchSize : 1;
            upstreamId = upstream.GetIdGetter();
            ids = new DataViewRowId[batchSize];
            batches = new long[batchSize];

            var sourceSchema = view.source.Schema;
            var byColumn = new ColumnCache?[sourceSchema.Count];
            for (int c = 0; c < byColumn.Length; c++)
                if (passthrough[c]) byColumn[c] = ColumnCache.Create(upstream, sourceSchema[c], batchSize);
            caches = byColumn.OfType<ColumnCache>().ToArray();

            images = scoring ? new FloatImage?[batchSize] : [];
            errors = scoring ? new Exception?[batchSize] : [];
            scores = scoring ? new float[batchSize] : [];
            maps = scoring ? new float[batchSize][] : [];
            if (scoring)
            {
                var input = view.parent.Input;
                // A requested input column is read once, from the batch's copy; otherwise straight from upstream, so an
                // upstream that recycles its buffers (LoadImages disposes the previous image) keeps a single one alive.
                read = byColumn[view.inputColumn] is { } inputCache
                    ? input.MakeReader(inputCache.MakeGetter(() => fillSlot), view.parent.Model.Options.ReadSize)
                    : input.MakeReader(upstream, view.inputColumn, view.parent.Model.Options.ReadSize);
                if (naming.Length > 0) named = SsmInput.RowNamer(upstream, naming);
            }

            getters = new Delegate?[active.Length];
            for (int col = 0; col < active.Length; col++)
            {
                if (!active[col]) continue;
                int index = view.bindings.MapColumnIndex(out bool isSource, col);
                getters[col] = isSource ? byColumn[index]!.MakeGetter(CurrentSlot) : MakeOutputGetter(index);
            }
        }

        public override DataViewSchema Schema => view.Schema;

        public override long Position => position;

        public override long Batch => !done && index >= 0 && index < count ? batches[index] : 0;

        public override bool IsColumnActive(DataViewSchema.Column column)
        {
            view.host.Check(column.Index >= 0 && column.Index < active.Length, "Column index out of range.");
            return active[column.Index];
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw view.host.ExceptParam(nameof(column), $"Column '{column.Name}' is not active in this cursor: ask for it when making the cursor.");
            if (getters[column.Index] is ValueGetter<TValue> getter) return getter;
            throw view.host.Except($"Invalid TValue in GetGetter: '{typeof(TValue)}', expected type: '{Schema[column.Index].Type.RawType}'.");
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = ids[CurrentSlot()];

        public override bool MoveNext()
        {
            if (done) return false;
            index++;
            if (index >= count)
            {
                if (upstreamError is { } error)
                {
                    End();
                    error.Throw();
                }
                count = 0;
                if (!upstreamDone) Fill();
                if (count == 0)
                {
                    End();
                    return false;
                }
                index = 0;
            }
            position++;
            return true;
        }

        /// <summary>Reads up to a batch of rows ahead and scores their images in one engine call.</summary>
        private void Fill()
        {
            view.host.CheckAlive();
            count = 0;
            while (count < batchSize)
            {
                bool moved;
                try { moved = upstream.MoveNext(); }
                catch (Exception e) when (count > 0 && e is not OperationCanceledException)
                {
                    // Deliver the rows already read first; the failure surfaces when the consumer moves past them.
                    upstreamError = ExceptionDispatchInfo.Capture(e);
                    upstreamDone = true;
                    break;
                }
                if (!moved)
                {
                    upstreamDone = true;
                    break;
                }
                int slot = fillSlot = count++;
                upstreamId(ref ids[slot]);
                batches[slot] = upstream.Batch;
                foreach (var cache in caches) cache.Fetch(slot);
                if (read is not null) ReadImage(slot);
            }
            if (read is not null && count > 0) Score();
        }

        private void ReadImage(int slot)
        {
            images[slot] = null;
            errors[slot] = null;
            maps[slot] = null!;
            try
            {
                // Images and files arrive S x S (the reader resizes them row by row), so a batch holds small images, not
                // full-size ones; each keeps its original size for the size correction and the engine's minimum-size check.
                images[slot] = read!(position + 1 + slot);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                errors[slot] = named is not null && e is InvalidOperationException ? new InvalidOperationException(named(e.Message), e) : e;
            }
        }

        private void Score()
        {
            var parent = view.parent;
            parent.ThrowIfDisposed();
            var rows = Enumerable.Range(0, count).Where(i => errors[i] is null).ToList();
            if (rows.Count == 0) return;
            try
            {
                var results = parent.Score(rows.Select(i => images[i]!).ToList(), batchSize: rows.Count);
                for (int k = 0; k < rows.Count; k++) Keep(rows[k], results[k]);
            }
            catch (ArgumentException)
            {
                // The engine refused an image (too small, NaN after conversion, ...): score one at a time so only that
                // row fails, with the row-at-a-time path's message.
                foreach (int i in rows)
                {
                    try { Keep(i, parent.Score([images[i]!], batchSize: 1)[0]); }
                    catch (ArgumentException e)
                    {
                        errors[i] = view.parent.CannotScore(position + 1 + i, e);
                    }
                }
            }
            for (int i = 0; i < count; i++) images[i] = null;
        }

        private void Keep(int slot, SSM.Core.ImageScore result)
        {
            scores[slot] = view.parent.Normalize(result.Score);
            maps[slot] = result.Map;
        }

        /// <summary>The current row's index in the batch; throws when the cursor is not on a row.</summary>
        private int CurrentSlot()
        {
            if (done || index < 0 || index >= count) throw view.host.Except(RowCursorUtils.FetchValueStateError);
            return index;
        }

        /// <summary>The current row's index in the batch, after rethrowing that row's reading or scoring error.</summary>
        private int ScoredSlot()
        {
            int slot = CurrentSlot();
            if (errors[slot] is { } error) ExceptionDispatchInfo.Throw(error);
            return slot;
        }

        private Delegate MakeOutputGetter(int added) => view.parent.MakeOutputGetter(added, () =>
        {
            int slot = ScoredSlot();
            return (scores[slot], maps[slot]);
        });

        private void End()
        {
            done = true;
            position = -1;
            count = 0;
            index = -1;
            upstream.Dispose();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposed) return;
            disposed = true;
            if (disposing)
            {
                done = true;
                position = -1;
                upstream.Dispose();
                foreach (var cache in caches) cache.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>The values of one input column for the rows of a batch (or the error reading one of them).</summary>
    private abstract class ColumnCache : IDisposable
    {
        /// <summary>Lets go of what the cache owns (its copies of pictures).</summary>
        public virtual void Dispose() { }

        /// <summary>Reads the upstream cursor's current value into <paramref name="slot"/>; a failure is kept for that row.</summary>
        public abstract void Fetch(int slot);

        /// <summary>A getter of the value in the slot <paramref name="slot"/> names (rethrowing that row's read error).</summary>
        public abstract Delegate MakeGetter(Func<int> slot);

        public static ColumnCache Create(DataViewRowCursor upstream, DataViewSchema.Column column, int size)
        {
            var raw = column.Type.RawType;
            var method = raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>)
                ? typeof(ColumnCache).GetMethod(nameof(CreateVector), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(raw.GetGenericArguments()[0])
                : typeof(ColumnCache).GetMethod(nameof(CreateScalar), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(raw);
            try
            {
                return (ColumnCache)method.Invoke(null, [upstream, column, size])!;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }

        private static ColumnCache CreateScalar<T>(DataViewRowCursor upstream, DataViewSchema.Column column, int size) =>
            new ScalarCache<T>(upstream.GetGetter<T>(column), size);

        private static ColumnCache CreateVector<T>(DataViewRowCursor upstream, DataViewSchema.Column column, int size) =>
            new VectorCache<T>(upstream.GetGetter<VBuffer<T>>(column), size);

        protected static ReadOnlyMemory<char> Detach(ReadOnlyMemory<char> text) => text.Length == 0 ? default : text.ToString().AsMemory();
    }

    private sealed class ScalarCache<T>(ValueGetter<T> get, int size) : ColumnCache
    {
        private readonly T[] values = new T[size];
        private readonly Exception?[] errors = new Exception?[size];
        // The upstream's last picture, given back to it at the next row: ML.NET's image getters (LoadImages, ResizeImages)
        // dispose the picture they are given before making the next, and one read into a fresh destination every row
        // was never disposed (a review counted 10 of LoadImages' 11 left to the garbage collector).
        private T upstream = default!;

        public override void Fetch(int slot)
        {
            errors[slot] = null;
            T value = default!;
            try
            {
                if (typeof(T) == typeof(MLImage)) get(ref upstream);
                else get(ref value);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                errors[slot] = e;
            }
            // Text may point into a buffer the upstream reuses: keep a copy.
            if (typeof(T) == typeof(ReadOnlyMemory<char>)) value = (T)(object)Detach((ReadOnlyMemory<char>)(object)value!);
            // So may a picture: the upstream disposes it at the next row, while the batch's earlier rows still wait to be
            // read ("Object is disposed" for a mask column of ResizeImages). The batch keeps a copy of its own, disposed
            // when its slot is filled again.
            if (errors[slot] is null && upstream is MLImage picture) value = (T)(object)Copy(picture);
            (values[slot] as MLImage)?.Dispose();
            values[slot] = value;
        }

        public override void Dispose()
        {
            foreach (var value in values) (value as MLImage)?.Dispose();
            Array.Clear(values);
        }

        private static MLImage Copy(MLImage picture)
        {
            var copy = MLImage.CreateFromPixels(picture.Width, picture.Height, picture.PixelFormat, picture.Pixels);
            copy.Tag = picture.Tag;
            return copy;
        }

        public override Delegate MakeGetter(Func<int> slot) => (ValueGetter<T>)((ref T value) =>
        {
            int s = slot();
            if (errors[s] is { } error) ExceptionDispatchInfo.Throw(error);
            if (typeof(T) != typeof(MLImage))
            {
                value = values[s];
                return;
            }
            // A picture of the consumer's own, as ML.NET's image getters give: it outlives the batch and the cursor (kept
            // for a heat map after the loop, or by Preview), and the one it gives back is disposed, as they do, also when
            // this row has none.
            (value as MLImage)?.Dispose();
            value = values[s] is MLImage picture ? (T)(object)Copy(picture) : default!;
        });
    }

    private sealed class VectorCache<T>(ValueGetter<VBuffer<T>> get, int size) : ColumnCache
    {
        private readonly VBuffer<T>[] values = new VBuffer<T>[size];
        private readonly Exception?[] errors = new Exception?[size];
        private VBuffer<T> scratch;

        public override void Fetch(int slot)
        {
            errors[slot] = null;
            try
            {
                get(ref scratch);
                // A deep copy: the upstream may hand out its own buffers and overwrite them on the next row.
                scratch.CopyTo(ref values[slot]);
                if (typeof(T) == typeof(ReadOnlyMemory<char>))
                {
                    var editor = VBufferEditor.CreateFromBuffer(ref values[slot]);
                    for (int i = 0; i < editor.Values.Length; i++)
                        editor.Values[i] = (T)(object)Detach((ReadOnlyMemory<char>)(object)editor.Values[i]!);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                errors[slot] = e;
            }
        }

        public override Delegate MakeGetter(Func<int> slot) => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) =>
        {
            int s = slot();
            if (errors[s] is { } error) ExceptionDispatchInfo.Throw(error);
            values[s].CopyTo(ref value);
        });
    }
}
