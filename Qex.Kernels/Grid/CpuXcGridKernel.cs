using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Qex.Core.LinearAlgebra;

namespace Qex.Kernels.Grid;

/// <summary>
/// The CPU grid kernel: blocks of <see cref="BlockSize"/> points, screened to the shells that reach them, grouped
/// into a fixed number of contiguous chunks that run in parallel; each chunk accumulates its own matrices and the
/// chunks are summed in order (deterministic for any thread count). Dense products run through <see cref="Gemm"/>.
/// Given a memory budget, the basis values (and gradients) of the whole grid, when they fit, are kept between calls on
/// the same basis and grid (training integrates the same grids thousands of times): the values of the first call,
/// not recomputed (water/def2-SVP at 75 x 302: 49 MB, integrations 15% faster). Off by default: over the ten integrations of one SCF
/// the saving is within the noise while the peak memory of water's run grows from 85 to 141 MB. The working buffers of each
/// thread and the per-chunk sums are always kept between calls (reused when the next call has the same shape): made anew
/// for every call they cost more in garbage collection than a small molecule's whole integration (water B3LYP: 12 MB and
/// 2-3 collections per integration, 25 ms of work taking 50-70 ms).
/// </summary>
public sealed class CpuXcGridKernel : IXcGridKernel
{
    /// <summary>Points per block.</summary>
    public const int BlockSize = 256;

    private const int Chunks = 32;

    /// <summary>Per-chunk sums up to this size are kept between calls (larger ones, of big bases, are made anew each call).</summary>
    private const long KeptSumsBytes = 64L << 20;

    private readonly int _threads;
    private readonly long _cacheBytes;
    private BasisCache? _cache;

    // buffers kept between calls (training and SCF integrate thousands of times: allocating them anew each time cost
    // more in garbage collection than the integration of a small molecule itself)
    private readonly ConcurrentBag<Workspace> _workspaces = [];
    private readonly ConcurrentBag<ChunkSums[]> _partials = [];

    /// <summary>A kernel using up to <paramref name="maxThreads"/> threads (0: the processor count); results do not depend on it.</summary>
    /// <param name="maxThreads">Upper bound on threads.</param>
    /// <param name="cacheBytes">Memory for basis values kept between calls (0: none, the default).</param>
    public CpuXcGridKernel(int maxThreads = 0, long cacheBytes = 0)
    {
        if (cacheBytes < 0) throw new ArgumentOutOfRangeException(nameof(cacheBytes), cacheBytes, "The cache budget must not be negative.");
        _threads = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
        _cacheBytes = cacheBytes;
    }

    /// <summary>Bytes of basis values kept now.</summary>
    public long CachedBytes => _cache?.Bytes ?? 0;

    /// <summary>
    /// The kept basis values of one basis on one grid: every block's, when all fit in the budget (partial keeping
    /// saves little: 3% of benzene's integration for 128 MB), and, once computed, each block's function list and
    /// values (phi, then x, y, z gradients).
    /// </summary>
    private sealed class BasisCache
    {
        public BasisCache(GridBasis basis, GridPoints grid, bool gradient, long budget)
        {
            (Basis, Grid, Gradient) = (basis, grid, gradient);
            int blocks = (grid.Count + BlockSize - 1) / BlockSize;
            Kept = new bool[blocks];
            Functions = new int[blocks][];
            Values = new double[blocks][];
            var shells = new List<int>();
            var functions = new List<int>();
            long used = 0;
            for (int b = 0; b < blocks && used <= budget; b++)
            {
                int start = b * BlockSize, np = Math.Min(BlockSize, grid.Count - start);
                int m = BasisOnGrid.Select(basis, grid.X.AsSpan(start, np), grid.Y.AsSpan(start, np), grid.Z.AsSpan(start, np), shells, functions);
                used += (long)m * np * (gradient ? 4 : 1) * sizeof(double);
            }
            if (used <= budget) Array.Fill(Kept, true);
            Bytes = used <= budget ? used : 0;
        }

        public GridBasis Basis { get; }

        public GridPoints Grid { get; }

        public bool Gradient { get; }

        public bool[] Kept { get; }

        public int[][] Functions { get; }

        public double[][] Values { get; }

        public long Bytes { get; }
    }

