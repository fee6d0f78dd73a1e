using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Qex.Bench;

/// <summary>Default config plus a memory diagnoser and a GFLOP/s column for benchmarks that declare their flop count.</summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        Add(DefaultConfig.Instance);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new GflopsColumn());
    }
}

/// <summary>Benchmarks whose work is known in floating-point operations.</summary>
public interface IFlopCount
{
    /// <summary>Floating-point operations of one invocation, for the current parameters.</summary>
    double Flops { get; }
}

/// <summary>GFLOP/s = flops / mean time, for benchmark classes implementing <see cref="IFlopCount"/>.</summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => "GFLOPs";
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Billions of floating-point operations per second (2mnk for a matrix product)";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is null) return "-";
        var instance = Activator.CreateInstance(benchmarkCase.Descriptor.Type);
        if (instance is not IFlopCount f) return "-";
        foreach (var p in benchmarkCase.Parameters.Items)
            benchmarkCase.Descriptor.Type.GetProperty(p.Name)?.SetValue(instance, p.Value);
        double ns = report.ResultStatistics.Mean;
        return (f.Flops / ns).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }
}
