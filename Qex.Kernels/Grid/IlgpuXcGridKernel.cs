using ILGPU;
using ILGPU.Runtime;
using Qex.Kernels.Devices;

namespace Qex.Kernels.Grid;

/// <summary>
/// The XC grid integration on an accelerator (CUDA, OpenCL, ILGPU's CPU accelerator): basis values and gradients of
/// every shell at batches of points, the density features as products T = D phi and row-wise dot products, and V_xc as
/// the products phi X^T accumulated over the batches, all on the device; the functional itself runs on the host on the
/// downloaded features (a few numbers per point) in blocks, in parallel. The basis values of the whole grid stay on the
/// device between calls when they fit in a fifth of its memory (an SCF integrates the same grid every iteration). Every
/// sum runs in a fixed order (no atomics), so the same device gives the same numbers every time, and they agree with
/// <see cref="CpuXcGridKernel"/> to rounding.
/// </summary>
public sealed class IlgpuXcGridKernel : IXcGridKernel, IDisposable
{
    /// <summary>Points per host block of the functional's evaluation.</summary>
    private const int HostBlock = 256;

    private readonly ComputeDevice _device;
    private readonly long _batchBytes, _cacheBytes;
    private GridState? _state;
    private HostWork? _work;

    /// <summary>The host arrays of one integration's shape, kept between calls (an SCF integrates the same shape every iteration).</summary>
    private sealed record HostWork(int Batch, int Spins, bool Gradient, bool Tau, int Trials, int Channels, HostPoints Points, double[] Features, double[] Coefficients);

