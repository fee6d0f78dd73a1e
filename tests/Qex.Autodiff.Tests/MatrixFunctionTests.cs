using Qex.Core.Tensors;
using Qex.Tests.Common;

namespace Qex.Autodiff.Tests;

/// <summary>
/// f(A) = V f(L) V^T (density matrices) with first and second derivatives at degenerate spectra, against analytic
/// cases and finite differences.
/// </summary>
public sealed class MatrixFunctionTests
{
    private static readonly SpectralFunction Square = SpectralFunction.Of("x^2", x => x * x, x => 2 * x, _ => 2);

    private static Tensor Matrix(double[,] m) => Tensor.Matrix(m);

    /// <summary>A0 + x B with A0 = diag(1, 1, 3) and B coupling the first two (the degenerate pair).</summary>
    private static Var Pencil(Var x)
    {
        var a0 = Var.Constant(Matrix(new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 3 } }));
        var b = Var.Constant(Matrix(new double[,] { { 0, 1, 0 }, { 1, 0, 0 }, { 0, 0, 0 } }));
        return a0 + Op.Reshape(x, 1, 1) * b;
    }

    private static Var Trace(Var m) => Op.Sum(m * Var.Constant(Tensor.Identity(m.Dim(0))));

    [Fact]
    public void SecondDerivativeOfTheSumOfSquaredEigenvaluesAtADegeneracyIsExact()
    {
        // sum_i l_i(A0 + x B)^2 = tr (A0 + x B)^2 = 11 + 2 x^2: d/dx = 4x = 0 and d2/dx2 = 4 at x = 0, where l_1 = l_2
        var x = Var.Parameter(Tensor.Vector(0));
        var f = Trace(Op.MatrixFunction(Pencil(x), Square));
        Assert.Equal(11, f.ToScalar(), 12);
        var g = Grad.Of(f, x, createGraph: true);
        Assert.Equal(0, g.Value.ToArray()[0], 12);
        Assert.Equal(4, Grad.Of(Op.Sum(g), x).Value.ToArray()[0], 10);
        // and near the degeneracy (gaps 1e-11 .. 1e-6), where eigenvector derivatives blow up
        foreach (double at in new[] { 1e-11, 1e-8, 1e-6 })
        {
            var xa = Var.Parameter(Tensor.Vector(at));
            var ga = Grad.Of(Trace(Op.MatrixFunction(Pencil(xa), Square)), xa, createGraph: true);
            Assert.Equal(4 * at, ga.Value.ToArray()[0], 10);
            Assert.Equal(4, Grad.Of(Op.Sum(ga), xa).Value.ToArray()[0], 8);
        }
    }

    public static TheoryData<string> Functions() => ["fermi-dirac", "lowest"];

    private static SpectralFunction Named(string name) => name == "lowest" ? SpectralFunction.Lowest(3, 2) : SpectralFunction.FermiDirac(0.1, 0.3, 2);

    /// <summary>A symmetric 6 x 6 matrix with a doubly degenerate level among the occupied ones and one among the empty ones.</summary>
    private static Tensor Degenerate() => RandomMatrices.WithSpectrum([-1.0, -0.4, -0.4, 0.7, 1.3, 1.3], 5);

    [Theory]
    [MemberData(nameof(Functions))]
    public void GradientsAndHessianProductsEqualFiniteDifferencesAtADegenerateSpectrum(string name)
    {
        var f = Named(name);
        var weights = Var.Constant(Tensor.Wrap(RandomMatrices.Symmetric(6, 3), 6, 6));
        Var Loss(Var a) => Op.Sum(Op.MatrixFunction(a, f) * weights) + Op.Sum(Op.Square(Op.MatrixFunction(a, f)));
        var a0 = Degenerate();
        var a = Var.Parameter(a0);
        var grad = Grad.Of(Loss(a), a, createGraph: true);
        var direction = Tensor.Wrap(RandomMatrices.Symmetric(6, 4), 6, 6);
        double h = 1e-5;
        double Along(double t) => Loss(Var.Constant(Axpy(a0, direction, t))).ToScalar();
        // directional derivative <grad, D> (the gradient is the symmetric one, D symmetric)
        double fd = (Along(h) - Along(-h)) / (2 * h);
        double analytic = Dot(grad.Value, direction);
        Assert.True(Math.Abs(fd - analytic) <= 1e-7 * Math.Max(1, Math.Abs(fd)), $"{name}: <grad, D> {analytic:R} vs finite difference {fd:R}");
        // the Hessian-vector product against finite differences of the gradient
        var hv = Grad.Of(Op.Sum(grad * Var.Constant(direction)), a).Value.ToArray();
        var gp = GradientAt(Loss, Axpy(a0, direction, h));
        var gm = GradientAt(Loss, Axpy(a0, direction, -h));
        double scale = hv.Max(Math.Abs);
        for (int i = 0; i < hv.Length; i++)
        {
            double fdh = (gp[i] - gm[i]) / (2 * h);
            Assert.True(Math.Abs(fdh - hv[i]) <= 1e-6 * scale, $"{name}: (H D)[{i}] {hv[i]:R} vs finite difference {fdh:R}");
        }
    }

    private static double[] GradientAt(Func<Var, Var> loss, Tensor at)
    {
        var v = Var.Parameter(at);
        return Grad.Of(loss(v), v).Value.ToArray();
    }

    private static Tensor Axpy(Tensor a, Tensor d, double t)
    {
        var x = a.ToArray();
        var y = d.ToArray();
        for (int i = 0; i < x.Length; i++) x[i] += t * y[i];
        return Tensor.Wrap(x, a.ShapeArray());
    }

    private static double Dot(Tensor a, Tensor b) => a.ToArray().Zip(b.ToArray(), (x, y) => x * y).Sum();

    [Fact]
    public void TheProjectorOfTheLowestLevelsEqualsTheEigenvectorProduct()
    {
        var a0 = Degenerate();
        var p = Op.MatrixFunction(Var.Constant(a0), SpectralFunction.Lowest(3)).Value.ToArray();
        var eig = Qex.Core.LinearAlgebra.SymmetricEigen.Decompose(a0);
        var v = eig.Vectors.ToArray();
        for (int r = 0; r < 6; r++)
            for (int c = 0; c < 6; c++)
            {
                double s = 0;
                for (int k = 0; k < 3; k++) s += v[r * 6 + k] * v[c * 6 + k];
                Assert.Equal(s, p[r * 6 + c], 12);
            }
    }

    [Fact]
    public void OccupationsThatSplitADegenerateLevelAreRefusedAndThirdDerivativesThrow()
    {
        var a0 = Degenerate();
        Assert.Contains("degenerate", Assert.Throws<ArgumentException>(() => Op.MatrixFunction(Var.Constant(a0), SpectralFunction.Lowest(2))).Message);
        var x = Var.Parameter(Tensor.Vector(0));
        var g1 = Grad.Of(Trace(Op.MatrixFunction(Pencil(x), Square)), x, createGraph: true);
        var g2 = Grad.Of(Op.Sum(g1), x, createGraph: true);
        Assert.Throws<NotSupportedException>(() => Grad.Of(Op.Sum(g2), x));
    }
}
