// SSM.MLNet in a web API: an upload's bytes in, a verdict out.
//
//   dotnet run -c Release --project examples/WebApi                   trains a small model on generated images, then serves it
//   dotnet run -c Release --project examples/WebApi -- <model.zip>    serves a model trained on files (ssm train's) or on a byte[] column
//
//   curl --data-binary @image.png http://localhost:5000/score                      the verdict as JSON (the address it prints)
//   curl --data-binary @image.png "http://localhost:5000/score?heatmap=true" -o h.png  where the defect is, as a picture
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using SSM.MLNet;
using SSM.WebApi;

string? givenModel = args.FirstOrDefault(a => a.EndsWith(".zip", StringComparison.OrdinalIgnoreCase));
if (givenModel is not null && !File.Exists(givenModel))
{
    Console.Error.WriteLine($"error: the model '{Path.GetFullPath(givenModel)}' does not exist.");
    return 2;
}
string modelPath = givenModel ?? DemoModel.Train();
var mlContext = new MLContext();
ITransformer loaded;
try { loaded = mlContext.Model.Load(modelPath, out _); }
catch (Exception e) when (e is FormatException or InvalidDataException or InvalidOperationException or IOException)
{
    Console.Error.WriteLine($"error: '{Path.GetFullPath(modelPath)}' could not be loaded as a model: {e.Message}");
    return 2;
}
// The SSM step of the loaded model, for its heat-map colours and threshold.
var ssm = SsmAnomalyTransformer.From(loaded);
ITransformer model = loaded;
if (ssm.InputKind != SsmInputKind.Encoded || ssm.InputColumnName != nameof(Upload.File))
{
    // A model of files (ssm train's reads paths) reads the uploads' bytes with the same decoder: the same scores. One of
    // LoadImages pictures or pixel vectors cannot, nor a chain with steps before the detector. Said now, not per request.
    bool alone = loaded is SsmAnomalyTransformer || loaded is IEnumerable<ITransformer> steps && steps.Count() == 1;
    if (!alone || ssm.InputKind is not (SsmInputKind.Path or SsmInputKind.Encoded))
    {
        Console.Error.WriteLine(alone
            ? $"{modelPath} reads {("AEIOU".Contains(ssm.InputKind.ToString()[0]) ? "an" : "a")} {ssm.InputKind} column '{ssm.InputColumnName}'; this server " +
              "needs a model trained on image files (ssm train's) or on a byte[] column (docs/ml-net.md, \"Serving a model\")."
            : $"{modelPath} runs other steps before its detector; this server gives the upload's bytes to the detector itself: serve a " +
              "model of the detector alone, trained on image files (ssm train's) or on a byte[] column (docs/ml-net.md, \"Serving a model\").");
        return 1;
    }
    model = ssm = ssm.WithBytesInput(nameof(Upload.File));
    (loaded as IDisposable)?.Dispose();   // the copy keeps the network
}
// A PredictionEngine serves one thread at a time (ML.NET's rule); the pool lends one to each request. The engines do not
// own the model: it outlives them. Under concurrent requests, TorchSharp.torch.set_num_threads(1) here served 16 % more
// images per second than libtorch's all-cores default on a 2-core machine, and a lone request 7 % slower (docs/platform.md,
// "Several programs on one machine").
// As many images scored at once as the machine has cores, the rest waiting their turn: more at once score no faster,
// and each holds its own working memory. 8,000 requests from 8 clients on 2 cores (examples/Benchmarks serving): 41.1 a
// second and 784 MB with 8 scoring at once, 46.6 and 517 MB with 2 (docs/ml-net.md, "Serving a model"). The pool keeps
// as many engines as may score at once.
int scoringAtOnce = Environment.ProcessorCount;
var scoring = new SemaphoreSlim(scoringAtOnce);
var engines = new DefaultObjectPool<PredictionEngine<Upload, Verdict>>(new EnginePolicy(mlContext, model), scoringAtOnce);

var builder = WebApplication.CreateBuilder(args.Where(a => a != givenModel).ToArray());
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);   // not four lines per request
// Kestrel's default 30 MB would refuse an uncompressed 16-bit scan long before MaxPixels, with an empty answer.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxUploadBytes);
var app = builder.Build();
app.MapPost("/score", async (HttpRequest request, string? heatmap) =>
{
    // Parsed here, not bound as bool?: ASP.NET answers "?heatmap=yes" with an empty 400 that does not say why.
    bool picture = false;
    if (heatmap is not null && !bool.TryParse(heatmap, out picture))
        return Results.BadRequest(new { error = $"heatmap must be true or false, not '{heatmap}'." });
    using var body = new MemoryStream();
    try { await request.Body.CopyToAsync(body); }
    catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
    {
        return Results.Problem($"The upload is larger than this server's {MaxUploadBytes / 1_000_000} MB.", statusCode: e.StatusCode);
    }
    byte[] upload = body.ToArray();
    if (upload.Length == 0) return Results.BadRequest(new { error = "The request has no body: send the image file's bytes (curl --data-binary @image.png)." });
    // The size from the file's header, before anything is decoded: a few kilobytes of PNG, deflated DICOM or JPEG 2000
    // can declare an image of gigabytes, and a server should refuse it, not try.
    try
    {
        var (width, height) = SSM.Core.Data.ImageFile.ReadSize(upload);
        if ((long)width * height > MaxPixels)
            return Results.Problem($"The image is {width}x{height}; this server takes up to {MaxPixels / 1_000_000} megapixels.",
                                   statusCode: StatusCodes.Status413PayloadTooLarge);
    }
    catch (InvalidDataException e) { return Results.BadRequest(new { error = char.ToUpperInvariant(e.Message[0]) + e.Message[1..] }); }
    await scoring.WaitAsync();
    PredictionEngine<Upload, Verdict>? engine = null;
    try
    {
        engine = engines.Get();   // inside: an engine of a disposed model is refused when it is made (503 below)
        var verdict = engine.Predict(new Upload { File = upload });
        return picture
            ? Results.File(SsmHeatMap.ToPng(ssm, upload, verdict.AnomalyMap), "image/png")
            : Results.Ok(Answer.Of(verdict, ssm));
    }
    // Before InvalidOperationException, which it derives from: the server's model is gone, not the client's image.
    catch (ObjectDisposedException e) { return Results.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable); }
    // Empty, undecodable, truncated or too small: the message names what is wrong with the upload.
    catch (InvalidOperationException e) { return Results.BadRequest(new { error = e.Message }); }
    finally
    {
        if (engine is not null) engines.Return(engine);
        scoring.Release();
    }
});
app.Lifetime.ApplicationStopped.Register(() =>
{
    (model as IDisposable)?.Dispose();
    if (givenModel is null) DemoModel.Delete(modelPath);
});
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"Serving {modelPath}. Try: curl --data-binary @image.png {app.Urls.FirstOrDefault()}/score"));
app.Run();
return 0;

public partial class Program
{
    /// <summary>The largest image an upload may declare: 100 megapixels (a 12-bit 10000 x 10000 scan); the model scores a
    /// small square resize of it anyway.</summary>
    private const long MaxPixels = 100_000_000;

    /// <summary>The largest upload: 300 MB, a 16-bit grey 10000 x 10000 scan stored uncompressed (200 MB) and then some.</summary>
    private const long MaxUploadBytes = 300_000_000;
}
