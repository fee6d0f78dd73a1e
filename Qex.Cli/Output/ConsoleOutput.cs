using Spectre.Console;

namespace Qex.Cli.Output;

/// <summary>Spectre.Console writers for results: colours on a terminal; plain, wide (never wrapped) text when piped or captured.</summary>
public static class ConsoleOutput
{
    /// <summary>The width used when the output is not a terminal (tables are not wrapped to 80 columns).</summary>
    public const int PipeWidth = 400;

    /// <summary>A console writing to <paramref name="writer"/>.</summary>
    public static IAnsiConsole For(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        bool terminal = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected
            || ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = PipeWidth;
        return console;
    }
}
