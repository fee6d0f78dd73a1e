using CommandLine;
using CommandLine.Text;
using Qex.Cli.Commands;
using Qex.Dft.ScaleOut;

namespace Qex.Cli;

/// <summary>The <c>qex</c> command-line tool.</summary>
public static class Program
{
    /// <summary>The verbs, in the order <c>qex --help</c> lists them (README's verb list is the same).</summary>
    public static readonly Type[] Verbs = [typeof(TrainOptions), typeof(EvalOptions), typeof(GenDataOptions), typeof(NoiseSweepOptions), typeof(EnergyOptions), typeof(InfoOptions)];

    /// <summary>Exit code of a run that failed with a message (bad input, unconverged calculation, I/O).</summary>
    public const int ExitError = 1;

    /// <summary>Exit code of a command line that could not be parsed.</summary>
    public const int ExitUsage = 2;

    /// <summary>
    /// Entry point: parses the verb and runs it; the exit code is 0 on success. Started by an MPI launcher with several
    /// ranks (<c>mpiexec -n P qex ...</c>) every rank runs the same command line: <c>train</c>, <c>eval</c> and
    /// <c>gen-data 1d</c> shard their molecules over the ranks, and rank 0 alone prints and writes files.
    /// </summary>
    public static int Main(string[] args)
    {
        IProcessGroup group;
        try { group = ProcessGroups.FromEnvironment(); }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or ArgumentException)
        {
            Console.Error.WriteLine($"qex: error: {e.Message}");
            return ExitError;
        }
        if (group.Size == 1) return Run(args ?? [], Console.Out, Console.Error);
        try
        {
            bool root = group.Rank == 0;
            return Run(args ?? [], root ? Console.Out : TextWriter.Null, Console.Error, new BatchScheduler(group));
        }
        finally { (group as IDisposable)?.Dispose(); }
    }

    /// <summary>Runs a command line with the given writers (results on <paramref name="output"/>, progress and errors on <paramref name="error"/>).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Results.</param>
    /// <param name="error">Progress, diagnostics and errors (on ranks other than 0 of an MPI job: errors only).</param>
    /// <param name="scheduler">The processes of an MPI job (this process alone when null).</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, BatchScheduler? scheduler = null)
    {
        scheduler ??= BatchScheduler.Local;
        var group = scheduler.Group;
        // ranks other than 0 print nothing but their own failures
        var log = group.Rank == 0 ? error : TextWriter.Null;
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        using var parser = new Parser(s =>
        {
            s.HelpWriter = null;
            s.CaseInsensitiveEnumValues = true;
            s.AutoVersion = true;
            s.AutoHelp = true;
        });
        ParserResult<object> parsed;
        try
        {
            parsed = parser.ParseArguments(args, Verbs);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException)
        {
            log.WriteLine($"qex: error: {e.Message}");
            return ExitUsage;
        }
        if (parsed is NotParsed<object> notParsed) return Usage(notParsed, args, output, log);
        if (group.Size > 1 && Unsharded(parsed.Value) is { } what)
        {
            // every rank parsed the same command line: rank 0 says it, all end normally
            log.WriteLine($"qex: error: {what} runs in one process; start it without mpiexec (train, eval and gen-data shard over MPI ranks).");
            return ExitError;
        }
        try
        {
            return parsed.Value switch
            {
                InfoOptions info => InfoCommand.Run(info, output),
                TrainOptions train => TrainCommand.Run(train, output, log, scheduler),
                EvalOptions eval => EvalCommand.Run(eval, output, log, scheduler),
                GenDataOptions gen => GenDataCommand.Run(gen, output, log, scheduler),
                NoiseSweepOptions sweep => NoiseSweepCommand.Run(sweep, output, log),
                EnergyOptions energy => EnergyCommand.Run(energy, output, log),
                var o => throw new InvalidOperationException($"Verb {o.GetType().Name} has no handler."),
            };
        }
        catch (ScaleOutException e)
        {
            // every rank has this failure (it was gathered): rank 0 says it, all end normally
            log.WriteLine($"qex: error: {Describe(e)}");
            return ExitError;
        }
        catch (Exception e) when (group.Size > 1)
        {
            // a failure only this rank may know of: say it with the rank, and end the whole job (the others would wait
            // in their next collective operation forever)
            error.WriteLine($"qex: error: {(group.Rank == 0 ? "" : $"rank {group.Rank}: ")}{Describe(e)}");
            error.Flush();
            group.Abort(ExitError);
            return ExitError;
        }
        catch (Exception e)
        {
            error.WriteLine($"qex: error: {Describe(e)}");
            return ExitError;
        }
    }

    /// <summary>The command, when it is one that does not shard over MPI ranks (null when it does).</summary>
    private static string? Unsharded(object options) => options switch
    {
        EnergyOptions => "qex energy",
        NoiseSweepOptions => "qex noise-sweep",
        _ => null,
    };

    /// <summary>One line for any failure: the message of the innermost meaningful exception, never a stack trace.</summary>
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        while (e is AggregateException { InnerExceptions.Count: 1 } ae) e = ae.InnerExceptions[0];
        while (e is System.Reflection.TargetInvocationException { InnerException: { } inner }) e = inner;
        string message = e switch
        {
            OutOfMemoryException => "not enough memory for this calculation (it was refused by the runtime); use a smaller system or basis, or a machine with more memory.",
            UnauthorizedAccessException => $"permission denied: {e.Message}",
            AggregateException ae => string.Join("; ", ae.Flatten().InnerExceptions.Select(x => x.Message).Distinct()),
            _ => e.Message,
        };
        return message.ReplaceLineEndings(" ").Trim();
    }

    private static int Usage(NotParsed<object> result, string[] args, TextWriter output, TextWriter error)
    {
        var errors = result.Errors.ToList();
        if (errors.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError or ErrorType.VersionRequestedError))
        {
            var help = HelpText.AutoBuild(result, h =>
            {
                h.AdditionalNewLineAfterOption = false;
                h.Heading = $"qex {typeof(Program).Assembly.GetName().Version?.ToString(3)}: learn and use exchange-correlation functionals";
                h.Copyright = "";
                h.MaximumDisplayWidth = 110;
                if (result.TypeInfo.Current == typeof(NullInstance))
                    h.AddPreOptionsLine("usage: qex VERB [options]    ('qex VERB --help' lists a verb's options and examples)");
                return h;
            }, e => e, verbsIndex: result.TypeInfo.Current == typeof(NullInstance));
            output.WriteLine(help);
            return 0;
        }
        string? verb = result.TypeInfo.Current != typeof(NullInstance) && result.TypeInfo.Current.GetCustomAttributes(typeof(VerbAttribute), false).FirstOrDefault() is VerbAttribute v ? v.Name : null;
        foreach (var e in errors)
            error.WriteLine($"qex: error: {Explain(e, verb)}");
        error.WriteLine(verb is null ? "Run 'qex --help' for the verbs." : $"Run 'qex {verb} --help' for its options and examples.");
        _ = args;
        return ExitUsage;
    }

    private static string Explain(Error e, string? verb) => e switch
    {
        UnknownOptionError u => $"unknown option '{(u.Token.Length == 1 ? "-" : "--")}{u.Token}'{(verb is null ? "" : $" for '{verb}'")}",
        BadVerbSelectedError b => $"unknown verb '{b.Token}'; the verbs are {string.Join(", ", Verbs.Select(t => ((VerbAttribute)t.GetCustomAttributes(typeof(VerbAttribute), false)[0]).Name))}",
        NoVerbSelectedError => "no verb given",
        MissingRequiredOptionError m => m.NameInfo.NameText.Length == 0 ? "a required value is missing" : $"missing required option '{m.NameInfo.NameText}'",
        MissingValueOptionError mv => $"option '{mv.NameInfo.NameText}' needs a value",
        BadFormatConversionError bf => $"option '{bf.NameInfo.NameText}' has a value of the wrong type",
        BadFormatTokenError bt => $"cannot read '{bt.Token}'",
        RepeatedOptionError r => $"option '{r.NameInfo.NameText}' is given more than once",
        SequenceOutOfRangeError s => $"option '{s.NameInfo.NameText}' has too many or too few values",
        _ => e.Tag.ToString(),
    };
}
