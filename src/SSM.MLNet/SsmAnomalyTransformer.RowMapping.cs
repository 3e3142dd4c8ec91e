using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SSM.Core.Data;
using SSM.Core.Evaluation;

namespace SSM.MLNet;

// How rows are scored one at a time (GetOutputSchema, PredictionEngine) and how the added columns are served.
public sealed partial class SsmAnomalyTransformer
{
    /// <summary>Makes the row mapper ML.NET uses for Transform, GetOutputSchema and PredictionEngine.</summary>
    /// <exception cref="ObjectDisposedException">This transformer was disposed: so a PredictionEngine of a disposed model is
    /// refused when it is created, not at its first Predict.</exception>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema)
    {
        ThrowIfDisposed();
        return new Mapper(this, schema);
    }

    /// <summary>
    /// The getter of added column <paramref name="added"/> (0 Score, 1 PredictedLabel, 2 AnomalyMap) over the current row's
    /// result: shared by the row-at-a-time mapper and the batching cursor.
    /// </summary>
    internal Delegate MakeOutputGetter(int added, Func<(float Score, float[] Map)> current) => added switch
    {
        0 => (ValueGetter<float>)((ref float value) => value = current().Score),
        1 => (ValueGetter<bool>)((ref bool value) => value = ConfusionCounts.Flags(current().Score, Threshold)),
        _ => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
        {
            var map = current().Map;
            var editor = VBufferEditor.Create(ref value, map.Length);
            map.AsSpan().CopyTo(editor.Values);
            value = editor.Commit();
        }),
    };

    /// <summary>The error for an image the engine refused, naming the input column and the row (when <paramref name="row"/> is not negative).</summary>
    internal InvalidOperationException CannotScore(long row, ArgumentException e) =>
        new($"Cannot score the image in column '{InputColumnName}'{SsmInput.AtRow(row)}: {e.Message}", e);

    /// <summary>Maps rows (GetOutputSchema, PredictionEngine): scores the current row once (on the first getter call) and serves the three outputs from that.</summary>
    private sealed class Mapper : MapperBase
    {
        private readonly SsmAnomalyTransformer parent;
        private readonly int inputColumn;

        public Mapper(SsmAnomalyTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            this.parent = parent;
            inputColumn = parent.input.CheckColumn(Host, inputSchema);
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var columns = new List<DataViewSchema.DetachedColumn>
            {
                new(parent.ScoreColumnName, NumberDataViewType.Single),
                new(parent.PredictedLabelColumnName, BooleanDataViewType.Instance),
            };
            if (parent.AnomalyMapColumnName is { } map)
                // A tiled model's map says its shape (height, width), as ML.NET's pixel vectors do; a square one keeps the
                // one-dimensional type it always had, so classes declaring [VectorType(S * S)] read it as before.
                columns.Add(new(map, parent.Tiles is null
                    ? new VectorDataViewType(NumberDataViewType.Single, parent.ImageSize * parent.ImageSize)
                    : new VectorDataViewType(NumberDataViewType.Single, parent.MapHeight, parent.MapWidth)));
            return columns.ToArray();
        }

        protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            int n = parent.AnomalyMapColumnName is null ? 2 : 3;
            bool any = Enumerable.Range(0, n).Any(activeOutput);
            return col => any && col == inputColumn;
        }

        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action disposer)
        {
            var cache = new RowCache(parent, input, parent.input.MakeReader(input, inputColumn, parent.Model.Options.ReadSize));
            int n = OutputColumns.Value.Length;
            var getters = new Delegate[n];
            for (int i = 0; i < n; i++)
            {
                if (!activeOutput(i)) continue;
                getters[i] = parent.MakeOutputGetter(i, cache.Get);
            }
            disposer = null!;
            return getters;
        }

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
            => throw new NotSupportedException("CreateGetters makes all getters together.");

        protected override void SaveModel(ModelSaveContext ctx) => parent.SaveModel(ctx);
    }

    /// <summary>The score of the row a cursor is on, computed at most once per row.</summary>
    private sealed class RowCache(SsmAnomalyTransformer parent, DataViewRow row, Func<long, FloatImage> read)
    {
        private long position = -1;
        private (float Score, float[] Map) result;
        private int busy;

        public (float Score, float[] Map) Get()
        {
            long at = row.Position;
            if (position == at) return result;
            // A row is read by one thread at a time. A PredictionEngine shared by threads breaks that, and would hand one
            // call's score or map to another without a word (a walkthrough saw 2 wrong scores and 4 wrong maps in 400
            // calls): two calls inside at once, or another call begun while this one scored, is said instead.
            if (Interlocked.Exchange(ref busy, 1) == 1) throw SharedEngine();
            try
            {
                // Only a cursor's position is a row number; a PredictionEngine's row counts its calls, which would mislead.
                long named = row is DataViewRowCursor ? at : -1;
                var image = read(named);
                (float Score, float[] Map) scored;
                try { scored = parent.ScoreOne(image); }
                catch (ArgumentException e)
                {
                    throw parent.CannotScore(named, e);
                }
                if (row.Position != at) throw SharedEngine();
                (result, position) = (scored, at);
                return scored;
            }
            finally { Volatile.Write(ref busy, 0); }
        }

        private static InvalidOperationException SharedEngine() => new(
            "The SSM model's output row was read by two calls at once: a PredictionEngine is not thread-safe. Give each thread its " +
            "own PredictionEngine, created with new PredictionEngineOptions { OwnsTransformer = false } so that disposing one leaves " +
            "the model to the others, or use Microsoft.Extensions.ML's PredictionEnginePool.");
    }
}
