using Qex.Core.LinearAlgebra;

namespace Qex.Kernels.Grid;

/// <summary>
/// The CPU grid kernel: blocks of <see cref="BlockSize"/> points, screened to the shells that reach them, grouped
/// into a fixed number of contiguous chunks that run in parallel; each chunk accumulates its own matrices and the
/// chunks are summed in order (deterministic for any thread count). Dense products run through <see cref="Gemm"/>.
/// </summary>
public sealed class CpuXcGridKernel : IXcGridKernel
{
    /// <summary>Points per block.</summary>
    public const int BlockSize = 128;

    private const int Chunks = 32;

    /// <inheritdoc />
    public XcGridResult Integrate(GridBasis basis, GridPoints grid, IReadOnlyList<double[]> densities, IPointFunctional functional)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(densities);
        ArgumentNullException.ThrowIfNull(functional);
        int n = basis.FunctionCount, spins = densities.Count;
        if (spins is not (1 or 2) || densities.Any(d => d is null || d.Length != n * n))
            throw new ArgumentException($"XC integration needs one (restricted) or two (alpha, beta) {n} x {n} densities.");
        int blocks = (grid.Count + BlockSize - 1) / BlockSize;
        int chunks = Math.Max(1, Math.Min(Chunks, blocks));
        var partial = new (double E, double N, double[][] V)[chunks];
        Parallel.For(0, chunks, c =>
        {
            var work = new Workspace(n, spins, functional.Inputs);
            int from = (int)((long)blocks * c / chunks), to = (int)((long)blocks * (c + 1) / chunks);
            for (int b = from; b < to; b++) work.Block(basis, grid, densities, functional, b * BlockSize, Math.Min(BlockSize, grid.Count - b * BlockSize));
            partial[c] = (work.Energy, work.Electrons, work.V);
        });
        double energy = 0, electrons = 0;
        var total = new double[spins][];
        for (int s = 0; s < spins; s++) total[s] = new double[n * n];
        foreach (var (e, count, v) in partial)
        {
            energy += e;
            electrons += count;
            for (int s = 0; s < spins; s++)
            {
                var t = total[s];
                var vs = v[s];
                for (int i = 0; i < t.Length; i++) t[i] += vs[i];
            }
        }
        return new XcGridResult(energy, electrons, total);
    }

    /// <summary>One chunk's buffers and accumulators.</summary>
    private sealed class Workspace
    {
        private readonly int _n, _spins;
        private readonly bool _gradient, _tau;
        private readonly List<int> _shells = [], _functions = [];
        private readonly double[] _phi, _gx, _gy, _gz, _t, _tx, _ty, _tz, _d, _x, _m;
        private readonly double[] _rho, _sigma, _tauv, _grad, _e, _vRho, _vSigma, _vTau;

        public Workspace(int n, int spins, XcInputs inputs)
        {
            (_n, _spins) = (n, spins);
            _gradient = inputs != XcInputs.Density;
            _tau = inputs == XcInputs.KineticEnergyDensity;
            int pn = BlockSize * n;
            _phi = new double[pn];
            (_gx, _gy, _gz) = _gradient ? (new double[pn], new double[pn], new double[pn]) : ([], [], []);
            _t = new double[pn];
            (_tx, _ty, _tz) = _tau ? (new double[pn], new double[pn], new double[pn]) : ([], [], []);
            _d = new double[n * n];
            _x = new double[pn];
            _m = new double[n * n];
            _rho = new double[BlockSize * spins];
            _grad = new double[BlockSize * spins * 3];
            _sigma = new double[BlockSize * (spins == 1 ? 1 : 3)];
            _tauv = new double[BlockSize * spins];
            _e = new double[BlockSize];
            _vRho = new double[BlockSize * spins];
            _vSigma = new double[BlockSize * (spins == 1 ? 1 : 3)];
            _vTau = new double[BlockSize * spins];
            V = new double[spins][];
            for (int s = 0; s < spins; s++) V[s] = new double[n * n];
        }

        public double Energy { get; private set; }

        public double Electrons { get; private set; }

        public double[][] V { get; }

        public void Block(GridBasis basis, GridPoints grid, IReadOnlyList<double[]> densities, IPointFunctional functional, int start, int np)
        {
            var xs = grid.X.AsSpan(start, np);
            var ys = grid.Y.AsSpan(start, np);
            var zs = grid.Z.AsSpan(start, np);
            var w = grid.W.AsSpan(start, np);
            int m = BasisOnGrid.Select(basis, xs, ys, zs, _shells, _functions);
            if (m == 0) return;
            int pm = np * m;
            BasisOnGrid.Evaluate(basis, _shells, xs, ys, zs, _phi, _gradient ? _gx : default, _gy, _gz, m);
            // features per spin: T = phi D_sub; rho = sum_u phi T; grad rho = 2 sum_u grad phi T; tau = 1/2 sum_k grad_k phi D grad_k phi
            for (int s = 0; s < _spins; s++)
            {
                Gather(densities[s], m);
                Gemm.Multiply(false, false, np, m, m, 1, _phi, m, _d, m, 0, _t, m, 1);
                if (_tau)
                {
                    Gemm.Multiply(false, false, np, m, m, 1, _gx, m, _d, m, 0, _tx, m, 1);
                    Gemm.Multiply(false, false, np, m, m, 1, _gy, m, _d, m, 0, _ty, m, 1);
                    Gemm.Multiply(false, false, np, m, m, 1, _gz, m, _d, m, 0, _tz, m, 1);
                }
                for (int p = 0; p < np; p++)
                {
                    var phi = _phi.AsSpan(p * m, m);
                    var t = _t.AsSpan(p * m, m);
                    _rho[p * _spins + s] = Dot(phi, t);
                    if (_gradient)
                    {
                        int g = 3 * (p * _spins + s);
                        _grad[g] = 2 * Dot(_gx.AsSpan(p * m, m), t);
                        _grad[g + 1] = 2 * Dot(_gy.AsSpan(p * m, m), t);
                        _grad[g + 2] = 2 * Dot(_gz.AsSpan(p * m, m), t);
                    }
                    if (_tau)
                        _tauv[p * _spins + s] = 0.5 * (Dot(_gx.AsSpan(p * m, m), _tx.AsSpan(p * m, m)) + Dot(_gy.AsSpan(p * m, m), _ty.AsSpan(p * m, m))
                            + Dot(_gz.AsSpan(p * m, m), _tz.AsSpan(p * m, m)));
                }
            }
            if (_gradient)
                for (int p = 0; p < np; p++)
                {
                    if (_spins == 1) _sigma[p] = Norm2(_grad, 3 * p, 3 * p);
                    else
                    {
                        int a = 6 * p, b = 6 * p + 3;
                        _sigma[3 * p] = Norm2(_grad, a, a);
                        _sigma[3 * p + 1] = Norm2(_grad, a, b);
                        _sigma[3 * p + 2] = Norm2(_grad, b, b);
                    }
                }
            int ns = _spins == 1 ? 1 : 3;
            _e.AsSpan(0, np).Clear();
            _vRho.AsSpan(0, np * _spins).Clear();
            _vSigma.AsSpan(0, np * ns).Clear();
            _vTau.AsSpan(0, np * _spins).Clear();
            functional.Evaluate(new XcBlock(np, _spins, _rho.AsSpan(0, np * _spins), _gradient ? _sigma.AsSpan(0, np * ns) : default,
                _tau ? _tauv.AsSpan(0, np * _spins) : default, _e.AsSpan(0, np), _vRho.AsSpan(0, np * _spins),
                _gradient ? _vSigma.AsSpan(0, np * ns) : default, _tau ? _vTau.AsSpan(0, np * _spins) : default));
            double energy = 0, electrons = 0;
            for (int p = 0; p < np; p++)
            {
                energy += w[p] * _e[p];
                electrons += w[p] * (_spins == 1 ? _rho[p] : _rho[2 * p] + _rho[2 * p + 1]);
            }
            Energy += energy;
            Electrons += electrons;
            // V_s: X_pu = w (1/2 v_rho phi_u + c . grad phi_u), M = phi^T X (+ the tau part), V_sub = M + M^T
            for (int s = 0; s < _spins; s++)
            {
                for (int p = 0; p < np; p++)
                {
                    double wp = w[p], vr = 0.5 * wp * _vRho[p * _spins + s];
                    double cx = 0, cy = 0, cz = 0;
                    if (_gradient)
                    {
                        if (_spins == 1)
                        {
                            double f = 2 * wp * _vSigma[p];
                            (cx, cy, cz) = (f * _grad[3 * p], f * _grad[3 * p + 1], f * _grad[3 * p + 2]);
                        }
                        else
                        {
                            int mine = 3 * (2 * p + s), other = 3 * (2 * p + 1 - s);
                            double vss = 2 * wp * _vSigma[3 * p + (s == 0 ? 0 : 2)], vab = wp * _vSigma[3 * p + 1];
                            cx = vss * _grad[mine] + vab * _grad[other];
                            cy = vss * _grad[mine + 1] + vab * _grad[other + 1];
                            cz = vss * _grad[mine + 2] + vab * _grad[other + 2];
                        }
                    }
                    var x = _x.AsSpan(p * m, m);
                    var phi = _phi.AsSpan(p * m, m);
                    if (_gradient)
                    {
                        var gx = _gx.AsSpan(p * m, m);
                        var gy = _gy.AsSpan(p * m, m);
                        var gz = _gz.AsSpan(p * m, m);
                        for (int u = 0; u < m; u++) x[u] = vr * phi[u] + cx * gx[u] + cy * gy[u] + cz * gz[u];
                    }
                    else
                        for (int u = 0; u < m; u++) x[u] = vr * phi[u];
                }
                Gemm.Multiply(true, false, m, m, np, 1, _phi, m, _x, m, 0, _m, m, 1);
                if (_tau)
                {
                    // 1/2 w v_tau sum_k grad_k phi^T grad_k phi, entered as a quarter because the symmetrisation doubles it
                    foreach (var g in new[] { _gx, _gy, _gz })
                    {
                        for (int p = 0; p < np; p++)
                        {
                            double f = 0.25 * w[p] * _vTau[p * _spins + s];
                            for (int u = 0; u < m; u++) _x[p * m + u] = f * g[p * m + u];
                        }
                        Gemm.Multiply(true, false, m, m, np, 1, g, m, _x, m, 1, _m, m, 1);
                    }
                }
                var v = V[s];
                for (int a = 0; a < m; a++)
                {
                    int ra = _functions[a] * _n;
                    for (int b = 0; b < m; b++) v[ra + _functions[b]] += _m[a * m + b] + _m[b * m + a];
                }
            }
        }

        private void Gather(double[] density, int m)
        {
            for (int a = 0; a < m; a++)
            {
                int ra = _functions[a] * _n;
                for (int b = 0; b < m; b++) _d[a * m + b] = density[ra + _functions[b]];
            }
        }

        private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

        private static double Norm2(double[] g, int a, int b) => g[a] * g[b] + g[a + 1] * g[b + 1] + g[a + 2] * g[b + 2];
    }
}
