using Qex.Core.Tensors;

namespace Qex.Autodiff.Tests;

public sealed class BandedEighGradientTests
{
    private const int N = 24;
    private const double H = 0.4;

    private static double[][] KineticOffDiagonals() =>
    [
        Enumerable.Repeat(-2.0 / 3.0 / (H * H), N - 1).ToArray(),
        Enumerable.Repeat(1.0 / 24.0 / (H * H), N - 2).ToArray(),
    ];

    private static Tensor Diagonal(long seed) =>
        Tensor.Create([N], d =>
        {
            var noise = Check.Normal(seed, N).Span;
            for (int i = 0; i < N; i++)
            {
                double x = (i - N / 2) * H;
                d[i] = 1.25 / (H * H) + 0.5 * x * x * 0.2 + 0.3 * noise[i];
            }
        });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ValuesVectorsAndDensityFirstAndSecondDerivatives(int k)
    {
        var off = KineticOffDiagonals();
        var d = Diagonal(100 + k);
        Check.Both(v => Op.EighBandedLowest(v[0], off, k).Values, d);
        Check.Both(v => Op.EighBandedLowest(v[0], off, k).Vectors, d);
        Check.Both(v => Op.Sum(Op.Square(Op.EighBandedLowest(v[0], off, k).Vectors), [1]), d);
    }

    [Fact]
    public void AgreesWithTheDenseOpAndItsGradient()
    {
        var off = KineticOffDiagonals();
        var d0 = Diagonal(7);
        var c = Var.Constant(Check.Normal(8, N));
        var dBand = Var.Parameter(d0);
        var eb = Op.EighBandedLowest(dBand, off, 2);
        var lossB = Op.Sum(Op.Sum(Op.Square(eb.Vectors), [1]) * c) + Op.Sum(eb.Values);
        var gB = Grad.Of(lossB, dBand).Value;

        var dDense = Var.Parameter(d0);
        var offDense = new double[N * N];
        for (int i = 0; i + 1 < N; i++) { offDense[i * N + i + 1] = off[0][i]; offDense[(i + 1) * N + i] = off[0][i]; }
        for (int i = 0; i + 2 < N; i++) { offDense[i * N + i + 2] = off[1][i]; offDense[(i + 2) * N + i] = off[1][i]; }
        var hm = Var.Constant(Tensor.Wrap(offDense, N, N)) + Op.Reshape(dDense, N, 1) * Var.Constant(Tensor.Identity(N));
        var ed = Op.EighLowest(hm, 2);
        var lossD = Op.Sum(Op.Sum(Op.Square(ed.Vectors), [1]) * c) + Op.Sum(ed.Values);
        var gD = Grad.Of(lossD, dDense).Value;
        Assert.Equal(lossD.ToScalar(), lossB.ToScalar(), 12);
        Assert.True(gB.MaxAbsDiff(gD) < 1e-10, $"gradient difference {gB.MaxAbsDiff(gD)}");
    }

    [Fact]
    public void ThirdOrderThroughTheBorderedSolve()
    {
        // d/dc of the HVP (in the diagonal) of sum(c * density): exercises the bordered solve's own derivatives
        var off = KineticOffDiagonals();
        var d0 = Diagonal(9);
        var dir = Var.Constant(Check.Normal(10, N));
        Var HvpOfWeights(Var[] p)
        {
            var d = Var.Parameter(d0);
            var e = Op.Sum(Op.Sum(Op.Square(Op.EighBandedLowest(d, off, 2).Vectors), [1]) * p[0]);
            return Grad.HessianVectorProduct(e, [d], [dir], createGraph: true)[0];
        }
        Check.Gradient(HvpOfWeights, Check.Normal(11, N));
    }
}
