using Qex.Autodiff;
using Qex.Core.Tensors;

namespace Qex.Dft.Molecular.Learning;

/// <summary>
/// What a teacher (a converged closed-shell SCF, B3LYP say) gives the derivative-informed terms of one molecule: its
/// orbitals C = [C_occ, C_vir] (basis functions x orbitals), its density matrix P* = 2 C_occ C_occ^T, and orbital-Hessian
/// products H_T v for a set of unit tangent directions v (virtual x occupied), computed once (e.g. by
/// <see cref="Response.OrbitalHessian"/> with the teacher's functional).
/// </summary>
/// <param name="Coefficients">C (n x m, row-major).</param>
/// <param name="Occupied">Occupied orbitals (N/2).</param>
/// <param name="Directions">Unit tangent directions v_k ((m - o) x o, row-major).</param>
/// <param name="HessianProducts">H_T v_k, in the same layout.</param>
public sealed record TeacherDerivatives(Tensor Coefficients, int Occupied, IReadOnlyList<double[]> Directions, IReadOnlyList<double[]> HessianProducts)
{
    /// <summary>Virtual orbitals.</summary>
    public int Virtual => Coefficients.Dim(1) - Occupied;

    /// <summary>P* = 2 C_occ C_occ^T.</summary>
    public Tensor Density
    {
        get
        {
            int n = Coefficients.Dim(0), m = Coefficients.Dim(1);
            var c = Coefficients.Span;
            var p = new double[n * n];
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++)
                {
                    double s = 0;
                    for (int i = 0; i < Occupied; i++) s += c[a * m + i] * c[b * m + i];
                    p[a * n + b] = 2 * s;
                }
            return Tensor.Wrap(p, n, n);
        }
    }

    /// <summary>
    /// The teacher data of one molecule from a teacher-functional reference: its orbitals, and the products of its orbital
    /// Hessian (J, exact exchange, f_xc on the teacher's grid) with <paramref name="directions"/> random unit directions.
    /// </summary>
    /// <exception cref="ArgumentException">A correlated reference (no orbitals).</exception>
    public static TeacherDerivatives Of(Molecule molecule, Basis.BasisSet basis, MolecularReference reference, int directions, long seed)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Coefficients is not { } c || reference.Teacher is not { } f)
            throw new ArgumentException($"The {reference.Method} reference has no teacher orbitals: the derivative-informed terms need a density-functional teacher.");
        int o = molecule.ElectronCount / 2, v = c.Dim(1) - o;
        var dirs = RandomDirections(v, o, directions, unchecked((int)seed));
        var hessian = new Response.OrbitalHessian(molecule, basis, f, [c.ToArray()], MolecularReferences.TeacherGrid);
        return new TeacherDerivatives(c, o, dirs, [.. dirs.Select(d => hessian.Multiply([d])[0])]);
    }

    /// <summary>Unit directions drawn from a seed (normal entries, normalised), deterministic.</summary>
    public static double[][] RandomDirections(int virtuals, int occupied, int count, int seed)
    {
        var rng = new Qex.Core.Random.Rng(seed);
        var result = new double[count][];
        for (int k = 0; k < count; k++)
        {
            var v = new double[virtuals * occupied];
            double norm = 0;
            for (int i = 0; i < v.Length; i++) { v[i] = rng.Normal(); norm += v[i] * v[i]; }
            norm = Math.Sqrt(norm);
            for (int i = 0; i < v.Length; i++) v[i] /= norm;
            result[k] = v;
        }
        return result;
    }
}

/// <summary>
/// The derivative-informed terms of the DI-loss for a learned (student) functional at the teacher's density, as
/// differentiable functions of the student's parameters (no SCF): the orbital gradient
/// <c>g_S = 4 C_vir^T F_S[P*] C_occ</c> with F_S = H + J[P*] + V_xc,S[P*] (one student Fock build), and the orbital-Hessian
/// products <c>H_S v = 4 [F_vv v - v F_oo + C_vir^T (J[dP] + f_xc,S[dP]) C_occ]</c> with dP = 2 (C_vir v C_occ^T +
/// C_occ v^T C_vir^T) and f_xc,S[dP] the directional derivative of V_xc,S (a second derivative of E_xc; the loss's
/// parameter gradient is a third-order mixed derivative, through the nested autodiff). Terms:
/// <c>L_grad = ||g_S||^2</c>, <c>L_hess = mean_k ||H_S v_k - H_T v_k||^2</c>.
/// </summary>
public static class DerivativeInformedTerms
{
    /// <summary>The student's orbital gradient at the teacher's density ((m - o) x o).</summary>
    public static Var OrbitalGradient(MolecularProblem problem, IMolecularXcModel model, IReadOnlyList<Var> parameters, TeacherDerivatives teacher) =>
        OrbitalGradient(Prepare(problem, model, parameters, teacher));

    /// <summary>L_grad = ||g_S||^2.</summary>
    public static Var GradientLoss(MolecularProblem problem, IMolecularXcModel model, IReadOnlyList<Var> parameters, TeacherDerivatives teacher) =>
        Op.Sum(Op.Square(OrbitalGradient(problem, model, parameters, teacher)));

    /// <summary>The student's orbital-Hessian products H_S v_k for the teacher's directions (each (m - o) x o).</summary>
    public static IReadOnlyList<Var> HessianProducts(MolecularProblem problem, IMolecularXcModel model, IReadOnlyList<Var> parameters, TeacherDerivatives teacher) =>
        HessianProducts(problem, Prepare(problem, model, parameters, teacher), teacher);

    /// <summary>L_hess = mean_k ||H_S v_k - H_T v_k||^2.</summary>
    public static Var HessianLoss(MolecularProblem problem, IMolecularXcModel model, IReadOnlyList<Var> parameters, TeacherDerivatives teacher) =>
        HessianLoss(problem, Prepare(problem, model, parameters, teacher), teacher);

