using Qex.Dft.Molecular.Xc;

namespace Qex.Dft.Tests.Molecular.Xc;

/// <summary>Named functionals and the spec language, the hybrids against libxc's definitions.</summary>
public sealed class XcFunctionalTests
{
    [LibxcTheory]
    [InlineData("b3lyp", 402)]
    [InlineData("b3lyp5", 475)]
    [InlineData("pbe0", 406)]
    public void HybridsAreLibxcs(string name, int libxcId)
    {
        var xc = XcFunctional.Parse(name);
        Assert.Equal(Libxc.ExactExchange(libxcId), xc.ExactExchange, 14);
        foreach (var (a, b, saa, sab, sbb) in new[] { (0.5, 0.4, 0.3, 0.25, 0.2), (1e-3, 2e-3, 1e-5, 2e-6, 3e-5), (7.0, 0.2, 20.0, 0.5, 0.1) })
        {
            var e = xc.EnergyDensity(XcPoint.Of(XcFamily.Gga, a, b, saa, sab, sbb));
            var lx = Libxc.Gga(libxcId, [a, b], [saa, sab, sbb]);
            Assert.Equal(1, e.Value / (lx.Zk * (a + b)), 10);
            double v = lx.Vrho.Concat(lx.Vsigma).Max(Math.Abs);
            for (int i = 0; i < 2; i++) Assert.True(Math.Abs(lx.Vrho[i] - e.Gradient(i)) <= 1e-10 * v, $"{name} vrho[{i}]");
            for (int i = 0; i < 3; i++) Assert.True(Math.Abs(lx.Vsigma[i] - e.Gradient(2 + i)) <= 1e-10 * v, $"{name} vsigma[{i}]");
        }
    }

    [Fact]
    public void SpecsAddWeightedComponents()
    {
        var pbe0 = XcFunctional.Parse("pbe0");
        var spec = XcFunctional.Parse("0.75*pbe_x + 0.25*hf_x + pbe_c");
        var p = XcPoint.Of(XcFamily.Gga, 0.3, 0.2, 0.1, 0.05, 0.08);
        Assert.Equal(pbe0.EnergyDensity(p).Value, spec.EnergyDensity(p).Value, 15);
        Assert.Equal(0.25, spec.ExactExchange);
        Assert.Equal(XcFamily.Gga, spec.Family);
        var signed = XcFunctional.Parse(" -1e-1*slater + 1.1 * slater - 2.5e-2 * hf_x ");
        Assert.Equal(-0.025, signed.ExactExchange, 15);
        Assert.Equal(new SlaterExchange().EnergyDensity(p).Value, signed.EnergyDensity(p).Value, 14);
        Assert.Equal(XcFamily.Lda, XcFunctional.Parse("svwn").Family);
        Assert.Equal(1, XcFunctional.Parse("HF").ExactExchange);
    }

    [Theory]
    [InlineData("b3lpy", "unknown component 'b3lpy'")]
    [InlineData("0.5*pbe_x + ", "empty term")]
    [InlineData("pbe_x + + pbe_c", "empty term")]
    [InlineData("x*pbe_x", "'x' is not a number")]
    [InlineData("0.2*b3lyp", "named functional inside a spec")]
    [InlineData("", "empty XC functional spec")]
    public void BadSpecsNameTheProblemAndTheChoices(string spec, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => XcFunctional.Parse(spec));
        Assert.Contains(message, e.Message);
        Assert.Contains("b3lyp", e.Message);
        Assert.Contains("pbe_c", e.Message);
    }
}

/// <summary>The closed-shell duals (which skip the spin interpolation at zeta = 0) against the full second-order jets.</summary>
public sealed class ClosedShellDualTests
{
    [Theory]
    [InlineData("svwn")]
    [InlineData("lda")]
    [InlineData("pbe")]
    [InlineData("b3lyp")]
    [InlineData("b3lyp5")]
    [InlineData("tpss")]
    public void DualsEqualJets(string name)
    {
        var f = XcFunctional.Parse(name);
        foreach (var (n, s, t) in new[] { (1.0, 0.5, 0.9), (1e-3, 1e-6, 1e-3), (25.0, 300.0, 150.0), (0.05, 0.02, 0.12) })
        {
            var d = f.EnergyDensity(XcPoint.ClosedShell(n, s, t));
            var j = f.EnergyDensity(XcPoint.ClosedShellJet(f.Family, n, s, t));
            Assert.Equal(j.Value, d.Value, 13);
            int vars = f.Family switch { XcFamily.Lda => 1, XcFamily.Gga => 2, _ => 3 };
            for (int i = 0; i < vars; i++)
                Assert.True(Math.Abs(j.Gradient(i) - d.Gradient(i)) <= 1e-13 * Math.Max(1, Math.Abs(j.Gradient(i))), $"{name} d/d{i}: {d.Gradient(i)} vs {j.Gradient(i)}");
        }
    }
}
