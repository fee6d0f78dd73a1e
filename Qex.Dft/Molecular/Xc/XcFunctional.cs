using System.Globalization;
using Qex.Autodiff.Forward;

namespace Qex.Dft.Molecular.Xc;

/// <summary>
/// A molecular exchange-correlation functional: a weighted sum of semilocal components plus a fraction of exact
/// (Hartree–Fock) exchange. Built by name (<c>svwn</c>, <c>pbe</c>, <c>blyp</c>, <c>b3lyp</c>, <c>b3lyp5</c>,
/// <c>pbe0</c>) or from a spec such as <c>0.75*pbe_x + 0.25*hf_x + pbe_c</c>.
/// </summary>
public sealed class XcFunctional
{
    private static readonly Dictionary<string, Func<IXcComponent>> Components = new(StringComparer.Ordinal)
    {
        ["slater"] = () => new SlaterExchange(),
        ["vwn5"] = () => VwnCorrelation.Vwn5,
        ["vwn_rpa"] = () => VwnCorrelation.VwnRpa,
        ["pw92"] = () => Pw92Correlation.Original,
        ["pw92_mod"] = () => Pw92Correlation.Modified,
        ["b88"] = () => new Becke88Exchange(),
        ["lyp"] = () => new LypCorrelation(),
        ["pbe_x"] = () => new PbeExchange(),
        ["pbe_c"] = () => new PbeCorrelation(),
        ["tpss_x"] = () => new TpssExchange(),
        ["tpss_c"] = () => new TpssCorrelation(),
    };

    /// <summary>The named functionals and their definitions (as Psi4 1.3, libxc and NWChem define them).</summary>
    public static IReadOnlyDictionary<string, string> Named { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["svwn"] = "slater + vwn_rpa",
        ["lda"] = "slater + pw92_mod",
        ["pbe"] = "pbe_x + pbe_c",
        ["blyp"] = "b88 + lyp",
        ["b3lyp"] = "0.08*slater + 0.72*b88 + 0.20*hf_x + 0.19*vwn_rpa + 0.81*lyp",
        ["b3lyp5"] = "0.08*slater + 0.72*b88 + 0.20*hf_x + 0.19*vwn5 + 0.81*lyp",
        ["pbe0"] = "0.75*pbe_x + 0.25*hf_x + pbe_c",
        ["tpss"] = "tpss_x + tpss_c",
        ["hf"] = "hf_x",
    };

    /// <summary>The component names a spec may use (hf_x is exact exchange).</summary>
    public static IEnumerable<string> ComponentNames => Components.Keys.Append("hf_x");

    private readonly double[] _weights;
    private readonly IXcComponent[] _components;

    private XcFunctional(string name, IReadOnlyList<(double Weight, IXcComponent Component)> terms, double exactExchange)
    {
        Name = name;
        Terms = terms;
        _weights = [.. terms.Select(t => t.Weight)];
        _components = [.. terms.Select(t => t.Component)];
        ExactExchange = exactExchange;
        Family = terms.Count == 0 ? XcFamily.Lda : terms.Max(t => t.Component.Family);
        HasClosedShellPath = Family != XcFamily.MetaGga && _components.All(c => c is IClosedShellXc);
    }

    /// <summary>The name or spec it was built from.</summary>
    public string Name { get; }

    /// <summary>The weighted semilocal components.</summary>
    public IReadOnlyList<(double Weight, IXcComponent Component)> Terms { get; }

    /// <summary>The fraction of exact exchange.</summary>
    public double ExactExchange { get; }

    /// <summary>The most demanding family among the components (what the grid must supply).</summary>
    public XcFamily Family { get; }

    /// <summary>The semilocal energy density at a point (the exact-exchange part is not a density).</summary>
    public T EnergyDensity<T>(in XcPoint<T> p) where T : struct, IForwardNumber<T>
    {
        var e = 0 * p.RhoA;
        for (int i = 0; i < _components.Length; i++) e += _weights[i] * _components[i].EnergyDensity(p);
        return e;
    }

    /// <summary>
    /// Whether every component has a closed-shell fast path (<see cref="IClosedShellXc"/>): energies and potentials of
    /// restricted densities then come from <see cref="EvaluateClosedShell"/>.
    /// </summary>
    public bool HasClosedShellPath { get; }

