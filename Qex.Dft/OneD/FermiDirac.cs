using Qex.Autodiff;
using Qex.Core.Tensors;

namespace Qex.Dft.OneD;

/// <summary>
/// Fermi–Dirac occupations of spin-restricted orbitals, <c>f_i = 2 / (1 + exp((eps_i - mu)/theta))</c>, with mu
/// fixed by <c>sum f_i = N</c>, and the entropy term <c>-theta S</c>,
/// <c>S = -2 sum [p ln p + (1-p) ln(1-p)]</c>, <c>p = f/2</c>.
/// </summary>
public static class FermiDirac
{
    /// <summary>f for one level.</summary>
    public static double Occupation(double eps, double mu, double theta) => 2 * Core.Tensors.TensorMath.Sigmoid(-(eps - mu) / theta);

    /// <summary>mu such that sum f = N (bisection to machine precision).</summary>
    /// <exception cref="ArgumentException">Too few levels to hold N electrons.</exception>
    public static double ChemicalPotential(double[] eps, int electrons, double theta)
    {
        if (2 * eps.Length < electrons) throw new ArgumentException($"{eps.Length} orbitals cannot hold {electrons} electrons.");
        double lo = eps.Min() - 50 * theta - 1, hi = eps.Max() + 50 * theta + 1;
        for (int it = 0; it < 200; it++)
        {
            double mid = 0.5 * (lo + hi);
            double count = eps.Sum(e => Occupation(e, mid, theta));
            if (count < electrons) lo = mid; else hi = mid;
            if (hi - lo <= 1e-15 * Math.Max(1, Math.Abs(mid))) break;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>
    /// mu as a differentiable function of the levels (implicit function theorem:
    /// <c>d mu / d eps_i = f'_i / sum_j f'_j</c>), differentiable to any order.
    /// </summary>
    public static Var ChemicalPotentialOp(Var eps, int electrons, double theta)
    {
        double mu = ChemicalPotential(eps.Value.ToArray(), electrons, theta);
        return Op.Custom(Tensor.Scalar(mu), "fermi_level", [eps], (g, s) =>
        {
            var e = s.Input(0);
            var m = s.Output;
            var sig = Op.Sigmoid((e - m) * (1.0 / theta));
            var fprime = sig * (1.0 - sig); // proportional to -df/deps; the constant cancels in the ratio
            return [g * fprime / Op.Sum(fprime)];
        });
    }

    /// <summary>-theta S for occupations f (0 &lt;= f &lt;= 2), with 0 ln 0 = 0.</summary>
    public static Var EntropyTerm(Var f, double theta)
    {
        var p = f * 0.5;
        var inside = TensorMath.Map(p.Value, v => v > 0 && v < 1 ? 1 : 0);
        var ps = Op.Where(inside, p, Var.Constant(0.5));
        var term = Op.Where(inside, ps * Op.Log(ps) + (1.0 - ps) * Op.Log(1.0 - ps), Var.Constant(0.0));
        return Op.Sum(term) * (2 * theta); // -theta S = theta * 2 sum [p ln p + (1-p) ln(1-p)]
    }
}
