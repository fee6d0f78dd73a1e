using Qex.Core.IO;

namespace Qex.Tests.Common;

/// <summary>A fact that needs ../shared/data (or one path below it); skipped with a message when it is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(params string[] parts)
    {
        if (SharedData.Root is null)
            Skip = "../shared/data was not found beside the checkout (set QEX_SHARED_DATA to its path).";
        else if (parts.Length > 0 && SharedData.Resolve(parts) is null)
            Skip = $"shared data path '{string.Join('/', parts)}' is missing.";
    }
}

/// <summary>A theory that needs ../shared/data (or one path below it); skipped with a message when it is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute(params string[] parts)
    {
        if (SharedData.Root is null)
            Skip = "../shared/data was not found beside the checkout (set QEX_SHARED_DATA to its path).";
        else if (parts.Length > 0 && SharedData.Resolve(parts) is null)
            Skip = $"shared data path '{string.Join('/', parts)}' is missing.";
    }
}