    /// <summary>
    /// Adds the semilocal energy density and its derivatives by rho and sigma (the latter only for GGAs) of closed-shell
    /// points, through the components' fast paths.
    /// </summary>
    /// <exception cref="InvalidOperationException">A component without a fast path (see <see cref="HasClosedShellPath"/>).</exception>
    public void EvaluateClosedShell(in ClosedShellPoints points, Span<double> e, Span<double> vRho, Span<double> vSigma)
    {
        if (!HasClosedShellPath) throw new InvalidOperationException($"The functional '{Name}' has a component without a closed-shell fast path; evaluate it point by point.");
        int n = points.Count;
        bool gga = Family == XcFamily.Gga;
        if (e.Length < n || vRho.Length < n || (gga && (vSigma.Length < n || points.Sigma.Length != n)))
            throw new ArgumentException($"Closed-shell evaluation of '{Name}' on {n} points needs {(gga ? "sigma and " : "")}outputs of that length.");
        for (int i = 0; i < _components.Length; i++) ((IClosedShellXc)_components[i]).AddClosedShell(_weights[i], points, e, vRho, vSigma);
    }

    /// <summary>A functional of one component built elsewhere (a trained learned functional, say), without exact exchange.</summary>
    public static XcFunctional FromComponent(string name, IXcComponent component)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(component);
        return new XcFunctional(name, [(1.0, component)], 0);
    }

    /// <summary>A functional by name or spec (sum of [weight*]component, weights optional).</summary>
    /// <exception cref="ArgumentException">An unknown name or component, or a malformed spec; the message lists the choices.</exception>
    public static XcFunctional Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string text = spec.Trim().ToLowerInvariant();
        if (text.Length == 0) throw new ArgumentException("An empty XC functional spec; " + Choices());
        string expanded = Named.TryGetValue(text, out var def) ? def : text;
        var terms = new List<(double, IXcComponent)>();
        double exact = 0;
        foreach (var (sign, term) in Terms_(expanded, spec))
        {
            double weight = sign;
            string name = term;
            int star = term.IndexOf('*', StringComparison.Ordinal);
            if (star >= 0)
            {
                string w = term[..star].Trim();
                name = term[(star + 1)..].Trim();
                if (!double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
                    throw new ArgumentException($"XC spec '{spec}': '{w}' is not a number (terms are [weight*]component); " + Choices());
                weight *= value;
            }
            if (name.Length == 0) throw new ArgumentException($"XC spec '{spec}': the term '{term}' has a weight but no component; " + Choices());
            if (name == "hf_x") exact += weight;
            else if (Components.TryGetValue(name, out var make)) terms.Add((weight, make()));
            else throw new ArgumentException($"XC spec '{spec}': unknown {(Named.ContainsKey(name) ? "use of a named functional inside a spec" : "component")} '{name}'; " + Choices());
        }
        if (terms.Count == 0 && exact == 0) throw new ArgumentException($"XC spec '{spec}' has no terms; " + Choices());
        return new XcFunctional(text, terms, exact);
    }

    /// <summary>The signed terms of a sum: '+' and '-' separate terms except inside a number's exponent (1e-3).</summary>
    private static List<(double Sign, string Term)> Terms_(string text, string spec)
    {
        var terms = new List<(double, string)>();
        double sign = 1;
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            bool end = i == text.Length;
            char ch = end ? '+' : text[i];
            if (ch is not ('+' or '-')) continue;
            bool exponent = i >= 2 && text[i - 1] is 'e' && (char.IsDigit(text[i - 2]) || text[i - 2] == '.');
            if (exponent) continue;
            string term = text[start..i].Trim();
            if (term.Length == 0)
            {
                // a leading sign is allowed; an empty term elsewhere is not
                if (!(terms.Count == 0 && i < text.Length && text[..i].Trim().Length == 0 && sign == 1))
                    throw new ArgumentException($"XC spec '{spec}': an empty term; " + Choices());
            }
            else terms.Add((sign, term));
            sign = ch == '-' ? -1 : 1;
            start = i + 1;
        }
        return terms;
    }

    private static string Choices() =>
        $"named functionals: {string.Join(", ", Named.Keys)}; components for a spec such as '0.75*pbe_x + 0.25*hf_x + pbe_c': {string.Join(", ", ComponentNames)}.";
}