    /// <summary>
    /// <c>w_grad L_grad + w_hess L_hess</c> from one student Fock build (the terms with weight 0 are not formed): what
    /// training adds to a molecule's loss.
    /// </summary>
    /// <exception cref="ArgumentException">Both weights zero or negative, or bad teacher data.</exception>
    public static Var Weighted(MolecularProblem problem, IMolecularXcModel model, IReadOnlyList<Var> parameters, TeacherDerivatives teacher,
        double gradientWeight, double hessianWeight)
    {
        if (!(gradientWeight >= 0 && hessianWeight >= 0 && gradientWeight + hessianWeight > 0))
            throw new ArgumentException($"The derivative-term weights must be >= 0 and not both 0; got {gradientWeight} and {hessianWeight}.");
        var student = Prepare(problem, model, parameters, teacher);
        Var? total = null;
        if (gradientWeight > 0) total = Op.Sum(Op.Square(OrbitalGradient(student))) * gradientWeight;
        if (hessianWeight > 0)
        {
            var h = HessianLoss(problem, student, teacher) * hessianWeight;
            total = total is null ? h : total + h;
        }
        return total!;
    }

    /// <summary>The student at the teacher's orbitals: the orbital blocks, its Fock matrix, the density leaf and V_xc.</summary>
    private sealed record Student(Var Cv, Var Co, Var Fock, Var Leaf, Var Vxc);

    private static Var OrbitalGradient(Student s) => Op.MatMul(Op.MatMul(s.Cv, s.Fock, transposeA: true), s.Co) * 4.0;

    private static List<Var> HessianProducts(MolecularProblem problem, Student s, TeacherDerivatives teacher)
    {
        var (cv, co, fock, leaf, vxc) = s;
        var fvv = Op.MatMul(Op.MatMul(cv, fock, transposeA: true), cv);
        var foo = Op.MatMul(Op.MatMul(co, fock, transposeA: true), co);
        int o = teacher.Occupied, v = teacher.Virtual;
        var products = new List<Var>(teacher.Directions.Count);
        foreach (var d in teacher.Directions)
        {
            if (d.Length != v * o) throw new ArgumentException($"A tangent direction has {v} x {o} = {v * o} elements (virtual x occupied); got {d.Length}.");
            var dir = Var.Constant(Tensor.Wrap(d, v, o));
            var half = Op.MatMul(Op.MatMul(cv, dir), co, transposeB: true);                 // C_v v C_o^T
            var dp = (half + Op.Transpose(half)) * 2.0;
            // f_xc[dP] = d/dt V_xc[P* + t dP]: the Hessian of E_xc applied to dP, kept differentiable in the parameters
            var fxc = vxc.RequiresGrad ? Grad.Compute(Op.Sum(vxc * dp), [leaf], createGraph: true)[0] : Var.Constant(Tensor.Zeros(leaf.Value.ShapeArray()));
            var response = problem.Coulomb.Apply(dp) + fxc;
            var hv = (Op.MatMul(fvv, dir) - Op.MatMul(dir, foo) + Op.MatMul(Op.MatMul(cv, response, transposeA: true), co)) * 4.0;
            products.Add(hv);
        }
        return products;
    }

    private static Var HessianLoss(MolecularProblem problem, Student s, TeacherDerivatives teacher)
    {
        if (teacher.Directions.Count == 0) throw new ArgumentException("The Hessian term needs at least one tangent direction.");
        if (teacher.HessianProducts.Count != teacher.Directions.Count)
            throw new ArgumentException($"The teacher gives {teacher.HessianProducts.Count} Hessian products for {teacher.Directions.Count} directions.");
        var hs = HessianProducts(problem, s, teacher);
        Var? total = null;
        for (int k = 0; k < hs.Count; k++)
        {
            var diff = hs[k] - Var.Constant(Tensor.Wrap(teacher.HessianProducts[k], teacher.Virtual, teacher.Occupied));
            var term = Op.Sum(Op.Square(diff));
            total = total is null ? term : total + term;
        }
        return total! * (1.0 / hs.Count);
    }

    private static Student Prepare(MolecularProblem problem, IMolecularXcModel model, IReadOnlyList<Var> parameters, TeacherDerivatives teacher)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(teacher);
        int n = problem.Basis.FunctionCount;
        if (teacher.Coefficients.Rank != 2 || teacher.Coefficients.Dim(0) != n)
            throw new ArgumentException($"The teacher's orbitals must be {n} x m (the problem's basis functions x orbitals); got {ShapeUtil.Format(teacher.Coefficients.Shape)}.");
        if (teacher.Occupied != problem.Electrons / 2 || teacher.Virtual < 1)
            throw new ArgumentException($"The teacher must have {problem.Electrons / 2} occupied orbitals and at least one virtual; got {teacher.Occupied} of {teacher.Coefficients.Dim(1)}.");
        var c = teacher.Coefficients;
        int m = c.Dim(1), o = teacher.Occupied;
        var cv = Var.Constant(TensorMath.Slice(c, 1, o, m - o));
        var co = Var.Constant(TensorMath.Slice(c, 1, 0, o));
        // a leaf at P* (the Fock matrix depends on the parameters through V_xc; the leaf carries the f_xc derivative)
        var leaf = Var.Parameter(teacher.Density);
        var vxc = DifferentiableKohnSham.XcPotential(problem, model, parameters, leaf);
        var fock = Var.Constant(problem.CoreHamiltonian) + problem.Coulomb.Apply(Var.Constant(leaf.Value)) + vxc;
        return new Student(cv, co, fock, leaf, vxc);
    }
}