    /// <summary>The cache for this basis and grid (made on first use; null without a budget).</summary>
    private BasisCache? CacheFor(GridBasis basis, GridPoints grid, bool gradient)
    {
        if (_cacheBytes == 0) return null;
        var c = Volatile.Read(ref _cache);
        if (c is not null && ReferenceEquals(c.Basis, basis) && ReferenceEquals(c.Grid, grid) && (c.Gradient || !gradient)) return c;
        c = new BasisCache(basis, grid, gradient, _cacheBytes);
        Volatile.Write(ref _cache, c);
        return c;
    }

    /// <inheritdoc />
    public XcGridResult Integrate(GridBasis basis, GridPoints grid, IReadOnlyList<double[]> densities, IPointFunctional functional)
    {
        ArgumentNullException.ThrowIfNull(functional);
        int spins = XcPointAlgebra.CheckDensities(basis, grid, densities);
        var cache = CacheFor(basis, grid, functional.Inputs != XcInputs.Density);
        var (energy, electrons, v) = Run(basis, grid, spins, spins, functional.Inputs, _threads, (w, b, start, np) => w.Energy(basis, grid, cache, b, densities, functional, start, np));
        return new XcGridResult(energy, electrons, v);
    }

    /// <inheritdoc />
    public double[][] Response(GridBasis basis, GridPoints grid, IReadOnlyList<double[]> densities, IReadOnlyList<double[]> trials, IPointKernel functional)
    {
        ArgumentNullException.ThrowIfNull(functional);
        int spins = XcPointAlgebra.CheckDensities(basis, grid, densities);
        XcPointAlgebra.CheckTrials(basis.FunctionCount, spins, trials);
        var cache = CacheFor(basis, grid, functional.Inputs != XcInputs.Density);
        return Run(basis, grid, spins, trials.Count, functional.Inputs, _threads, (w, b, start, np) => w.Response(basis, grid, cache, b, densities, trials, functional, start, np)).V;
    }

