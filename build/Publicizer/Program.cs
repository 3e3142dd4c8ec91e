// Publicizer: writes "publicized" copies of .NET assemblies for compile-time use only.
//   usage: Publicizer <outputDir> <assembly.dll>...
// Every non-public type becomes public; internal members become public; private protected
// members become protected. Private members and protected internal members are left alone.
// The copies keep their names and versions; they are passed to the C# compiler in place of the
// originals, and the original assemblies are used at run time (the library declares
// [IgnoresAccessChecksTo] for them so the runtime allows the access).
using Mono.Cecil;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Publicizer <outputDir> <assembly.dll>...");
    return 2;
}

string outDir = args[0];
Directory.CreateDirectory(outDir);
var resolver = new DefaultAssemblyResolver();
foreach (var dir in args.Skip(1).Select(Path.GetDirectoryName).Distinct())
    if (!string.IsNullOrEmpty(dir)) resolver.AddSearchDirectory(dir);

foreach (var input in args.Skip(1))
{
    using var assembly = AssemblyDefinition.ReadAssembly(input, new ReaderParameters { AssemblyResolver = resolver, ReadSymbols = false });
    int changed = 0;
    foreach (var module in assembly.Modules)
        foreach (var type in module.GetTypes())
            changed += Publicize(type);
    string output = Path.Combine(outDir, Path.GetFileName(input));
    string temp = output + ".tmp";
    assembly.Write(temp);
    File.Move(temp, output, overwrite: true);
    Console.WriteLine($"Publicizer: {Path.GetFileName(input)}: {changed} items made visible -> {output}");
}
return 0;

static int Publicize(TypeDefinition type)
{
    int changed = 0;
    if (!type.Name.StartsWith('<'))
    {
        if (type.IsNested)
        {
            if (!type.IsNestedPublic)
            {
                type.Attributes = (type.Attributes & ~TypeAttributes.VisibilityMask) | TypeAttributes.NestedPublic;
                changed++;
            }
        }
        else if (!type.IsPublic)
        {
            type.Attributes = (type.Attributes & ~TypeAttributes.VisibilityMask) | TypeAttributes.Public;
            changed++;
        }
    }
    foreach (var method in type.Methods)
    {
        if (method.Name.StartsWith('<')) continue;
        if (method.IsAssembly) { method.IsPublic = true; changed++; }
        else if (method.IsFamilyAndAssembly) { method.IsFamily = true; changed++; }
    }
    foreach (var field in type.Fields)
    {
        if (field.Name.StartsWith('<')) continue;
        if (field.IsAssembly) { field.IsPublic = true; changed++; }
        else if (field.IsFamilyAndAssembly) { field.IsFamily = true; changed++; }
    }
    return changed;
}
