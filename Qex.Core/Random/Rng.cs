using Qex.Core.Tensors;

namespace Qex.Core.Random;

/// <summary>
/// A deterministic pseudo-random generator (xoshiro256**) seeded from an <see cref="RngKey"/>. Not thread-safe:
/// give each thread its own generator from a split key.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spare;
    private bool _hasSpare;

    /// <summary>A generator for the stream of <paramref name="key"/>.</summary>
    public Rng(RngKey key)
    {
        ulong x = key.State;
        _s0 = RngKey.Mix(x += 0x9E3779B97F4A7C15UL);
        _s1 = RngKey.Mix(x += 0x9E3779B97F4A7C15UL);
        _s2 = RngKey.Mix(x += 0x9E3779B97F4A7C15UL);
        _s3 = RngKey.Mix(x + 0x9E3779B97F4A7C15UL);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
    }

    /// <summary>A generator for a user seed.</summary>
    public Rng(long seed) : this(RngKey.FromSeed(seed)) { }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotL(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotL(_s3, 45);
        return result;
    }

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double Uniform() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [low, high).</summary>
    public double Uniform(double low, double high) => low + (high - low) * Uniform();

    /// <summary>Uniform integer in [0, n), without modulo bias.</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ulong bound = (ulong)n, threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            if (r >= threshold) return (int)(r % bound);
        }
    }

    /// <summary>Standard normal deviate (polar Box–Muller).</summary>
    public double Normal()
    {
        if (_hasSpare) { _hasSpare = false; return _spare; }
        double u, v, s;
        do
        {
            u = 2 * Uniform() - 1;
            v = 2 * Uniform() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spare = v * f;
        _hasSpare = true;
        return u * f;
    }

    /// <summary>
    /// A standard normal deviate conditioned on |x| &lt;= <paramref name="limit"/> (rejection sampling), divided by the
    /// standard deviation of that truncated distribution, so the result has unit variance.
    /// </summary>
    public double TruncatedNormal(double limit = 2)
    {
        if (!(limit > 0)) throw new ArgumentOutOfRangeException(nameof(limit), "The truncation limit must be positive.");
        double z;
        do z = Normal(); while (Math.Abs(z) > limit);
        // variance of N(0,1) truncated to [-a, a]: 1 - 2 a phi(a) / (2 Phi(a) - 1)
        double phi = Math.Exp(-0.5 * limit * limit) / Math.Sqrt(2 * Math.PI);
        double mass = MathNet.Numerics.SpecialFunctions.Erf(limit / Math.Sqrt(2));
        return z / Math.Sqrt(1 - 2 * limit * phi / mass);
    }

    /// <summary>Normal deviate with the given mean and standard deviation.</summary>
    public double Normal(double mean, double std) => mean + std * Normal();

    /// <summary>Fills <paramref name="destination"/> with normal deviates.</summary>
    public void FillNormal(Span<double> destination, double mean = 0, double std = 1)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = mean + std * Normal();
    }

    /// <summary>Fills <paramref name="destination"/> with uniform deviates in [low, high).</summary>
    public void FillUniform(Span<double> destination, double low = 0, double high = 1)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = Uniform(low, high);
    }

    /// <summary>A tensor of normal deviates.</summary>
    public Tensor NormalTensor(int[] shape, double mean = 0, double std = 1) =>
        Tensor.Create(shape, d => FillNormal(d, mean, std));

    /// <summary>
    /// He (Kaiming) normal initialisation: truncated-normal values (at 2 standard deviations) of variance
    /// 2 / <paramref name="fanIn"/>.
    /// </summary>
    public Tensor HeNormalTensor(int[] shape, int fanIn) =>
        Tensor.Create(shape, d => { double std = Math.Sqrt(2.0 / fanIn); for (int i = 0; i < d.Length; i++) d[i] = std * TruncatedNormal(); });

    /// <summary>A tensor of uniform deviates in [low, high).</summary>
    public Tensor UniformTensor(int[] shape, double low = 0, double high = 1) =>
        Tensor.Create(shape, d => FillUniform(d, low, high));

    /// <summary>A random permutation of 0..n-1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
