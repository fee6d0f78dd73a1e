using System.Numerics;

namespace Qex.Quantum.Gates;

/// <summary>A 2x2 complex matrix [[a, b], [c, d]] in split real/imaginary form, for the gate kernels.</summary>
internal readonly record struct Mat2(double Ar, double Ai, double Br, double Bi, double Cr, double Ci, double Dr, double Di)
{
    public static Mat2 From(Complex a, Complex b, Complex c, Complex d) => new(a.Real, a.Imaginary, b.Real, b.Imaginary, c.Real, c.Imaginary, d.Real, d.Imaginary);

    public static Mat2 Identity => new(1, 0, 0, 0, 0, 0, 1, 0);

    /// <summary>The conjugate transpose.</summary>
    public Mat2 Adjoint() => new(Ar, -Ai, Cr, -Ci, Br, -Bi, Dr, -Di);

    /// <summary>Multiplies every entry by a real number.</summary>
    public Mat2 Scale(double s) => new(Ar * s, Ai * s, Br * s, Bi * s, Cr * s, Ci * s, Dr * s, Di * s);

    /// <summary>The element-wise complex conjugate.</summary>
    public Mat2 Conjugate() => new(Ar, -Ai, Br, -Bi, Cr, -Ci, Dr, -Di);

    public Complex A => new(Ar, Ai);
    public Complex B => new(Br, Bi);
    public Complex C => new(Cr, Ci);
    public Complex D => new(Dr, Di);

    /// <summary>this * other.</summary>
    public Mat2 Times(Mat2 o) => From(A * o.A + B * o.C, A * o.B + B * o.D, C * o.A + D * o.C, C * o.B + D * o.D);
}
