using System.Globalization;

namespace Qex.Dft.ScaleOut;

/// <summary>
/// The process group this process was started in: an MPI job when an MPI launcher started it with more than one
/// rank (MPICH's and Intel MPI's <c>PMI_SIZE</c>, MVAPICH's <c>MV2_COMM_WORLD_SIZE</c>, or <c>QEX_MPI=1</c> for
/// other launchers), otherwise this process alone, with no MPI library loaded.
/// </summary>
public static class ProcessGroups
{
    /// <summary>The variables that give the number of ranks, in the order they are read.</summary>
    public static IReadOnlyList<string> SizeVariables { get; } = ["PMI_SIZE", "MV2_COMM_WORLD_SIZE"];

    /// <summary>Ranks the launcher says it started (1 without a launcher or when it does not say).</summary>
    /// <param name="environment">Reads an environment variable (the process environment when null).</param>
    /// <exception cref="NotSupportedException">Started by Open MPI, whose ABI MPI.NET cannot use.</exception>
    /// <exception cref="ArgumentException">A size variable that is not a positive integer.</exception>
    public static int LaunchedRanks(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment("OMPI_COMM_WORLD_SIZE") is not null)
            throw new NotSupportedException("This job was started by Open MPI's mpiexec; Qex runs on MPI libraries with MPICH's ABI (MPICH, Intel MPI, MVAPICH, Cray MPICH): start it with MPICH's launcher (Debian: mpiexec.mpich).");
        foreach (var name in SizeVariables)
            if (environment(name) is { } text)
                return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1
                    ? n : throw new ArgumentException($"The MPI launcher's {name}='{text}' is not a positive integer.");
        return 1;
    }

    /// <summary>Joins the job this process was started in (<see cref="SingleProcess"/> when there is none or it has one rank).</summary>
    public static IProcessGroup FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        return LaunchedRanks(environment) > 1 || environment("QEX_MPI") == "1" ? MpiProcessGroup.Start() : SingleProcess.Instance;
    }
}
