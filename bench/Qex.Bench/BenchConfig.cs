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

/// <summary>A column of work per second (work / mean time in ns), for benchmark classes that state their work.</summary>
public abstract class PerSecondColumn : IColumn
{
    public abstract string Id { get; }
    public abstract string ColumnName { get; }
    public abstract string Legend { get; }
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <summary>The work of one invocation of a configured benchmark instance (null: not stated).</summary>
    protected abstract double? Work(object instance);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is null) return "-";
        var instance = Activator.CreateInstance(benchmarkCase.Descriptor.Type)!;
        foreach (var p in benchmarkCase.Parameters.Items)
            benchmarkCase.Descriptor.Type.GetProperty(p.Name)?.SetValue(instance, p.Value);
        return Work(instance) is { } w ? (w / report.ResultStatistics.Mean).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "-";
    }
}

/// <summary>GFLOP/s = flops / mean time, for benchmark classes implementing <see cref="IFlopCount"/>.</summary>
public sealed class GflopsColumn : PerSecondColumn
{
    public override string Id => "GFLOPs";
    public override string ColumnName => "GFLOP/s";
    public override string Legend => "Billions of floating-point operations per second (2mnk for a matrix product)";
    protected override double? Work(object instance) => instance is IFlopCount f ? f.Flops : null;
}
