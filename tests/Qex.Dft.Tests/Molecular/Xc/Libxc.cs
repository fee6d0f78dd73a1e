using System.Runtime.InteropServices;

namespace Qex.Dft.Tests.Molecular.Xc;

/// <summary>
/// libxc 5 (Debian libxc9) through P/Invoke, as a test oracle only: energies per particle and the first and second
/// derivatives of LDA and GGA functionals, unpolarised (nspin 1) or polarised (nspin 2).
/// </summary>
internal static partial class Libxc
{
    private const string Lib = "libxc.so.9";

    /// <summary>Whether libxc can be loaded here.</summary>
    public static bool Available { get; } = NativeLibrary.TryLoad(Lib, out _);

    [LibraryImport(Lib)] private static partial IntPtr xc_func_alloc();
    [LibraryImport(Lib)] private static partial int xc_func_init(IntPtr p, int id, int nspin);
    [LibraryImport(Lib)] private static partial void xc_func_end(IntPtr p);
    [LibraryImport(Lib)] private static partial void xc_func_free(IntPtr p);
    [LibraryImport(Lib)] private static partial double xc_hyb_exx_coef(IntPtr p);
    [LibraryImport(Lib)] private static partial void xc_lda_exc_vxc_fxc(IntPtr p, nuint np, double[] rho, [Out] double[] zk, [Out] double[] vrho, [Out] double[] v2rho2);
    [LibraryImport(Lib)] private static partial void xc_gga_exc_vxc_fxc(IntPtr p, nuint np, double[] rho, double[] sigma, [Out] double[] zk, [Out] double[] vrho,
        [Out] double[] vsigma, [Out] double[] v2rho2, [Out] double[] v2rhosigma, [Out] double[] v2sigma2);

    [LibraryImport(Lib)] private static partial void xc_mgga_exc_vxc(IntPtr p, nuint np, double[] rho, double[] sigma, double[] lapl, double[] tau, [Out] double[] zk,
        [Out] double[] vrho, [Out] double[] vsigma, [Out] double[] vlapl, [Out] double[] vtau);

    [LibraryImport(Lib)] private static partial void xc_mgga_exc_vxc_fxc(IntPtr p, nuint np, double[] rho, double[] sigma, double[] lapl, double[] tau, [Out] double[] zk,
        [Out] double[] vrho, [Out] double[] vsigma, [Out] double[] vlapl, [Out] double[] vtau, [Out] double[] v2rho2, [Out] double[] v2rhosigma, [Out] double[] v2rholapl,
        [Out] double[] v2rhotau, [Out] double[] v2sigma2, [Out] double[] v2sigmalapl, [Out] double[] v2sigmatau, [Out] double[] v2lapl2, [Out] double[] v2lapltau,
        [Out] double[] v2tau2);

    /// <summary>libxc's outputs at one point.</summary>
    public sealed record Output(double Zk, double[] Vrho, double[] Vsigma, double[] V2rho2, double[] V2rhosigma, double[] V2sigma2);

    private static T With<T>(int id, int nspin, Func<IntPtr, T> body)
    {
        var p = xc_func_alloc();
        if (xc_func_init(p, id, nspin) != 0) { xc_func_free(p); throw new ArgumentException($"libxc has no functional {id}."); }
        try { return body(p); }
        finally { xc_func_end(p); xc_func_free(p); }
    }

    /// <summary>
    /// Equal to 1e-10 relative to <paramref name="scale"/> (default: the value itself; for a derivative entry, the
    /// largest entry of its block: an exactly vanishing f_ab of exchange is libxc rounding noise of that size).
    /// </summary>
    public static void AssertClose(double expected, double actual, string what, double scale = 0)
    {
        scale = Math.Max(Math.Max(Math.Abs(expected), scale), 1e-300);
        Assert.True(Math.Abs(expected - actual) <= 1e-10 * scale, $"{what}: libxc {expected:R}, Qex {actual:R} (relative {Math.Abs(expected - actual) / scale:E2})");
    }

    /// <summary>The fraction of exact exchange of a hybrid.</summary>
    public static double ExactExchange(int id) => With(id, 1, xc_hyb_exx_coef);

