using System.Numerics;
using Qex.Autodiff;
using Qex.Core.Tensors;
using Qex.Quantum.Analog;

namespace Qex.Quantum.Tests;

public sealed class RydbergTests
{
    // ---- an independent reference: Kronecker-product Hamiltonian and a scaling-and-squaring Taylor exponential ----

    private static Complex[,] Kron(Complex[,] a, Complex[,] b)
    {
        int n = a.GetLength(0), m = b.GetLength(0);
        var r = new Complex[n * m, n * m];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++)
            for (int k = 0; k < m; k++) for (int l = 0; l < m; l++) r[i * m + k, j * m + l] = a[i, j] * b[k, l];
        return r;
    }

    private static Complex[,] OnAtom(Complex[,] op, int atom, int atoms)
    {
        Complex[,] id = { { 1, 0 }, { 0, 1 } };
        Complex[,] r = { { 1 } };
        for (int q = 0; q < atoms; q++) r = Kron(r, q == atom ? op : id);
        return r;
    }

    private static Complex[,] Add(Complex[,] a, Complex[,] b, Complex s)
    {
        int d = a.GetLength(0);
        var r = new Complex[d, d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) r[i, j] = a[i, j] + s * b[i, j];
        return r;
    }

    private static Complex[,] Mul(Complex[,] a, Complex[,] b)
    {
        int d = a.GetLength(0);
        var r = new Complex[d, d];
        for (int i = 0; i < d; i++) for (int k = 0; k < d; k++) { var x = a[i, k]; if (x == Complex.Zero) continue; for (int j = 0; j < d; j++) r[i, j] += x * b[k, j]; }
        return r;
    }

    private static Complex[,] ReferenceHamiltonian(RydbergRegister reg, double[] omega, double[] delta)
    {
        Complex[,] x = { { 0, 1 }, { 1, 0 } }, n = { { 0, 0 }, { 0, 1 } };
        int a = reg.Count, d = reg.Dimension;
        var h = new Complex[d, d];
        for (int i = 0; i < a; i++)
        {
            h = Add(h, OnAtom(x, i, a), omega[i] / 2);
            h = Add(h, OnAtom(n, i, a), -delta[i]);
            for (int j = i + 1; j < a; j++)
            {
                double dx = reg.Positions[i].X - reg.Positions[j].X, dy = reg.Positions[i].Y - reg.Positions[j].Y;
                h = Add(h, Mul(OnAtom(n, i, a), OnAtom(n, j, a)), reg.C6 / Math.Pow(dx * dx + dy * dy, 3));
            }
        }
        return h;
    }

    private static Complex[,] Expm(Complex[,] a)
    {
        int d = a.GetLength(0);
        double norm = 0;
        for (int i = 0; i < d; i++) { double row = 0; for (int j = 0; j < d; j++) row += a[i, j].Magnitude; norm = Math.Max(norm, row); }
        int s = Math.Max(0, (int)Math.Ceiling(Math.Log2(norm / 0.25)));
        var b = Add(new Complex[d, d], a, Math.Pow(2, -s));
        var r = new Complex[d, d];
        var term = new Complex[d, d];
        for (int i = 0; i < d; i++) { r[i, i] = 1; term[i, i] = 1; }
        for (int k = 1; k <= 30; k++) { term = Mul(term, b); term = Add(new Complex[d, d], term, 1.0 / k); r = Add(r, term, 1); }
        for (int i = 0; i < s; i++) r = Mul(r, r);
        return r;
    }

    private static RydbergRegister Triangle() => new([(0, 0), (7.5, 0), (3.0, 6.2)]);

    [Fact]
    public void HamiltonianEqualsTheKroneckerProductConstruction()
    {
        var reg = Triangle();
        double[] omega = [3.1, 2.2, 4.0], delta = [1.5, -0.7, 2.3];
        var h = RydbergHamiltonian.Matrix(reg, omega, delta);
        var reference = ReferenceHamiltonian(reg, omega, delta);
        for (int i = 0; i < reg.Dimension; i++)
            for (int j = 0; j < reg.Dimension; j++)
                Assert.True(Math.Abs(h[i, j] - reference[i, j].Real) < 1e-9 * Math.Max(1, Math.Abs(reference[i, j].Real)), $"H[{i},{j}] = {h[i, j]} vs {reference[i, j]}");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void EvolutionEqualsADenseMatrixExponential(int atoms)
    {
        var reg = atoms == 3 ? Triangle() : new RydbergRegister([(0, 0), (6.5, 0), (0, 7.0), (6.9, 6.1)]);
        var rng = new Qex.Core.Random.Rng(atoms);
        var segments = Enumerable.Range(0, 2).Select(_ => (
            Omega: Enumerable.Range(0, atoms).Select(_ => rng.Uniform(1, 6)).ToArray(),
            Delta: Enumerable.Range(0, atoms).Select(_ => rng.Uniform(-3, 3)).ToArray(),
            T: rng.Uniform(0.2, 0.9))).ToList();
        var state = RydbergEvolution.GroundState(reg);
        int d = reg.Dimension;
        var psi = new Complex[d];
        psi[0] = 1;
        foreach (var (omega, delta, t) in segments)
        {
            state = RydbergEvolution.Step(state, Var.Constant(RydbergHamiltonian.Matrix(reg, omega, delta)), Var.Constant(Tensor.Scalar(t)));
            var u = Expm(Add(new Complex[d, d], ReferenceHamiltonian(reg, omega, delta), new Complex(0, -t)));
            var next = new Complex[d];
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) next[i] += u[i, j] * psi[j];
            psi = next;
        }
        for (int i = 0; i < d; i++)
        {
            Assert.True(Math.Abs(state.Re.Value[i] - psi[i].Real) < 1e-10, $"Re psi[{i}]: {state.Re.Value[i]} vs {psi[i].Real}");
            Assert.True(Math.Abs(state.Im.Value[i] - psi[i].Imaginary) < 1e-10, $"Im psi[{i}]: {state.Im.Value[i]} vs {psi[i].Imaginary}");
        }
    }

    [Fact]
    public void OneAtomRabiOscillates()
    {
        // resonant drive: P_r(t) = sin^2(Omega t / 2); detuned: (Omega^2 / W^2) sin^2(W t / 2), W^2 = Omega^2 + delta^2
        var reg = new RydbergRegister([(0, 0)]);
        foreach (var (omega, delta, t) in new[] { (2.0, 0.0, 0.7), (3.0, 1.2, 1.1) })
        {
            var s = RydbergEvolution.Step(RydbergEvolution.GroundState(reg), Var.Constant(RydbergHamiltonian.Matrix(reg, [omega], [delta])), Var.Constant(Tensor.Scalar(t)));
            double p = RydbergEvolution.Expectation(s, Tensor.Wrap(RydbergHamiltonian.Occupation(reg, 0), 2)).ToScalar();
            double w = Math.Sqrt(omega * omega + delta * delta);
            Assert.Equal(omega * omega / (w * w) * Math.Pow(Math.Sin(w * t / 2), 2), p, 12);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientsAndHessianVectorProductsMatchFiniteDifferences(bool symmetric)
    {
        // symmetric: a line of three equal atoms under equal drives, whose Hamiltonian has degenerate levels
        var reg = symmetric ? RydbergRegister.Line(3, 7.0) : Triangle();
        var occupation = Tensor.Wrap([.. Enumerable.Range(0, reg.Dimension).Select(s => (double)Enumerable.Range(0, reg.Count).Count(i => reg.Excited(s, i)))], reg.Dimension);
        Var F(Var[] p)
        {
            // p: drives (3), detunings (3), durations (2) of two segments sharing the drives, the second detuning flipped
            var state = RydbergEvolution.GroundState(reg);
            state = RydbergEvolution.Step(state, RydbergHamiltonian.Matrix(reg, p[0], p[1]), Op.Slice(p[2], 0, 0, 1));
            state = RydbergEvolution.Step(state, RydbergHamiltonian.Matrix(reg, p[0] * 0.5, Op.Neg(p[1])), Op.Slice(p[2], 0, 1, 1));
            return RydbergEvolution.Expectation(state, occupation);
        }
        Tensor[] x = symmetric
            ? [Tensor.Wrap([3.0, 3.0, 3.0], 3), Tensor.Wrap([1.0, 1.0, 1.0], 3), Tensor.Wrap([0.6, 0.4], 2)]
            : [Tensor.Wrap([3.1, 2.2, 4.0], 3), Tensor.Wrap([1.5, -0.7, 2.3], 3), Tensor.Wrap([0.6, 0.4], 2)];
        GradCheck.AssertWithin(GradCheck.Gradient(F, x), 1e-7, "Rydberg gradient");
        GradCheck.AssertWithin(GradCheck.HessianVectorProduct(F, x), 1e-6, "Rydberg Hessian-vector product");
    }

    [Fact]
    public void BatchedEvolutionEqualsADenseMatrixExponentialForEveryMember()
    {
        // three registers of a batch with different detunings, durations up to |tH| ~ 60 (many squarings), and one
        // with a tiny norm (no squaring): each against the Kronecker-product Hamiltonian's dense exponential
        var reg = Triangle();
        int d = reg.Dimension;
        double[] omega = [3.1, 2.2, 4.0];
        double[][] deltas = [[1.5, -0.7, 2.3], [-4.0, 0.3, 0.0], [0.0, 0.0, 12.0]];
        foreach (double t in new[] { 1e-3, 0.45, 1.7 })
        {
            var h = RydbergHamiltonian.Matrices(reg, Var.Constant(Tensor.Wrap(omega, 3)), Var.Constant(Tensor.Wrap([.. deltas.SelectMany(x => x)], 3, 3)));
            var state = RydbergEvolution.StepBatch(RydbergEvolution.GroundStates(reg, 3), h, Var.Constant(Tensor.Scalar(t)));
            state = RydbergEvolution.StepBatch(state, h, Var.Constant(Tensor.Scalar(t / 3)));
            for (int b = 0; b < 3; b++)
            {
                var u = Expm(Add(new Complex[d, d], ReferenceHamiltonian(reg, omega, deltas[b]), new Complex(0, -4 * t / 3)));
                for (int i = 0; i < d; i++)
                {
                    Assert.True(Math.Abs(state.Re.Value[b, i] - u[i, 0].Real) < 1e-10, $"t {t}, member {b}: Re psi[{i}] = {state.Re.Value[b, i]} vs {u[i, 0].Real}");
                    Assert.True(Math.Abs(state.Im.Value[b, i] - u[i, 0].Imaginary) < 1e-10, $"t {t}, member {b}: Im psi[{i}] = {state.Im.Value[b, i]} vs {u[i, 0].Imaginary}");
                }
            }
        }
    }

    [Fact]
    public void BatchedGradientsAndHessianVectorProductsMatchFiniteDifferences()
    {
        // a batch of two registers (degenerate line), drives shared, detunings per member, two segments
        var reg = RydbergRegister.Line(3, 7.0);
        var occupation = Tensor.Wrap([.. Enumerable.Range(0, reg.Dimension).Select(s => (double)Enumerable.Range(0, reg.Count).Count(i => reg.Excited(s, i)))], reg.Dimension);
        Var F(Var[] p)
        {
            var state = RydbergEvolution.GroundStates(reg, 2);
            state = RydbergEvolution.StepBatch(state, RydbergHamiltonian.Matrices(reg, p[0], p[1]), Op.Slice(p[2], 0, 0, 1));
            state = RydbergEvolution.StepBatch(state, RydbergHamiltonian.Matrices(reg, p[0] * 0.5, Op.Neg(p[1])), Op.Slice(p[2], 0, 1, 1));
            var e = RydbergEvolution.Expectations(state, occupation);
            return Op.Sum(e * Var.Constant(Tensor.Wrap([1.0, -0.7], 2)));
        }
        Var PerMember(Var[] p)
        {
            // the same function, one register at a time through the spectral Step
            Var total = Var.Constant(Tensor.Scalar(0));
            double[] weights = [1.0, -0.7];
            for (int b = 0; b < 2; b++)
            {
                var delta = Op.Reshape(Op.Slice(p[1], 0, b, 1), 3);
                var state = RydbergEvolution.GroundState(reg);
                state = RydbergEvolution.Step(state, RydbergHamiltonian.Matrix(reg, p[0], delta), Op.Slice(p[2], 0, 0, 1));
                state = RydbergEvolution.Step(state, RydbergHamiltonian.Matrix(reg, p[0] * 0.5, Op.Neg(delta)), Op.Slice(p[2], 0, 1, 1));
                total = total + RydbergEvolution.Expectation(state, occupation) * weights[b];
            }
            return total;
        }
        Tensor[] x = [Tensor.Wrap([3.0, 3.0, 3.0], 3), Tensor.Wrap([1.0, 1.0, 1.0, 1.5, -0.7, 2.3], 2, 3), Tensor.Wrap([0.6, 1.4], 2)];
        // steps of 2e-4: |tH| reaches ~70 here, so the differences' h^4 error at the default 1e-3 is ~1e-6
        var fd = new GradCheckOptions(Step: 2e-4);
        GradCheck.AssertWithin(GradCheck.Gradient(F, x, fd), 1e-7, "batched Rydberg gradient");
        GradCheck.AssertWithin(GradCheck.HessianVectorProduct(F, x, options: fd), 1e-6, "batched Rydberg Hessian-vector product");
        // and against the spectral evolution, derivative for derivative
        var v = x.Select((t, i) => Tensor.Wrap([.. Enumerable.Range(0, t.Length).Select(k => Math.Sin(1.7 * k + i))], t.ShapeArray())).ToArray();
        var px = x.Select(Var.Parameter).ToArray();
        var py = x.Select(Var.Parameter).ToArray();
        Assert.Equal(PerMember(py).ToScalar(), F(px).ToScalar(), 12);
        var ga = Grad.Compute(F(px), px);
        var gb = Grad.Compute(PerMember(py), py);
        var ha = Grad.HessianVectorProduct(F(px), px, v.Select(Var.Constant).ToArray());
        var hb = Grad.HessianVectorProduct(PerMember(py), py, v.Select(Var.Constant).ToArray());
        for (int i = 0; i < x.Length; i++)
            for (int k = 0; k < x[i].Length; k++)
            {
                Assert.True(Math.Abs(ga[i].Value.Span[k] - gb[i].Value.Span[k]) < 1e-10, $"gradient {i}[{k}]: {ga[i].Value.Span[k]} vs {gb[i].Value.Span[k]}");
                Assert.True(Math.Abs(ha[i].Value.Span[k] - hb[i].Value.Span[k]) < 1e-9, $"Hv {i}[{k}]: {ha[i].Value.Span[k]} vs {hb[i].Value.Span[k]}");
            }
    }

    [Fact]
    public void BadRegistersAreClearErrors()
    {
        Assert.Contains("1 to 12 atoms", Assert.Throws<ArgumentException>(() => new RydbergRegister([])).Message);
        Assert.Contains("closer than", Assert.Throws<ArgumentException>(() => new RydbergRegister([(0, 0), (0, 1e-6)])).Message);
        Assert.Contains("spacing", Assert.Throws<ArgumentException>(() => RydbergRegister.Line(2, -1)).Message);
        var reg = Triangle();
        Assert.Contains("shape (3)", Assert.Throws<ArgumentException>(() => RydbergHamiltonian.Matrix(reg, [1.0, 2.0], [0.0, 0.0])).Message);
    }
}
