using System.Runtime.CompilerServices;

[assembly: IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace System.Runtime.CompilerServices
{
    /// <summary>
    /// Read by the .NET runtime (not the compiler): lets this assembly use non-public members of the
    /// named assembly. SSM.MLNet compiles against publicized copies of Microsoft.ML.Core and
    /// Microsoft.ML.Data (see build/Publicizer.targets) and runs against the real ones; this attribute
    /// is what makes the runtime accept that. Defined here because the BCL does not ship it.
    /// </summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    internal sealed class IgnoresAccessChecksToAttribute : Attribute
    {
        /// <summary>Names the assembly whose access checks are skipped.</summary>
        public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

        /// <summary>The assembly whose access checks are skipped.</summary>
        public string AssemblyName { get; }
    }
}