    /// <summary>An integration on <paramref name="device"/>.</summary>
    /// <param name="device">The open accelerator (the caller keeps ownership).</param>
    /// <param name="batchBytes">Device memory for one batch's basis values and work arrays (0: a tenth of the usable memory, at most 1 GiB).</param>
    /// <param name="cacheBytes">Device memory for basis values kept between calls (-1: a fifth of the usable memory, at most 4 GiB; 0: none).</param>
    public IlgpuXcGridKernel(ComputeDevice device, long batchBytes = 0, long cacheBytes = -1)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        if (batchBytes < 0) throw new ArgumentOutOfRangeException(nameof(batchBytes), batchBytes, "The batch budget must not be negative.");
        if (cacheBytes < -1) throw new ArgumentOutOfRangeException(nameof(cacheBytes), cacheBytes, "The cache budget must be -1 (automatic), 0 (none) or positive.");
        double usable = ComputeDevice.UsableMemoryShare * device.MemoryBytes;
        _batchBytes = batchBytes > 0 ? batchBytes : (long)Math.Min(usable / 10, 1L << 30);
        _cacheBytes = cacheBytes >= 0 ? cacheBytes : (long)Math.Min(usable / 5, 4L << 30);
    }

    /// <summary>The device this kernel runs on.</summary>
    public ComputeDevice Device => _device;

    /// <summary>Frees the device copies of the basis, grid and kept basis values (the device itself stays open).</summary>
    public void Dispose()
    {
        if (_state is null) return;
        _device.Run(_ =>
        {
            _state?.Dispose();
            _state = null;
            return 0;
        });
    }

    /// <inheritdoc />
    public XcGridResult Integrate(GridBasis basis, GridPoints grid, IReadOnlyList<double[]> densities, IPointFunctional functional)
    {
        ArgumentNullException.ThrowIfNull(functional);
        int spins = Check(basis, grid, densities);
        return _device.Run(acc => Execute(acc, basis, grid, densities, [], spins, functional, null));
    }

    /// <inheritdoc />
    public double[][] Response(GridBasis basis, GridPoints grid, IReadOnlyList<double[]> densities, IReadOnlyList<double[]> trials, IPointKernel functional)
    {
        ArgumentNullException.ThrowIfNull(functional);
        int spins = Check(basis, grid, densities);
        XcPointAlgebra.CheckTrials(basis.FunctionCount, spins, trials);
        return _device.Run(acc => Execute(acc, basis, grid, densities, trials, spins, functional, functional)).Matrices;
    }

    private static int Check(GridBasis basis, GridPoints grid, IReadOnlyList<double[]> densities)
    {
        int spins = XcPointAlgebra.CheckDensities(basis, grid, densities);
        if (basis.Shells.Any(s => s.AngularMomentum > 6)) throw new NotSupportedException("Grid kernels handle shells up to angular momentum 6.");
        return spins;
    }

    /// <summary>
    /// One integration: the energy (ground state) or the responses to <paramref name="trials"/> (with a kernel functional).
    /// </summary>
    private XcGridResult Execute(Accelerator acc, GridBasis basis, GridPoints grid, IReadOnlyList<double[]> densities, IReadOnlyList<double[]> trials, int spins,
        IPointFunctional functional, IPointKernel? response)
    {
        var k = _device.Kernels(a => new GridDeviceKernels(a));
        var gemm = _device.Kernels(a => new DeviceGemm(a));
        int n = basis.FunctionCount, total = grid.Count;
        bool gradient = functional.Inputs != XcInputs.Density, tau = functional.Inputs == XcInputs.KineticEnergyDensity;
        int trialSets = trials.Count / spins, outputs = response is null ? spins : trials.Count;
        int channels = response is null ? spins : spins * (1 + trialSets);   // feature sets per batch: ground (and each trial)
        int sets = gradient ? 4 : 1, featureRows = tau ? 5 : gradient ? 4 : 1, coefRows = tau ? 5 : gradient ? 4 : 1;
        // a batch: basis values (unless kept), T and X (n x batch each), the features and coefficients
        long perPoint = (long)n * 8 * (2 + sets) + 8L * (channels * featureRows + coefRows + 1);
        int batch = (int)Math.Clamp(_batchBytes / Math.Max(perPoint, 1), 256, Math.Max(total, 256));
        long matrices = 8L * n * n * (densities.Count + trials.Count + outputs);
        _device.EnsureFits(matrices + perPoint * batch, $"XC integration of {n} functions on {total} points");

        var state = StateFor(acc, basis, grid, gradient);
        using var dD = acc.Allocate1D<double>(Math.Max(1, (long)(densities.Count + trials.Count) * n * n));
        for (int s = 0; s < densities.Count; s++) dD.View.SubView((long)s * n * n, n * n).CopyFromCPU(densities[s]);
        for (int t = 0; t < trials.Count; t++) dD.View.SubView((long)(densities.Count + t) * n * n, n * n).CopyFromCPU(trials[t]);
        using var dM = acc.Allocate1D<double>((long)outputs * n * n);
        dM.MemSetToZero();
        bool kept = state.Kept;
        using var own = kept ? null : acc.Allocate1D<double>((long)sets * n * batch);
        using var dT = acc.Allocate1D<double>((long)n * batch);
        using var dX = acc.Allocate1D<double>((long)n * batch);
        using var dF = acc.Allocate1D<double>((long)channels * featureRows * batch);
        using var dC = acc.Allocate1D<double>((long)coefRows * batch);
        if (_work is not { } work || work.Batch != batch || work.Spins != spins || work.Gradient != gradient || work.Tau != tau || work.Trials != trialSets
            || work.Channels != channels)
            _work = work = new HostWork(batch, spins, gradient, tau, trialSets, channels, new HostPoints(batch, spins, gradient, tau, trialSets),
                new double[channels * featureRows * batch], new double[coefRows * batch]);
        var (features, coefficients, host) = (work.Features, work.Coefficients, work.Points);
        double energy = 0, electrons = 0;

        for (int start = 0; start < total; start += batch)
        {
            int np = Math.Min(batch, total - start);
            // kept values hold gradients when the state was made for them (whatever this call needs)
            ArrayView<double> values = kept ? state.Values!.View : own!.View;
            bool planes = kept ? state.Gradient : gradient;
            int ld = kept ? total : np, offset = kept ? start : 0;
            long plane = (long)n * ld;
            var phi = values.SubView(0, plane);
            var gxv = planes ? values.SubView(plane, plane) : phi;
            var gyv = planes ? values.SubView(2 * plane, plane) : phi;
            var gzv = planes ? values.SubView(3 * plane, plane) : phi;
            if (!kept || !state.Filled)
                k.Basis(state.Points.View, state.Shells, basis.Shells.Count, new BatchLayout(start, np, total, ld, offset), planes, phi, gxv, gyv, gzv);

            // features of each density (ground, then trials) into rows of dF: rho, gx, gy, gz, tau
            for (int ch = 0; ch < channels; ch++)
            {
                var d = dD.View.SubView((long)ch * n * n, n * n);
                int row0 = ch * featureRows;
                gemm.Multiply(d, phi, dT.View, new GemmShape(n, np, n, 0, 0, n, ld, np, 0, offset, 0, 1, 0));
                k.Dot(phi, dT.View, dF.View, new DotShape(n, np, ld, offset, np, 0, row0 * batch, 1, 0));
                if (gradient)
                {
                    k.Dot(gxv, dT.View, dF.View, new DotShape(n, np, ld, offset, np, 0, (row0 + 1) * batch, 2, 0));
                    k.Dot(gyv, dT.View, dF.View, new DotShape(n, np, ld, offset, np, 0, (row0 + 2) * batch, 2, 0));
                    k.Dot(gzv, dT.View, dF.View, new DotShape(n, np, ld, offset, np, 0, (row0 + 3) * batch, 2, 0));
                }
                if (tau)
                {
                    int axis = 0;
                    foreach (var gk in new[] { gxv, gyv, gzv })
                    {
                        gemm.Multiply(d, gk, dT.View, new GemmShape(n, np, n, 0, 0, n, ld, np, 0, offset, 0, 1, 0));
                        k.Dot(gk, dT.View, dF.View, new DotShape(n, np, ld, offset, np, 0, (row0 + 4) * batch, 0.5, axis++ == 0 ? 0 : 1));
                    }
                }
            }
            dF.View.CopyToCPU(features);
            host.Load(features, batch, np, featureRows, channels);
            var w = grid.W.AsSpan(start, np);
            if (response is null)
            {
                var (e, nel) = host.Evaluate(functional, w);
                energy += e;
                electrons += nel;
            }
            else
            {
                host.EvaluateResponseDerivatives(response, trialSets);
            }
            for (int o = 0; o < outputs; o++)
            {
                if (response is null) host.Coefficients(o, w, coefficients);
                else host.ResponseCoefficients(o / spins, o % spins, w, coefficients);
                dC.View.CopyFromCPU(coefficients);
                var m = dM.View.SubView((long)o * n * n, n * n);
                // M += phi X^T with X = w (a/2 phi + c . grad phi); the tau part: M += grad_k phi (w t/4 grad_k phi)^T
                k.Combine(dC.View, phi, gxv, gyv, gzv, dX.View, new CombineShape(n, np, ld, offset, np, 0, gradient ? 4 : 1));
                gemm.Multiply(phi, dX.View, m, new GemmShape(n, n, np, 0, 1, ld, np, n, offset, 0, 0, 1, 1));
                if (tau)
                    foreach (var gk in new[] { gxv, gyv, gzv })
                    {
                        k.Combine(dC.View, gk, gk, gk, gk, dX.View, new CombineShape(n, np, ld, offset, np, 4 * np, 1));
                        gemm.Multiply(gk, dX.View, m, new GemmShape(n, n, np, 0, 1, ld, np, n, offset, 0, 0, 1, 1));
                    }
            }
        }
        if (kept) state.Filled = true;
        var raw = dM.GetAsArray1D();
        var result = new double[outputs][];
        for (int o = 0; o < outputs; o++)
        {
            var v = result[o] = new double[n * n];
            int b0 = o * n * n;
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++) v[a * n + b] = raw[b0 + a * n + b] + raw[b0 + b * n + a];
        }
        return new XcGridResult(energy, electrons, result);
    }

    /// <summary>The device copies of a basis and grid (and the kept basis values), made on first use and kept while they stay the same.</summary>
    private GridState StateFor(Accelerator acc, GridBasis basis, GridPoints grid, bool gradient)
    {
        var s = _state;
        if (s is not null && ReferenceEquals(s.Basis, basis) && ReferenceEquals(s.Grid, grid) && (s.Gradient || !gradient)) return s;
        s?.Dispose();
        _state = null;
        s = new GridState(acc, basis, grid, gradient, _cacheBytes);
        _state = s;
        return s;
    }

    /// <summary>The device tables of one basis and grid, and optionally every point's basis values.</summary>
    private sealed class GridState : IDisposable
    {
        private readonly MemoryBuffer1D<double, Stride1D.Dense> _geometry, _exponents, _coefficients, _transform;
        private readonly MemoryBuffer1D<int, Stride1D.Dense> _info, _powers;

        public GridState(Accelerator acc, GridBasis basis, GridPoints grid, bool gradient, long cacheBytes)
        {
            (Basis, Grid, Gradient) = (basis, grid, gradient);
            var geometry = new List<double>();
            var info = new List<int>();
            var exps = new List<double>();
            var coefs = new List<double>();
            var powers = new List<int>();
            var transform = new List<double>();
            foreach (var sh in basis.Shells)
            {
                geometry.AddRange([sh.X, sh.Y, sh.Z, sh.Extent]);
                info.AddRange([exps.Count, sh.Exponents.Length, powers.Count / 3, sh.ComponentCount, transform.Count, sh.Offset, sh.FunctionCount, 0]);
                exps.AddRange(sh.Exponents);
                coefs.AddRange(sh.Coefficients);
                powers.AddRange(sh.Powers);
                transform.AddRange(sh.Transform);
            }
            static double[] OrOne(List<double> l) => l.Count == 0 ? [0] : [.. l];
            _geometry = acc.Allocate1D(OrOne(geometry));
            _info = acc.Allocate1D(info.Count == 0 ? [0] : info.ToArray());
            _exponents = acc.Allocate1D(OrOne(exps));
            _coefficients = acc.Allocate1D(OrOne(coefs));
            _powers = acc.Allocate1D(powers.Count == 0 ? [0] : powers.ToArray());
            _transform = acc.Allocate1D(OrOne(transform));
            Shells = new DeviceShells(_geometry.View, _info.View, _exponents.View, _coefficients.View, _powers.View, _transform.View);
            int total = grid.Count;
            var xyz = new double[Math.Max(1, 3 * total)];
            grid.X.CopyTo(xyz, 0);
            grid.Y.CopyTo(xyz, total);
            grid.Z.CopyTo(xyz, 2 * total);
            Points = acc.Allocate1D(xyz);
            long valueBytes = (long)(gradient ? 4 : 1) * basis.FunctionCount * total * sizeof(double);
            if (total > 0 && valueBytes <= cacheBytes) Values = acc.Allocate1D<double>(valueBytes / sizeof(double));
        }

        public GridBasis Basis { get; }

        public GridPoints Grid { get; }

        public bool Gradient { get; }

        public DeviceShells Shells { get; }

        public MemoryBuffer1D<double, Stride1D.Dense> Points { get; }

        public MemoryBuffer1D<double, Stride1D.Dense>? Values { get; }

        public bool Kept => Values is not null;

        public bool Filled { get; set; }

        public void Dispose()
        {
            _geometry.Dispose();
            _info.Dispose();
            _exponents.Dispose();
            _coefficients.Dispose();
            _powers.Dispose();
            _transform.Dispose();
            Points.Dispose();
            Values?.Dispose();
        }
    }

    /// <summary>
    /// The host side of a batch: the downloaded features in libxc's layouts, the functional evaluated on blocks of points in
    /// parallel (sums taken in block order), and the coefficient rows of each output matrix, stride the batch's point count.
    /// </summary>
    private sealed class HostPoints
    {
        private readonly int _spins, _ns, _sets;
        private readonly bool _gradient, _tau;
        private readonly double[][] _rho, _grad, _tauv, _sigma;   // per feature set: ground, then each trial
        private readonly double[] _e;
        private readonly double[][] _vRho, _vSigma, _vTau, _vRho1, _vSigma1, _vTau1;   // per trial (the ground energy: index 0)
        private readonly double[] _a, _c, _tc;
        private int _np;

        public HostPoints(int capacity, int spins, bool gradient, bool tau, int trials)
        {
            (_spins, _gradient, _tau) = (spins, gradient, tau);
            _ns = spins == 1 ? 1 : 3;
            _sets = 1 + trials;
            double[][] Make(int width, int count) => [.. Enumerable.Range(0, count).Select(_ => new double[capacity * width])];
            _rho = Make(spins, _sets);
            _grad = Make(3 * spins, _sets);
            _tauv = Make(spins, _sets);
            _sigma = Make(_ns, _sets);
            _e = new double[capacity];
            int outs = Math.Max(1, trials);
            (_vRho, _vSigma, _vTau) = (Make(spins, outs), Make(_ns, outs), Make(spins, outs));
            (_vRho1, _vSigma1, _vTau1) = (Make(spins, trials), Make(_ns, trials), Make(spins, trials));
            (_a, _c, _tc) = (new double[capacity], new double[3 * capacity], new double[capacity]);
        }

        /// <summary>Features of channel ch (set ch / spins, spin ch % spins) from rows of the device layout (rho, gx, gy, gz, tau; stride batch).</summary>
        public void Load(double[] f, int batch, int np, int rows, int channels)
        {
            _np = np;
            for (int ch = 0; ch < channels; ch++)
            {
                int set = ch / _spins, s = ch % _spins, r0 = ch * rows * batch;
                var rho = _rho[set];
                var grad = _grad[set];
                var tau = _tauv[set];
                for (int p = 0; p < np; p++)
                {
                    rho[p * _spins + s] = f[r0 + p];
                    if (_gradient)
                        for (int k = 0; k < 3; k++) grad[3 * (p * _spins + s) + k] = f[r0 + (1 + k) * batch + p];
                    if (_tau) tau[p * _spins + s] = f[r0 + 4 * batch + p];
                }
            }
            if (!_gradient) return;
            XcPointAlgebra.Sigma(_spins, np, _grad[0], _grad[0], _sigma[0], false);
            for (int set = 1; set < _sets; set++)
                XcPointAlgebra.Sigma(_spins, np, _grad[0], _grad[set], _sigma[set], true);
        }

        /// <summary>The functional on every block; returns sum w e and sum w rho, summed block by block in order.</summary>
        public (double Energy, double Electrons) Evaluate(IPointFunctional functional, ReadOnlySpan<double> w)
        {
            int np = _np, blocks = (np + HostBlock - 1) / HostBlock;
            var energy = new double[blocks];
            var electrons = new double[blocks];
            var weights = w.ToArray();
            Parallel.For(0, blocks, b =>
            {
                int p0 = b * HostBlock, nb = Math.Min(HostBlock, np - p0);
                _e.AsSpan(p0, nb).Clear();
                _vRho[0].AsSpan(p0 * _spins, nb * _spins).Clear();
                _vSigma[0].AsSpan(p0 * _ns, nb * _ns).Clear();
                _vTau[0].AsSpan(p0 * _spins, nb * _spins).Clear();
                functional.Evaluate(new XcBlock(nb, _spins, _rho[0].AsSpan(p0 * _spins, nb * _spins), _gradient ? _sigma[0].AsSpan(p0 * _ns, nb * _ns) : default,
                    _tau ? _tauv[0].AsSpan(p0 * _spins, nb * _spins) : default, _e.AsSpan(p0, nb), _vRho[0].AsSpan(p0 * _spins, nb * _spins),
                    _gradient ? _vSigma[0].AsSpan(p0 * _ns, nb * _ns) : default, _tau ? _vTau[0].AsSpan(p0 * _spins, nb * _spins) : default));
                double e = 0, n = 0;
                for (int p = p0; p < p0 + nb; p++)
                {
                    e += weights[p] * _e[p];
                    n += weights[p] * (_spins == 1 ? _rho[0][p] : _rho[0][2 * p] + _rho[0][2 * p + 1]);
                }
                energy[b] = e;
                electrons[b] = n;
            });
            double te = 0, tn = 0;
            for (int b = 0; b < blocks; b++)
            {
                te += energy[b];
                tn += electrons[b];
            }
            return (te, tn);
        }

        /// <summary>The first derivatives and their first-order changes along each trial, on every block.</summary>
        public void EvaluateResponseDerivatives(IPointKernel kernel, int trials)
        {
            int np = _np, blocks = (np + HostBlock - 1) / HostBlock;
            Parallel.For(0, blocks * trials, job =>
            {
                int t = job / blocks, b = job % blocks;
                int p0 = b * HostBlock, nb = Math.Min(HostBlock, np - p0);
                Span<double> Cleared(double[] a, int width)
                {
                    var span = a.AsSpan(p0 * width, nb * width);
                    span.Clear();
                    return span;
                }
                ReadOnlySpan<double> In(double[] a, int width) => a.AsSpan(p0 * width, nb * width);
                var vr = Cleared(_vRho[t], _spins);
                var vs = Cleared(_vSigma[t], _ns);
                var vt = Cleared(_vTau[t], _spins);
                var vr1 = Cleared(_vRho1[t], _spins);
                var vs1 = Cleared(_vSigma1[t], _ns);
                var vt1 = Cleared(_vTau1[t], _spins);
                kernel.EvaluateResponse(new XcResponseBlock(nb, _spins, In(_rho[0], _spins), _gradient ? In(_sigma[0], _ns) : default,
                    _tau ? In(_tauv[0], _spins) : default, In(_rho[t + 1], _spins), _gradient ? In(_sigma[t + 1], _ns) : default,
                    _tau ? In(_tauv[t + 1], _spins) : default, vr, _gradient ? vs : default, _tau ? vt : default, vr1, _gradient ? vs1 : default,
                    _tau ? vt1 : default));
            });
        }

        /// <summary>The weighted coefficient rows (w a / 2, w c_x, w c_y, w c_z, w t / 4) of spin s's ground-state matrix.</summary>
        public void Coefficients(int s, ReadOnlySpan<double> w, double[] rows)
        {
            XcPointAlgebra.Coefficients(_spins, _gradient, _tau, _np, s, _vRho[0], _vSigma[0], _vTau[0], _grad[0], _a, _c, _tc, false);
            Weigh(w, rows);
        }

        /// <summary>The coefficient rows of trial t's response of spin s: the changed derivatives with the ground gradients, plus v_sigma with the changed gradients.</summary>
        public void ResponseCoefficients(int t, int s, ReadOnlySpan<double> w, double[] rows)
        {
            XcPointAlgebra.Coefficients(_spins, _gradient, _tau, _np, s, _vRho1[t], _vSigma1[t], _vTau1[t], _grad[0], _a, _c, _tc, false);
            if (_gradient) XcPointAlgebra.Coefficients(_spins, _gradient, _tau, _np, s, _vRho[t], _vSigma[t], _vTau[t], _grad[t + 1], _a, _c, _tc, true);
            Weigh(w, rows);
        }

        private void Weigh(ReadOnlySpan<double> w, double[] rows)
        {
            int np = _np;
            for (int p = 0; p < np; p++)
            {
                rows[p] = 0.5 * w[p] * _a[p];
                if (_gradient)
                {
                    rows[np + p] = w[p] * _c[3 * p];
                    rows[2 * np + p] = w[p] * _c[3 * p + 1];
                    rows[3 * np + p] = w[p] * _c[3 * p + 2];
                }
                if (_tau) rows[4 * np + p] = 0.25 * w[p] * _tc[p];
            }
        }
    }
}
