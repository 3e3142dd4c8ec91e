using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SSM.MLNet.Tests;

/// <summary>
/// Every C# block of the READMEs and docs compiles against this build. The package README's quick start did not
/// (2026-12-07), and only a walkthrough that pasted it into an app found out. A block that opens with usings is a program
/// as pasted; any other is a fragment of the text around it, compiled in a method given the variables it takes from there
/// (<see cref="Context"/>).
/// </summary>
public sealed partial class DocSnippetTests
{
    /// <summary>The repository's Markdown files that hold C#, from its root.</summary>
    private static IEnumerable<string> Documents() =>
        MarkdownUnder(Repository.Root)
            .Select(p => Path.GetRelativePath(Repository.Root, p).Replace('\\', '/'))
            .Where(p => CSharpBlocks(p).Count > 0)
            .Order(StringComparer.Ordinal);

    /// <summary>Markdown files, passing over build output and hidden folders (.git).</summary>
    private static IEnumerable<string> MarkdownUnder(string folder) =>
        Directory.EnumerateFiles(folder, "*.md").Concat(Directory.EnumerateDirectories(folder)
            .Where(d => Path.GetFileName(d) is not ("bin" or "obj") && !Path.GetFileName(d).StartsWith('.'))
            .SelectMany(MarkdownUnder));

    /// <summary>What a fragment's text before it has set up, by name: a fragment that uses another name fails to compile,
    /// and the name belongs here.</summary>
    private static readonly Dictionary<string, string> Context = new()
    {
        ["mlContext"] = "MLContext",
        ["pipeline"] = "IEstimator<ITransformer>",
        ["model"] = "ITransformer",
        ["normalImages"] = "IDataView",
        ["testImages"] = "IDataView",
        ["labelled"] = "IDataView",
        ["scored"] = "IDataView",
        ["withMasks"] = "IDataView",
        ["goodFiles"] = "string[]",
        ["bytesOfTheUpload"] = "byte[]",
    };

    /// <summary>The usings of a console app with ImplicitUsings, as a user's project has them.</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>The usings a fragment is read with: those of the quick start it continues.</summary>
    private const string FragmentUsings = "using Microsoft.ML;\nusing Microsoft.ML.Data;\nusing SSM.Core.Data;\nusing SSM.MLNet;\n";

    public static TheoryData<string, int> Blocks()
    {
        var rows = new TheoryData<string, int>();
        foreach (string document in Documents())
            for (int number = 1, count = CSharpBlocks(document).Count; number <= count; number++) rows.Add(document, number);
        return rows;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Csharp_block_compiles(string document, int number)
    {
        var (line, block) = CSharpBlocks(document)[number - 1];
        bool program = block.TrimStart().StartsWith("using ", StringComparison.Ordinal);
        var errors = Compile(program ? block : AsMethod(block), program)
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.ToString()).ToList();
        Assert.True(errors.Count == 0, $"{document}, C# block {number} (line {line}) does not compile:\n{string.Join("\n", errors)}");
    }

    [Fact]
    public void The_quick_starts_are_among_the_blocks()
    {
        // A changed fence or a search in the wrong folder would leave the theory nothing to compile, and pass.
        Assert.Superset(new HashSet<string> { "README.md", "src/SSM.MLNet/README.md", "docs/ml-net.md" }, Documents().ToHashSet());
    }

    [Fact]
    public void A_block_that_does_not_compile_is_found()
    {
        var errors = Compile(AsMethod("var metrics = mlContext.AnomalyDetection.EvaluateSsm(scored, labelColumn: \"Label\");"), program: false);
        Assert.Contains(errors, d => d.Severity == DiagnosticSeverity.Error && d.GetMessage().Contains("labelColumn"));
    }

    /// <summary>A fragment as the body of a method whose parameters are the <see cref="Context"/> names it uses and does not
    /// declare; the types it declares after its statements (as a Program.cs does) stay outside the method.</summary>
    private static string AsMethod(string fragment)
    {
        var lines = fragment.Split('\n');
        int types = Array.FindIndex(lines, l => TypeDeclaration().IsMatch(l));
        string statements = string.Join('\n', types < 0 ? lines : lines[..types]);
        string declarations = types < 0 ? "" : string.Join('\n', lines[types..]);
        var parameters = Context
            .Where(c => Regex.IsMatch(statements, $@"\b{c.Key}\b") && !Regex.IsMatch(statements, $@"\bvar {c.Key}\b"))
            .Select(c => $"{c.Value} {c.Key}");
        return $"{FragmentUsings}internal static class Fragment\n{{\n    internal static void Run({string.Join(", ", parameters)})\n    {{\n{statements}\n    }}\n}}\n{declarations}";
    }

    private static IReadOnlyList<Diagnostic> Compile(string source, bool program)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create("Snippet",
            [CSharpSyntaxTree.ParseText(ImplicitUsings, parse), CSharpSyntaxTree.ParseText(source, parse)],
            References.Value,
            new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics();
    }

    /// <summary>The runtime's assemblies and those beside this test (ML.NET, SSM.MLNet, SSM.Core), but not the test's own:
    /// what an app on the packages sees.</summary>
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        string self = Path.GetFileName(typeof(DocSnippetTests).Assembly.Location);
        return platform.Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => Path.GetFileName(p) != self && IsManaged(p))
            .DistinctBy(Path.GetFileName)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    });

    private static bool IsManaged(string path)
    {
        try { AssemblyName.GetAssemblyName(path); return true; }
        catch (BadImageFormatException) { return false; }
    }

    /// <summary>The document's C# blocks, each with the number of its first line.</summary>
    private static List<(int Line, string Text)> CSharpBlocks(string document)
    {
        var blocks = new List<(int, string)>();
        List<string>? block = null;
        int number = 0, first = 0;
        foreach (string line in File.ReadLines(Path.Combine(Repository.Root, document)))
        {
            number++;
            if (block is null)
            {
                if (CSharpFence().IsMatch(line)) (block, first) = ([], number + 1);
            }
            else if (line.Trim() == "```")
            {
                blocks.Add((first, Unindent(block)));
                block = null;
            }
            else block.Add(line);
        }
        return blocks;
    }

    /// <summary>A block inside a list item is indented with it.</summary>
    private static string Unindent(List<string> lines)
    {
        int indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    [GeneratedRegex(@"^\s*```(csharp|cs)\s*$")]
    private static partial Regex CSharpFence();

    [GeneratedRegex(@"^(public |internal )?(sealed |static )?(partial )?(class|record|struct|interface|enum) ")]
    private static partial Regex TypeDeclaration();
}
