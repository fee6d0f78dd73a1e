using Spectre.Console;

namespace Qex.Cli.Output;

/// <summary>
/// Progress of long work on standard error: a Spectre.Console progress bar with elapsed time and ETA when standard
/// error is a terminal, plain lines otherwise (logs, pipes, tests), nothing with --quiet. Results never go here.
/// </summary>
public sealed class ProgressReporter
{
    private readonly TextWriter _log;
    private readonly bool _quiet;
    private readonly bool _interactive;
    private ProgressContext? _context;
    private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>A reporter writing to <paramref name="log"/>; interactive only when it is the console's standard error on a terminal.</summary>
    public ProgressReporter(TextWriter log, bool quiet)
    {
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _quiet = quiet;
        _interactive = !quiet && ReferenceEquals(log, Console.Error) && !Console.IsErrorRedirected
            && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");
    }

    /// <summary>True when no progress is shown.</summary>
    public bool Quiet => _quiet;

    /// <summary>Runs <paramref name="body"/>, with a live progress display around it when interactive.</summary>
    public T Run<T>(Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!_interactive) return body();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                _context = ctx;
                try { result = body(); }
                finally
                {
                    foreach (var t in _tasks.Values.Where(x => x.IsIndeterminate)) { t.IsIndeterminate = false; t.Value = t.MaxValue; t.StopTask(); }
                    _context = null;
                }
            });
        return result;
    }

    /// <summary>Sets the progress of a named task (created on first use); plain mode prints <paramref name="line"/> if given.</summary>
    public void Update(string task, double done, double total, string? line = null)
    {
        if (_quiet) return;
        lock (_gate)
        {
            if (_context is { } ctx)
            {
                if (!_tasks.TryGetValue(task, out var t)) _tasks[task] = t = ctx.AddTask(Markup.Escape(task), maxValue: Math.Max(total, 1));
                t.MaxValue = Math.Max(total, 1);
                t.Value = Math.Min(done, t.MaxValue);
                t.Description = Markup.Escape(line is null ? task : $"{task}: {line}");
            }
            else if (line is not null) _log.WriteLine(line);
        }
    }

    /// <summary>
    /// Progress of a stage whose length is not known in advance (an SCF, CC or Davidson iteration converging): when
    /// interactive, an indeterminate bar with the elapsed time and the latest <paramref name="line"/>, the previous
    /// stage marked done when a new one begins; plain mode prints the line.
    /// </summary>
    public void Stage(string stage, string line)
    {
        if (_quiet) return;
        lock (_gate)
        {
            if (_context is { } ctx)
            {
                if (!_tasks.TryGetValue(stage, out var t))
                {
                    foreach (var other in _tasks.Values.Where(x => x.IsIndeterminate)) { other.IsIndeterminate = false; other.Value = other.MaxValue; other.StopTask(); }
                    _tasks[stage] = t = ctx.AddTask(Markup.Escape(stage), maxValue: 1);
                    t.IsIndeterminate = true;
                }
                t.Description = Markup.Escape(line);
            }
            else _log.WriteLine(line);
        }
    }

    /// <summary>A diagnostic line (above the bars when interactive).</summary>
    public void Message(string line)
    {
        if (_quiet) return;
        lock (_gate)
        {
            if (_context is not null) AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).MarkupLine(Markup.Escape(line));
            else _log.WriteLine(line);
        }
    }
}
