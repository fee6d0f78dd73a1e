using Qex.Kernels.Devices;

namespace Qex.Cli.Commands;

/// <summary>The <c>--device</c> option of the verbs that compute: resolved before any work, opened, and said on standard error with what runs there.</summary>
internal static class DeviceChoice
{
    /// <summary>The help text of <c>--device</c> (each verb adds what of its work runs there).</summary>
    public const string Help = "Where the hot loops run: cpu | cuda | opencl | ilgpu-cpu (ILGPU's CPU accelerator: slow, for checks) | auto (CUDA, then an OpenCL device ILGPU accepts, then the CPU).";

    /// <summary>
    /// Resolves <paramref name="choice"/> (an unknown or unavailable device is an error that says why) and opens the
    /// accelerator (null for the CPU); unless quiet, says on <paramref name="log"/> which device runs and
    /// <paramref name="onDevice"/>, what of this calculation runs there.
    /// </summary>
    public static ComputeDevice? Open(string choice, TextWriter log, bool quiet, string onDevice)
    {
        var info = DeviceCatalog.Select(choice);
        bool named = !choice.Trim().Equals("cpu", StringComparison.OrdinalIgnoreCase);
        if (info.Kind == DeviceKind.Cpu)
        {
            if (!quiet && named) log.WriteLine($"device: cpu ({info.Detail}; {choice.Trim()} found no accelerator)");
            return null;
        }
        var device = DeviceCatalog.Open(info.Kind);
        if (!quiet) log.WriteLine($"device: {device.Description} ({onDevice})");
        return device;
    }

    /// <summary>The name of the device that ran (cpu without one), for reports.</summary>
    public static string NameOf(ComputeDevice? device) => device is null ? "cpu" : DeviceCatalog.NameOf(device.Kind);
}