    /// <summary>An LDA at one point: rho = [n] (nspin 1) or [rho_a, rho_b] (nspin 2).</summary>
    public static Output Lda(int id, double[] rho) => With(id, rho.Length, p =>
    {
        int ns = rho.Length;
        var zk = new double[1];
        var vrho = new double[ns];
        var v2 = new double[ns == 1 ? 1 : 3];
        xc_lda_exc_vxc_fxc(p, 1, rho, zk, vrho, v2);
        return new Output(zk[0], vrho, [], v2, [], []);
    });

    /// <summary>A GGA at one point: sigma = [s] (nspin 1) or [s_aa, s_ab, s_bb] (nspin 2).</summary>
    public static Output Gga(int id, double[] rho, double[] sigma) => With(id, rho.Length, p =>
    {
        int ns = rho.Length;
        var zk = new double[1];
        var vrho = new double[ns];
        var vsigma = new double[ns == 1 ? 1 : 3];
        var v2rho2 = new double[ns == 1 ? 1 : 3];
        var v2rhosigma = new double[ns == 1 ? 1 : 6];
        var v2sigma2 = new double[ns == 1 ? 1 : 6];
        xc_gga_exc_vxc_fxc(p, 1, rho, sigma, zk, vrho, vsigma, v2rho2, v2rhosigma, v2sigma2);
        return new Output(zk[0], vrho, vsigma, v2rho2, v2rhosigma, v2sigma2);
    });
}

internal static partial class Libxc
{
    /// <summary>A meta-GGA's energy and first derivatives at one point: tau = [t] (nspin 1) or [tau_a, tau_b] (nspin 2); vtau in <c>V2rho2</c>'s place.</summary>
    public static (double Zk, double[] Vrho, double[] Vsigma, double[] Vtau) Mgga(int id, double[] rho, double[] sigma, double[] tau) => With(id, rho.Length, p =>
    {
        int ns = rho.Length;
        var zk = new double[1];
        var vrho = new double[ns];
        var vsigma = new double[ns == 1 ? 1 : 3];
        var vlapl = new double[ns];
        var vtau = new double[ns];
        xc_mgga_exc_vxc(p, 1, rho, sigma, new double[ns], tau, zk, vrho, vsigma, vlapl, vtau);
        return (zk[0], vrho, vsigma, vtau);
    });

    /// <summary>
    /// A meta-GGA's second derivatives at one point, libxc's layouts (polarised: rho2 aa ab bb; rhosigma 2 x 3; rhotau 2 x
    /// 2; sigma2 upper triangle of 3 x 3; sigmatau 3 x 2; tau2 aa ab bb).
    /// </summary>
    public static (double[] Rho2, double[] RhoSigma, double[] RhoTau, double[] Sigma2, double[] SigmaTau, double[] Tau2) MggaKernel(int id, double[] rho, double[] sigma, double[] tau) =>
        With(id, rho.Length, p =>
        {
            bool pol = rho.Length == 2;
            double[] A(int unpolarised, int polarised) => new double[pol ? polarised : unpolarised];
            var (rho2, rhoSigma, rhoLapl, rhoTau) = (A(1, 3), A(1, 6), A(1, 4), A(1, 4));
            var (sigma2, sigmaLapl, sigmaTau, lapl2, laplTau, tau2) = (A(1, 6), A(1, 6), A(1, 6), A(1, 3), A(1, 4), A(1, 3));
            xc_mgga_exc_vxc_fxc(p, 1, rho, sigma, new double[rho.Length], tau, A(1, 1), A(1, 2), A(1, 3), A(1, 2), A(1, 2), rho2, rhoSigma, rhoLapl, rhoTau,
                sigma2, sigmaLapl, sigmaTau, lapl2, laplTau, tau2);
            return (rho2, rhoSigma, rhoTau, sigma2, sigmaTau, tau2);
        });
}

/// <summary>A fact that needs libxc (Debian libxc9); skipped with a message when it cannot be loaded.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LibxcFactAttribute : FactAttribute
{
    public LibxcFactAttribute()
    {
        if (!Libxc.Available) Skip = "libxc (libxc.so.9, Debian package libxc9) is not installed; .ci/run installs it.";
    }
}

/// <summary>A theory that needs libxc (Debian libxc9); skipped with a message when it cannot be loaded.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LibxcTheoryAttribute : TheoryAttribute
{
    public LibxcTheoryAttribute()
    {
        if (!Libxc.Available) Skip = "libxc (libxc.so.9, Debian package libxc9) is not installed; .ci/run installs it.";
    }
}
