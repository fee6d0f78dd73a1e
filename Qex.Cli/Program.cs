using CommandLine;
using Qex.Cli.Commands;

namespace Qex.Cli;

/// <summary>The <c>qex</c> command-line tool.</summary>
public static class Program
{
    /// <summary>The verbs, in the order <c>qex --help</c> lists them.</summary>
    private static readonly Type[] Verbs = [typeof(TrainOptions), typeof(EvalOptions), typeof(GenDataOptions), typeof(NoiseSweepOptions), typeof(EnergyOptions), typeof(InfoOptions)];

    /// <summary>Entry point: parses the verb and runs it; the exit code is 0 on success.</summary>
    public static int Main(string[] args)
    {
        using var parser = new Parser(s =>
        {
            s.HelpWriter = Console.Out;
            s.CaseInsensitiveEnumValues = true;
            s.AutoVersion = true;
        });
        try
        {
            return parser.ParseArguments(args, Verbs)
                .MapResult(
                    (object o) => o switch
                    {
                        InfoOptions info => InfoCommand.Run(info, Console.Out),
                        TrainOptions train => TrainCommand.Run(train, Console.Out),
                        EvalOptions eval => EvalCommand.Run(eval, Console.Out),
                        GenDataOptions gen => GenDataCommand.Run(gen, Console.Out),
                        NoiseSweepOptions sweep => NoiseSweepCommand.Run(sweep, Console.Out),
                        EnergyOptions energy => EnergyCommand.Run(energy, Console.Out),
                        _ => throw new InvalidOperationException($"Verb {o.GetType().Name} has no handler."),
                    },
                    errors => errors.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.VersionRequestedError or ErrorType.HelpVerbRequestedError) ? 0 : 2);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidDataException or InvalidOperationException or KeyNotFoundException or ArithmeticException)
        {
            Console.Error.WriteLine($"qex: error: {ex.Message}");
            return 1;
        }
    }
}