    private (double E, double N, double[][] V) Run(GridBasis basis, GridPoints grid, int spins, int matrices, XcInputs inputs, int threads, Action<Workspace, int, int, int> block)
    {
        int n = basis.FunctionCount;
        int blocks = (grid.Count + BlockSize - 1) / BlockSize;
        int chunks = Math.Max(1, Math.Min(Chunks, blocks));
        var partial = RentPartials(chunks, matrices, n * n);
        try
        {
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
            {
                var work = RentWorkspace(n, spins, inputs);
                try
                {
                    work.Begin(partial[c]);
                    int from = (int)((long)blocks * c / chunks), to = (int)((long)blocks * (c + 1) / chunks);
                    for (int b = from; b < to; b++) block(work, b, b * BlockSize, Math.Min(BlockSize, grid.Count - b * BlockSize));
                }
                finally
                {
                    work.End();
                    _workspaces.Add(work);
                }
            });
            double energy = 0, electrons = 0;
            var total = new double[matrices][];
            for (int s = 0; s < matrices; s++) total[s] = new double[n * n];
            for (int c = 0; c < chunks; c++)
            {
                var w = partial[c];
                energy += w.Energy;
                electrons += w.Electrons;
                for (int s = 0; s < matrices; s++) TensorPrimitives.Add(total[s], w.V[s], total[s]);
            }
            return (energy, electrons, total);
        }
        finally
        {
            if ((long)partial.Length * matrices * n * n * sizeof(double) <= KeptSumsBytes) _partials.Add(partial);
        }
    }

    /// <summary>A kept workspace of this shape, or a new one (kept workspaces of other shapes are dropped).</summary>
    private Workspace RentWorkspace(int n, int spins, XcInputs inputs)
    {
        while (_workspaces.TryTake(out var w))
            if (w.Fits(n, spins, inputs)) return w;
        return new Workspace(n, spins, inputs);
    }

    /// <summary>Kept per-chunk accumulators of this shape, zeroed, or new ones.</summary>
    private ChunkSums[] RentPartials(int chunks, int matrices, int size)
    {
        while (_partials.TryTake(out var p))
        {
            if (p.Length < chunks || p[0].V.Length != matrices || p[0].V[0].Length != size) continue;
            foreach (var c in p) c.Clear();
            return p;
        }
        var fresh = new ChunkSums[Chunks];
        for (int c = 0; c < fresh.Length; c++) fresh[c] = new ChunkSums(matrices, size);
        return fresh;
    }

    /// <summary>One chunk's sums: E, the electron count and the matrices.</summary>
    private sealed class ChunkSums(int matrices, int size)
    {
        public double Energy;

        public double Electrons;

        public double[][] V { get; } = [.. Enumerable.Range(0, matrices).Select(_ => new double[size])];

        public void Clear()
        {
            Energy = Electrons = 0;
            foreach (var v in V) Array.Clear(v);
        }
    }

    /// <summary>The buffers of one thread at work on a chunk, kept between chunks and calls; it adds into the chunk's sums.</summary>
    private sealed class Workspace
    {
        private readonly int _n, _spins;
        private readonly XcInputs _inputs;
        private readonly bool _gradient, _tau;
        private ChunkSums? _sums;
        private readonly List<int> _shells = [], _functions = [];
        private readonly double[][] _gradients;
        private readonly double[] _phi, _gx, _gy, _gz, _t, _tx, _d, _x, _m;
        private readonly double[] _rho, _grad, _tauv, _sigma, _rho1, _grad1, _tau1, _sigma1;
        private readonly double[] _e, _vRho, _vSigma, _vTau, _vRho1, _vSigma1, _vTau1, _a, _c, _tc;

        public Workspace(int n, int spins, XcInputs inputs)
        {
            (_n, _spins, _inputs) = (n, spins, inputs);
            _gradient = inputs != XcInputs.Density;
            _tau = inputs == XcInputs.KineticEnergyDensity;
            int pn = BlockSize * n, ns = spins == 1 ? 1 : 3;
            _phi = new double[pn];
            (_gx, _gy, _gz) = _gradient ? (new double[pn], new double[pn], new double[pn]) : ([], [], []);
            _t = new double[pn];
            _gradients = [_gx, _gy, _gz];
            _tx = _tau ? new double[pn] : [];
            _d = new double[n * n];
            _x = new double[pn];
            _m = new double[n * n];
            (_rho, _grad, _tauv, _sigma) = (new double[BlockSize * spins], new double[BlockSize * spins * 3], new double[BlockSize * spins], new double[BlockSize * ns]);
            (_rho1, _grad1, _tau1, _sigma1) = (new double[BlockSize * spins], new double[BlockSize * spins * 3], new double[BlockSize * spins], new double[BlockSize * ns]);
            _e = new double[BlockSize];
            (_vRho, _vSigma, _vTau) = (new double[BlockSize * spins], new double[BlockSize * ns], new double[BlockSize * spins]);
            (_vRho1, _vSigma1, _vTau1) = (new double[BlockSize * spins], new double[BlockSize * ns], new double[BlockSize * spins]);
            (_a, _c, _tc) = (new double[BlockSize], new double[3 * BlockSize], new double[BlockSize]);
        }

        private ChunkSums Sums => _sums ?? throw new InvalidOperationException("A workspace used outside a chunk.");

        public bool Fits(int n, int spins, XcInputs inputs) => n == _n && spins == _spins && inputs == _inputs;

        public void Begin(ChunkSums sums) => _sums = sums;

        public void End() => _sums = null;

        /// <summary>The block's functions and their values (and gradients) into the workspace: kept ones copied, others computed (and kept when the cache has room).</summary>
        private int Prepare(GridBasis basis, GridPoints grid, BasisCache? cache, int block, int start, int np)
        {
            bool kept = cache is not null && cache.Kept[block];
            var values = kept ? Volatile.Read(ref cache!.Values[block]) : null;
            int m;
            if (values is not null)
            {
                var functions = cache!.Functions[block];
                m = functions.Length;
                _functions.Clear();
                _functions.AddRange(functions);
                int len = m * np;
                values.AsSpan(0, len).CopyTo(_phi);
                if (_gradient)
                {
                    values.AsSpan(len, len).CopyTo(_gx);
                    values.AsSpan(2 * len, len).CopyTo(_gy);
                    values.AsSpan(3 * len, len).CopyTo(_gz);
                }
                return m;
            }
            var xs = grid.X.AsSpan(start, np);
            var ys = grid.Y.AsSpan(start, np);
            var zs = grid.Z.AsSpan(start, np);
            m = BasisOnGrid.Select(basis, xs, ys, zs, _shells, _functions);
            if (m > 0) BasisOnGrid.Evaluate(basis, _shells, xs, ys, zs, _phi, _gradient ? _gx : default, _gy, _gz, np);
            // a cache with gradients is filled only by workspaces that compute them
            if (kept && (_gradient || !cache!.Gradient))
            {
                int len = m * np, parts = cache!.Gradient ? 4 : 1;
                var store = new double[parts * len];
                _phi.AsSpan(0, len).CopyTo(store);
                if (cache.Gradient)
                {
                    _gx.AsSpan(0, len).CopyTo(store.AsSpan(len));
                    _gy.AsSpan(0, len).CopyTo(store.AsSpan(2 * len));
                    _gz.AsSpan(0, len).CopyTo(store.AsSpan(3 * len));
                }
                cache.Functions[block] = [.. _functions];
                Volatile.Write(ref cache.Values[block], store);
            }
            return m;
        }

        public void Energy(GridBasis basis, GridPoints grid, BasisCache? cache, int block, IReadOnlyList<double[]> densities, IPointFunctional functional, int start, int np)
        {
            int m = Prepare(basis, grid, cache, block, start, np);
            if (m == 0) return;
            var w = grid.W.AsSpan(start, np);
            for (int s = 0; s < _spins; s++) Features(densities[s], s, m, np, _rho, _grad, _tauv);
            Sigma(np, _grad, _grad, _sigma, false);
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
            Sums.Energy += energy;
            Sums.Electrons += electrons;
            for (int s = 0; s < _spins; s++)
            {
                Coefficients(np, s, _vRho, _vSigma, _vTau, _grad, addFirstOrder: false);
                Assemble(Sums.V[s], m, np, w);
            }
        }

        public void Response(GridBasis basis, GridPoints grid, BasisCache? cache, int block, IReadOnlyList<double[]> densities, IReadOnlyList<double[]> trials, IPointKernel functional, int start, int np)
        {
            int m = Prepare(basis, grid, cache, block, start, np);
            if (m == 0) return;
            var w = grid.W.AsSpan(start, np);
            for (int s = 0; s < _spins; s++) Features(densities[s], s, m, np, _rho, _grad, _tauv);
            Sigma(np, _grad, _grad, _sigma, false);
            int ns = _spins == 1 ? 1 : 3;
            for (int t = 0; t < trials.Count / _spins; t++)
            {
                for (int s = 0; s < _spins; s++) Features(trials[t * _spins + s], s, m, np, _rho1, _grad1, _tau1);
                Sigma(np, _grad, _grad1, _sigma1, true);
                _vRho.AsSpan(0, np * _spins).Clear();
                _vTau.AsSpan(0, np * _spins).Clear();
                _vRho1.AsSpan(0, np * _spins).Clear();
                _vTau1.AsSpan(0, np * _spins).Clear();
                _vSigma.AsSpan(0, np * ns).Clear();
                _vSigma1.AsSpan(0, np * ns).Clear();
                functional.EvaluateResponse(new XcResponseBlock(np, _spins, _rho.AsSpan(0, np * _spins), _gradient ? _sigma.AsSpan(0, np * ns) : default,
                    _tau ? _tauv.AsSpan(0, np * _spins) : default, _rho1.AsSpan(0, np * _spins), _gradient ? _sigma1.AsSpan(0, np * ns) : default,
                    _tau ? _tau1.AsSpan(0, np * _spins) : default, _vRho.AsSpan(0, np * _spins), _gradient ? _vSigma.AsSpan(0, np * ns) : default,
                    _tau ? _vTau.AsSpan(0, np * _spins) : default, _vRho1.AsSpan(0, np * _spins), _gradient ? _vSigma1.AsSpan(0, np * ns) : default,
                    _tau ? _vTau1.AsSpan(0, np * _spins) : default));
                for (int s = 0; s < _spins; s++)
                {
                    // V1 = the potential's assembly with the changed derivatives, plus v_sigma times the changed gradients
                    Coefficients(np, s, _vRho1, _vSigma1, _vTau1, _grad, addFirstOrder: false);
                    if (_gradient) Coefficients(np, s, _vRho, _vSigma, _vTau, _grad1, addFirstOrder: true);
                    Assemble(Sums.V[t * _spins + s], m, np, w);
                }
            }
        }

        /// <summary>rho, grad rho (x, y, z) and tau of channel <paramref name="s"/> of a (symmetric) density matrix on the block.</summary>
        [System.Runtime.CompilerServices.SkipLocalsInit]   // every stack buffer is written before it is read
        private void Features(double[] density, int s, int m, int np, double[] rho, double[] grad, double[] tau)
        {
            for (int a = 0; a < m; a++)
            {
                int ra = _functions[a] * _n;
                for (int b = 0; b < m; b++) _d[a * m + b] = density[ra + _functions[b]];
            }
            // function-major: T = D_sub phi (m x np); rho_p = sum_u phi_up T_up; grad rho = 2 sum_u grad phi_up T_up
            Gemm.Multiply(false, false, m, np, m, 1, _d, m, _phi, np, 0, _t, np, 1);
            Span<double> acc = stackalloc double[BlockSize];
            Span<double> r = acc[..np];
            Sum(_phi, _t, m, np, r);
            for (int p = 0; p < np; p++) rho[p * _spins + s] = r[p];
            if (_gradient)
                for (int k = 0; k < 3; k++)
                {
                    Sum(k == 0 ? _gx : k == 1 ? _gy : _gz, _t, m, np, r);
                    for (int p = 0; p < np; p++) grad[3 * (p * _spins + s) + k] = 2 * r[p];
                }
            if (_tau)
            {
                // tau = 1/2 sum_k sum_u grad_k phi_u (D grad_k phi)_u
                Span<double> t = stackalloc double[BlockSize];
                t = t[..np];
                t.Clear();
                foreach (var g in _gradients)
                {
                    Gemm.Multiply(false, false, m, np, m, 1, _d, m, g, np, 0, _tx, np, 1);
                    Sum(g, _tx, m, np, r);
                    TensorPrimitives.Add(t, r, t);
                }
                for (int p = 0; p < np; p++) tau[p * _spins + s] = 0.5 * t[p];
            }
        }

        /// <summary>target_p = sum_u a_up b_up over the m rows (function-major, row length np).</summary>
        private static void Sum(double[] a, double[] b, int m, int np, Span<double> target)
        {
            target.Clear();
            for (int u = 0; u < m; u++) TensorPrimitives.MultiplyAdd(a.AsSpan(u * np, np), b.AsSpan(u * np, np), target, target);
        }

        private void Sigma(int np, double[] g, double[] g1, double[] sigma, bool firstOrder)
        {
            if (_gradient) XcPointAlgebra.Sigma(_spins, np, g, g1, sigma, firstOrder);
        }

        private void Coefficients(int np, int s, double[] vr, double[] vs, double[] vt, double[] g, bool addFirstOrder) =>
            XcPointAlgebra.Coefficients(_spins, _gradient, _tau, np, s, vr, vs, vt, g, _a, _c, _tc, addFirstOrder);

        /// <summary>v += sum_p w_p (a phi phi^T + c . grad(phi phi^T) + t grad phi . grad phi^T), scattered to the block's functions.</summary>
        [System.Runtime.CompilerServices.SkipLocalsInit]   // the coefficient rows are written before they are read
        private void Assemble(double[] v, int m, int np, ReadOnlySpan<double> w)
        {
            // X_up = w_p (a_p/2 phi_up + c_p . grad phi_up); M = phi X^T (+ the t part, a quarter as the symmetrisation doubles it); v_sub = M + M^T
            Span<double> coefficients = stackalloc double[4 * BlockSize];
            var wa = coefficients[..np];
            var cx = coefficients.Slice(BlockSize, np);
            var cy = coefficients.Slice(2 * BlockSize, np);
            var cz = coefficients.Slice(3 * BlockSize, np);
            for (int p = 0; p < np; p++)
            {
                wa[p] = 0.5 * w[p] * _a[p];
                if (_gradient) (cx[p], cy[p], cz[p]) = (w[p] * _c[3 * p], w[p] * _c[3 * p + 1], w[p] * _c[3 * p + 2]);
            }
            for (int u = 0; u < m; u++)
            {
                var x = _x.AsSpan(u * np, np);
                TensorPrimitives.Multiply(_phi.AsSpan(u * np, np), wa, x);
                if (_gradient)
                {
                    TensorPrimitives.MultiplyAdd(_gx.AsSpan(u * np, np), cx, x, x);
                    TensorPrimitives.MultiplyAdd(_gy.AsSpan(u * np, np), cy, x, x);
                    TensorPrimitives.MultiplyAdd(_gz.AsSpan(u * np, np), cz, x, x);
                }
            }
            Gemm.Multiply(false, true, m, m, np, 1, _phi, np, _x, np, 0, _m, m, 1);
            if (_tau)
            {
                for (int p = 0; p < np; p++) wa[p] = 0.25 * w[p] * _tc[p];
                foreach (var g in _gradients)
                {
                    for (int u = 0; u < m; u++) TensorPrimitives.Multiply(g.AsSpan(u * np, np), wa, _x.AsSpan(u * np, np));
                    Gemm.Multiply(false, true, m, m, np, 1, g, np, _x, np, 1, _m, m, 1);
                }
            }
            for (int a = 0; a < m; a++)
            {
                int ra = _functions[a] * _n;
                for (int b = 0; b < m; b++) v[ra + _functions[b]] += _m[a * m + b] + _m[b * m + a];
            }
        }
    }
}
