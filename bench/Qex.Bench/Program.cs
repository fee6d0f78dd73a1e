using BenchmarkDotNet.Running;

namespace Qex.Bench;

/// <summary>
/// Runs the BenchmarkDotNet suites: <c>dotnet run -c Release --project bench/Qex.Bench -- --filter '*'</c>
/// (any BenchmarkDotNet arguments work, e.g. <c>--filter '*Gemm*' --job short</c>).
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchConfig());
}
