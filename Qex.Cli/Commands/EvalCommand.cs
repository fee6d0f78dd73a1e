using System.Globalization;
using System.Text.Json;
using CommandLine;
using Qex.Autodiff.Optimisers;
using Qex.Core.IO;
using Qex.Core.Random;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Training;
using Qex.Dft.OneD.Xc;
using Qex.Cli.Configuration;
using Spectre.Console;

namespace Qex.Cli.Commands;

/// <summary>Options of <c>qex eval</c>.</summary>
[Verb("eval", HelpText = "Evaluate a 1D XC functional on a dataset split: per-geometry errors and a summary.")]
public sealed class EvalOptions
{
    /// <summary>Functional name.</summary>
    [Option("functional", Required = true, HelpText = "lda | ksr-global | ksr-lda | ksr-gga | qnn-global | mlp-global | qnn-local | qnn-window")]
    public string Functional { get; set; } = "";

    /// <summary>Parameters.</summary>
    [Option("params", HelpText = "A checkpoint file, a training output folder, or a folder of published KSR-global .npy files.")]
    public string? Params { get; set; }

    /// <summary>Data root or dataset folder.</summary>
    [Option("data", HelpText = "Folder holding the datasets (jaxdft/, ksr_dft/) or a dataset folder itself (default: ../shared/data).")]
    public string? Data { get; set; }

    /// <summary>Dataset name.</summary>
    [Option("dataset", Required = true, HelpText = "Dataset name (h2, h4, h2_h2, h2_plus, li_h, ions/dmrg, ...) or path.")]
    public string Dataset { get; set; } = "";

    /// <summary>Split.</summary>
    [Option("split", Default = "test", HelpText = "train | test | all")]
    public string Split { get; set; } = "test";

    /// <summary>JSON output.</summary>
    [Option("json", HelpText = "Write the rows and the summary to this JSON file.")]
    public string? Json { get; set; }

    /// <summary>Config with the model.quantum and noise sections.</summary>
    [Option("config", HelpText = "A training config: its model.quantum section shapes the qnn-* circuit, its noise section the evaluation backend.")]
    public string? Config { get; set; }

    /// <summary>KS iterations.</summary>
    [Option("iterations", Default = 15, HelpText = "Kohn-Sham iterations.")]
    public int Iterations { get; set; } = 15;
}

/// <summary><c>qex eval</c>.</summary>
public static class EvalCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(EvalOptions o, TextWriter output)
    {
        string? root = o.Data;
        string datasetPath = o.Data is not null && File.Exists(Path.Combine(o.Data, "total_energies.npy")) ? o.Data : o.Dataset;
        if (datasetPath == o.Data) root = null;
        var ds = DatasetReader.Load(datasetPath, root);
        IXcFunctional functional;
        if (o.Config is not null)
        {
            if (!File.Exists(o.Config)) throw new FileNotFoundException($"Config file '{o.Config}' does not exist.", o.Config);
            var config = ConfigTree.Build(DefaultTrainingConfig.Yaml, File.ReadAllText(o.Config), [$"model.functional={o.Functional}"]);
            functional = QuantumConfig.CreateFunctional(config, ds.Grid.Count);
        }
        else functional = XcFunctionals.Create(o.Functional, gridPoints: ds.Grid.Count);
        ParameterSet parameters;
        if (o.Params is not null) parameters = XcCheckpoint.LoadAny(o.Params, functional).Parameters;
        else if (functional.InitialParameters(RngKey.FromSeed(0)).TotalLength == 0) parameters = new ParameterSet([]);
        else throw new ArgumentException($"Functional '{functional.Name}' has trainable parameters: pass --params (a checkpoint or a folder of published .npy files).");
        var samples = ds.Split(o.Split);
        var solver = new KohnShamSolver(ds.Grid, new ExponentialCoulomb());
        var rows = Evaluator.Run(solver, functional, parameters, ds.Name, samples, new ScfOptions(Iterations: o.Iterations));
        var summary = EvaluationSummary.Of(rows);

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect });
        var table = new Table().AddColumns("distance_x100", "energy (Ha)", "reference (Ha)", "error (mHa)", "density error");
        foreach (var r in rows)
            table.AddRow(r.DistanceX100 >= 0 ? r.DistanceX100.ToString(CultureInfo.InvariantCulture) : Markup.Escape(r.Label),
                r.Energy.ToString("F6", CultureInfo.InvariantCulture), r.Reference.ToString("F6", CultureInfo.InvariantCulture),
                (Math.Abs(r.Error) < 0.0016 ? "" : "[red]") + (r.Error * 1000).ToString("F3", CultureInfo.InvariantCulture) + (Math.Abs(r.Error) < 0.0016 ? "" : "[/]"),
                r.DensityError.ToString("E2", CultureInfo.InvariantCulture));
        console.Write(table);
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"{Markup.Escape(functional.Name)} on {Markup.Escape(ds.Name)} ({o.Split}, {summary.Count}): MAE [bold]{summary.MaeMilliHartree:F3}[/] mHa, max {summary.MaxMilliHartree:F3} mHa, {summary.WithinChemicalAccuracy}/{summary.Count} within 1.6 mHa"));
        if (o.Json is not null)
        {
            var doc = new
            {
                functional = functional.Name, dataset = ds.Name, split = o.Split,
                rows = rows.Select(r => new { distance_x100 = r.DistanceX100, label = r.Label, energy = r.Energy, reference_energy = r.Reference, error_ha = r.Error, density_error = r.DensityError }),
                summary = new { count = summary.Count, mae_mha = summary.MaeMilliHartree, max_mha = summary.MaxMilliHartree, within_1_6_mha = summary.WithinChemicalAccuracy, mean_density_error = summary.MeanDensityError },
            };
            AtomicFile.WriteAllText(o.Json, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }
}
