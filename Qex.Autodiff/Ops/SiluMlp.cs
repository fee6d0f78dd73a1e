using Qex.Core.Tensors;

namespace Qex.Autodiff;

public static partial class Op
{
    /// <summary>
    /// A row-wise multilayer perceptron with SiLU hidden layers and one linear output without bias, as one operation:
    /// for each row x_r of <paramref name="x"/> (rows, k), <c>a_0 = x_r</c>, <c>a_l = silu(a_(l-1) W_l + c_l)</c>,
    /// <c>y_r = a_L . w</c>. <paramref name="layers"/> is <c>W_1, c_1, ..., W_L, c_L, w</c> with W_l of shape
    /// (in, out), c_l of shape (out) and w of shape (h_L, 1) or (h_L); the result has shape (rows).
    /// </summary>
    /// <remarks>
    /// The same function as the composition of <see cref="MatMul"/>, <see cref="Add"/> and <see cref="Silu"/>
    /// (<see cref="SiluMlpComposed"/>), but each row is evaluated in registers and the graph holds one node instead of
    /// a (rows x width) intermediate per layer and per derivative: the learned functionals evaluate it on tens of
    /// thousands of grid points in every SCF cycle, and their potential is its derivative, differentiated again in
    /// training. First and second derivatives are fused kernels (the backward of the first derivative is a
    /// Hessian-vector product by forward-over-reverse); a third derivative is taken through the composed form.
    /// Gradient sums over rows are added in a fixed block order, so results do not depend on the thread count.
    /// </remarks>
    /// <exception cref="ArgumentException">Shapes that do not chain, or an even number of layer tensors.</exception>
    public static Var SiluMlp(Var x, IReadOnlyList<Var> layers)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(layers);
        var net = MlpNet.Of(x.Value, layers.Select(l => l?.Value ?? throw new ArgumentNullException(nameof(layers))).ToArray());
        var inputs = new Var[layers.Count + 1];
        inputs[0] = x;
        for (int i = 0; i < layers.Count; i++) inputs[i + 1] = layers[i];
        var value = Tensor.Wrap(net.Forward(x.Value), net.Rows);
        return Var.Record(value, "silu_mlp", inputs, (g, s) =>
        {
            if (!s.CreateGraph)
            {
                var (gx, gp) = net.Backward(x.Value, g.Value);
                return Wrap(net, gx, gp, inputs);
            }
            var packed = SiluMlpVjp(s.Input(0), [.. Enumerable.Range(1, layers.Count).Select(s.Input)], g);
            return Unpack(net, packed, inputs);
        });
    }

    /// <summary>
    /// The reference form of <see cref="SiluMlp"/> from elementary operations (differentiable to any order): for tests
    /// and for derivatives beyond the second.
    /// </summary>
    public static Var SiluMlpComposed(Var x, IReadOnlyList<Var> layers)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(layers);
        var net = MlpNet.Of(x.Value, layers.Select(l => l.Value).ToArray());
        var a = x;
        for (int l = 0; l < net.Depth; l++) a = Silu(MatMul(a, layers[2 * l]) + layers[2 * l + 1]);
        return Reshape(MatMul(a, Reshape(layers[^1], net.Widths[^1], 1)), net.Rows);
    }

    /// <summary>
    /// The vector-Jacobian product of <see cref="SiluMlp"/> for the seed <paramref name="ybar"/> (rows), packed:
    /// (x-bar, then each layer tensor's gradient in order), as a differentiable operation whose own backward is the fused
    /// Hessian-vector product.
    /// </summary>
    private static Var SiluMlpVjp(Var x, IReadOnlyList<Var> layers, Var ybar)
    {
        var net = MlpNet.Of(x.Value, layers.Select(l => l.Value).ToArray());
        var (gx, gp) = net.Backward(x.Value, ybar.Value);
        var packed = new double[net.PackedLength];
        gx.CopyTo(packed, 0);
        gp.CopyTo(packed, gx.Length);
        var inputs = new Var[layers.Count + 2];
        inputs[0] = x;
        for (int i = 0; i < layers.Count; i++) inputs[i + 1] = layers[i];
        inputs[^1] = ybar;
        return Var.Record(Tensor.Wrap(packed, packed.Length), "silu_mlp_vjp", inputs, (g, s) =>
        {
            if (s.CreateGraph)
            {
                // third and higher derivatives: through the composed form
                var xs = s.Input(0);
                var ps = Enumerable.Range(1, layers.Count).Select(s.Input).ToArray();
                var yb = s.Input(layers.Count + 1);
                var first = Grad.Compute(Sum(SiluMlpComposed(xs, ps) * yb), [xs, .. ps], createGraph: true);
                var parts = Unpack(net, g, [.. inputs[..^1]]);
                Var? psi = null;
                for (int i = 0; i < first.Length; i++)
                {
                    var term = Sum(first[i] * parts[i]!);
                    psi = psi is null ? term : psi + term;
                }
                return Grad.Compute(psi!, [xs, .. ps, yb], createGraph: true);
            }
            var (dx, dp, dy) = net.SecondOrder(x.Value, ybar.Value, g.Value);
            var result = Wrap(net, dx, dp, inputs[..^1]);
            return [.. result, ybar.RequiresGrad ? Var.Constant(Tensor.Wrap(dy, net.Rows)) : null];
        });
    }

    private static Var?[] Wrap(MlpNet net, double[] gx, double[] gp, Var[] inputs)
    {
        var result = new Var?[inputs.Length];
        result[0] = inputs[0].RequiresGrad ? Var.Constant(Tensor.Wrap(gx, net.Rows, net.Inputs)) : null;
        for (int i = 1; i < inputs.Length; i++)
        {
            if (!inputs[i].RequiresGrad) continue;
            var shape = inputs[i].Value.ShapeArray();
            result[i] = Var.Constant(Tensor.Wrap(gp.AsSpan(net.Offsets[i - 1], net.Lengths[i - 1]).ToArray(), shape));
        }
        return result;
    }

    private static Var?[] Unpack(MlpNet net, Var packed, Var[] inputs)
    {
        var result = new Var?[inputs.Length];
        int gx = net.Rows * net.Inputs;
        result[0] = Reshape(Slice(packed, 0, 0, gx), net.Rows, net.Inputs);
        for (int i = 1; i < inputs.Length; i++)
            result[i] = Reshape(Slice(packed, 0, gx + net.Offsets[i - 1], net.Lengths[i - 1]), inputs[i].Value.ShapeArray());
        return result;
    }

    /// <summary>The weights of a row-wise SiLU MLP as plain arrays, and its fused kernels.</summary>
    private sealed class MlpNet
    {
        private const int Block = 256;
        private readonly double[][] w, c;
        private readonly double[] wOut;

        private MlpNet(int rows, int inputs, int[] widths, double[][] w, double[][] c, double[] wOut)
        {
            (Rows, Inputs, Widths, this.w, this.c, this.wOut) = (rows, inputs, widths, w, c, wOut);
            Offsets = new int[2 * widths.Length + 1];
            Lengths = new int[2 * widths.Length + 1];
            int o = 0, prev = inputs;
            for (int l = 0; l < widths.Length; l++)
            {
                (Offsets[2 * l], Lengths[2 * l]) = (o, prev * widths[l]); o += prev * widths[l];
                (Offsets[2 * l + 1], Lengths[2 * l + 1]) = (o, widths[l]); o += widths[l];
                prev = widths[l];
            }
            (Offsets[^1], Lengths[^1]) = (o, prev);
            ParameterLength = o + prev;
        }

        public int Rows { get; }

        public int Inputs { get; }

        public int[] Widths { get; }

        public int Depth => Widths.Length;

        public int[] Offsets { get; }

        public int[] Lengths { get; }

        public int ParameterLength { get; }

        public int PackedLength => Rows * Inputs + ParameterLength;

        public static MlpNet Of(Tensor x, Tensor[] layers)
        {
            if (x.Rank != 2) throw new ArgumentException($"SiluMlp: the input must have shape (rows, features); got {ShapeUtil.Format(x.Shape)}.");
            if (layers.Length < 3 || layers.Length % 2 == 0)
                throw new ArgumentException($"SiluMlp takes W_1, c_1, ..., W_L, c_L, w (an odd number of at least 3 tensors); got {layers.Length}.");
            int depth = layers.Length / 2, prev = x.Dim(1);
            var widths = new int[depth];
            var ws = new double[depth][];
            var cs = new double[depth][];
            for (int l = 0; l < depth; l++)
            {
                var wl = layers[2 * l];
                var cl = layers[2 * l + 1];
                if (wl.Rank != 2 || wl.Dim(0) != prev)
                    throw new ArgumentException($"SiluMlp: W_{l + 1} must have shape ({prev}, width); got {ShapeUtil.Format(wl.Shape)}.");
                widths[l] = wl.Dim(1);
                if (cl.Rank != 1 || cl.Dim(0) != widths[l])
                    throw new ArgumentException($"SiluMlp: c_{l + 1} must have shape ({widths[l]}); got {ShapeUtil.Format(cl.Shape)}.");
                (ws[l], cs[l]) = (wl.ToArray(), cl.ToArray());
                prev = widths[l];
            }
            var last = layers[^1];
            if (last.Length != prev || last.Rank > 2 || (last.Rank == 2 && last.Dim(1) != 1))
                throw new ArgumentException($"SiluMlp: the output weights must have shape ({prev}, 1) or ({prev}); got {ShapeUtil.Format(last.Shape)}.");
            return new MlpNet(x.Dim(0), x.Dim(1), widths, ws, cs, last.ToArray());
        }

        private int Widest => Math.Max(Inputs, Widths.Max());

        private static double Sig(double z) => TensorMath.Sigmoid(z);

        /// <summary>z_l, the logistic of z_l and a_l of one row (a_0 = the row).</summary>
        private void Layers(ReadOnlySpan<double> row, double[][] z, double[][] sg, double[][] a)
        {
            var a0 = a[0];
            for (int i = 0; i < row.Length; i++) a0[i] = row[i];
            for (int l = 0; l < Depth; l++)
            {
                int nin = l == 0 ? Inputs : Widths[l - 1], nout = Widths[l];
                var wl = w[l];
                var zl = z[l];
                var cl = c[l];
                for (int j = 0; j < nout; j++) zl[j] = cl[j];
                var al = a[l];
                for (int i = 0; i < nin; i++)
                {
                    double ai = al[i];
                    int o = i * nout;
                    for (int j = 0; j < nout; j++) zl[j] += ai * wl[o + j];
                }
                var next = a[l + 1];
                var sl = sg[l];
                for (int j = 0; j < nout; j++)
                {
                    double sj = Sig(zl[j]);
                    sl[j] = sj;
                    next[j] = zl[j] * sj;
                }
            }
        }

        private double[][] Scratch(int extra = 0)
        {
            var s = new double[Depth + 1 + extra][];
            for (int i = 0; i < s.Length; i++) s[i] = new double[Widest];
            return s;
        }

        private int Blocks => (Rows + Block - 1) / Block;

        public double[] Forward(Tensor x)
        {
            var y = new double[Rows];
            Parallel.For(0, Blocks, b =>
            {
                var z = Scratch();
                var sg = Scratch();
                var a = Scratch();
                for (int r = b * Block; r < Math.Min(Rows, (b + 1) * Block); r++)
                {
                    Layers(x.Span.Slice(r * Inputs, Inputs), z, sg, a);
                    var top = a[Depth];
                    double v = 0;
                    for (int j = 0; j < Widths[^1]; j++) v += top[j] * wOut[j];
                    y[r] = v;
                }
            });
            return y;
        }

        /// <summary>The vector-Jacobian product for the seed ybar: (x-bar (rows x k), the parameters' gradient packed).</summary>
        public (double[] Gx, double[] Gp) Backward(Tensor x, Tensor ybar)
        {
            var gx = new double[Rows * Inputs];
            var partial = new double[Blocks][];
            Parallel.For(0, Blocks, b =>
            {
                var gp = partial[b] = new double[ParameterLength];
                var z = Scratch();
                var sg = Scratch();
                var a = Scratch();
                var abar = new double[Widest];
                var zbar = new double[Widest];
                for (int r = b * Block; r < Math.Min(Rows, (b + 1) * Block); r++)
                {
                    double yb = ybar.Span[r];
                    if (yb == 0) continue;
                    Layers(x.Span.Slice(r * Inputs, Inputs), z, sg, a);
                    int top = Widths[^1];
                    for (int j = 0; j < top; j++)
                    {
                        abar[j] = yb * wOut[j];
                        gp[Offsets[^1] + j] += yb * a[Depth][j];
                    }
                    for (int l = Depth - 1; l >= 0; l--)
                    {
                        int nin = l == 0 ? Inputs : Widths[l - 1], nout = Widths[l];
                        var zl = z[l];
                        var sl = sg[l];
                        for (int j = 0; j < nout; j++)
                        {
                            double s = sl[j];
                            zbar[j] = abar[j] * s * (1 + zl[j] * (1 - s));
                        }
                        int ow = Offsets[2 * l], oc = Offsets[2 * l + 1];
                        var ain = a[l];
                        var wl = w[l];
                        for (int i = 0; i < nin; i++)
                        {
                            double ai = ain[i], acc = 0;
                            int o = i * nout;
                            for (int j = 0; j < nout; j++)
                            {
                                gp[ow + o + j] += ai * zbar[j];
                                acc += wl[o + j] * zbar[j];
                            }
                            abar[i] = acc;
                        }
                        for (int j = 0; j < nout; j++) gp[oc + j] += zbar[j];
                    }
                    for (int i = 0; i < Inputs; i++) gx[r * Inputs + i] = abar[i];
                }
            });
            return (gx, Sum(partial));
        }

        /// <summary>
        /// The backward of the vector-Jacobian product: for upstream u (rows x k, for x-bar) and v (packed, for the
        /// parameters' gradient), the gradients of D = sum_r ybar_r (dy_r/dx_r u_r + dy_r/dtheta v) by x, by the
        /// parameters and by ybar (the tangent of y), by a forward pass with tangents and a reverse pass through both.
        /// </summary>
        public (double[] Dx, double[] Dp, double[] Dy) SecondOrder(Tensor x, Tensor ybar, Tensor upstream)
        {
            var dx = new double[Rows * Inputs];
            var dy = new double[Rows];
            var partial = new double[Blocks][];
            int ux = Rows * Inputs;
            Parallel.For(0, Blocks, b =>
            {
                var uu = upstream.Span[..ux];
                var vv = upstream.Span[ux..];
                var gp = partial[b] = new double[ParameterLength];
                var z = Scratch();
                var sg = Scratch();
                var a = Scratch();
                var zt = Scratch();    // tangents of z_l
                var at = Scratch();    // tangents of a_l
                var abar = new double[Widest];
                var atbar = new double[Widest];
                var zbar = new double[Widest];
                var ztbar = new double[Widest];
                for (int r = b * Block; r < Math.Min(Rows, (b + 1) * Block); r++)
                {
                    Layers(x.Span.Slice(r * Inputs, Inputs), z, sg, a);
                    for (int i = 0; i < Inputs; i++) at[0][i] = uu[r * Inputs + i];
                    for (int l = 0; l < Depth; l++)
                    {
                        int nin = l == 0 ? Inputs : Widths[l - 1], nout = Widths[l];
                        var wl = w[l];
                        int ow = Offsets[2 * l], oc = Offsets[2 * l + 1];
                        var ztl = zt[l];
                        for (int j = 0; j < nout; j++) ztl[j] = vv[oc + j];
                        for (int i = 0; i < nin; i++)
                        {
                            double ati = at[l][i], ai = a[l][i];
                            int o = i * nout;
                            for (int j = 0; j < nout; j++) ztl[j] += ati * wl[o + j] + ai * vv[ow + o + j];
                        }
                        for (int j = 0; j < nout; j++)
                        {
                            double zj = z[l][j], s = sg[l][j];
                            at[l + 1][j] = s * (1 + zj * (1 - s)) * ztl[j];
                        }
                    }
                    int top = Widths[^1], oo = Offsets[^1];
                    double yt = 0;
                    for (int j = 0; j < top; j++) yt += at[Depth][j] * wOut[j] + a[Depth][j] * vv[oo + j];
                    dy[r] = yt;
                    double yb = ybar.Span[r];
                    if (yb == 0) continue;
                    for (int j = 0; j < top; j++)
                    {
                        atbar[j] = yb * wOut[j];
                        abar[j] = yb * vv[oo + j];
                        gp[oo + j] += yb * at[Depth][j];
                    }
                    for (int l = Depth - 1; l >= 0; l--)
                    {
                        int nin = l == 0 ? Inputs : Widths[l - 1], nout = Widths[l];
                        for (int j = 0; j < nout; j++)
                        {
                            double zj = z[l][j], s = sg[l][j];
                            double d1 = s * (1 + zj * (1 - s));
                            double d2 = s * (1 - s) * (2 + zj * (1 - 2 * s));
                            ztbar[j] = atbar[j] * d1;
                            zbar[j] = atbar[j] * d2 * zt[l][j] + abar[j] * d1;
                        }
                        int ow = Offsets[2 * l], oc = Offsets[2 * l + 1];
                        var wl = w[l];
                        for (int i = 0; i < nin; i++)
                        {
                            double ati = at[l][i], ai = a[l][i], accT = 0, acc = 0;
                            int o = i * nout;
                            for (int j = 0; j < nout; j++)
                            {
                                gp[ow + o + j] += ati * ztbar[j] + ai * zbar[j];
                                accT += wl[o + j] * ztbar[j];
                                acc += wl[o + j] * zbar[j] + vv[ow + o + j] * ztbar[j];
                            }
                            atbar[i] = accT;
                            abar[i] = acc;
                        }
                        for (int j = 0; j < nout; j++) gp[oc + j] += zbar[j];
                    }
                    for (int i = 0; i < Inputs; i++) dx[r * Inputs + i] = abar[i];
                }
            });
            return (dx, Sum(partial), dy);
        }

        private double[] Sum(double[][] partial)
        {
            var total = new double[ParameterLength];
            foreach (var p in partial)
                for (int i = 0; i < total.Length; i++) total[i] += p[i];
            return total;
        }
    }
}
