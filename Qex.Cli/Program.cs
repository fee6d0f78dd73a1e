using CommandLine;
using CommandLine.Text;
using Qex.Cli.Commands;

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

    /// <summary>Entry point: parses the verb and runs it; the exit code is 0 on success.</summary>
    public static int Main(string[] args) => Run(args ?? [], Console.Out, Console.Error);

    /// <summary>Runs a command line with the given writers (results on <paramref name="output"/>, progress and errors on <paramref name="error"/>).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
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
            error.WriteLine($"qex: error: {e.Message}");
            return ExitUsage;
        }
        if (parsed is NotParsed<object> notParsed) return Usage(notParsed, args, output, error);
        try
        {
            return parsed.Value switch
            {
                InfoOptions info => InfoCommand.Run(info, output),
                TrainOptions train => TrainCommand.Run(train, output, error),
                EvalOptions eval => EvalCommand.Run(eval, output, error),
                GenDataOptions gen => GenDataCommand.Run(gen, output, error),
                NoiseSweepOptions sweep => NoiseSweepCommand.Run(sweep, output, error),
                EnergyOptions energy => EnergyCommand.Run(energy, output, error),
                var o => throw new InvalidOperationException($"Verb {o.GetType().Name} has no handler."),
            };
        }
        catch (Exception e)
        {
            error.WriteLine($"qex: error: {Describe(e)}");
            return ExitError;
        }
    }

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
