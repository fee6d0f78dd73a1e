using Qex.Cli.Output;

namespace Qex.Cli.Tests;

/// <summary>The per-molecule energy errors of the training progress lines.</summary>
public sealed class TrainingProgressTests
{
    [Theory]
    [InlineData(0.0013, "+1.30")]
    [InlineData(-0.0021, "-2.10")]
    [InlineData(0.0, "+0.00")]
    [InlineData(-1e-7, "+0.00")]     // rounds to zero: once printed "-+0.00"
    [InlineData(1e-7, "+0.00")]
    [InlineData(-1.23456, "-1234.56")]
    public void ErrorsAreSignedMilliHartreeWithTwoDecimals(double errorHa, string expected) =>
        Assert.Equal(expected, TrainingProgress.MilliHartree(errorHa));
}
