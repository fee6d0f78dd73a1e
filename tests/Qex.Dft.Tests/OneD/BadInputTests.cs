using Qex.Autodiff;
using Qex.Core.IO;
using Qex.Core.Tensors;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Reference;
using Qex.Dft.OneD.Xc;

namespace Qex.Dft.Tests.OneD;

public sealed class BadInputTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qex-bad-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private void WriteSmallSet()
    {
        var grid = Grid1D.Linspace(-3.2, 3.2, 81);
        var set = new ExactReferenceGenerator(grid, new ExponentialCoulomb()).Generate("h2", [80]);
        DatasetWriter.Write(set, _dir);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        WriteSmallSet();
        File.Delete(Path.Combine(_dir, "densities.npy"));
        var ex = Assert.Throws<FileNotFoundException>(() => DatasetReader.Load(_dir));
        Assert.Contains("densities.npy", ex.Message);
    }

    [Fact]
    public void MismatchedShapesAreNamed()
    {
        WriteSmallSet();
        Npy.Write(Path.Combine(_dir, "external_potentials.npy"), Tensor.Zeros(1, 80));
        var ex = Assert.Throws<InvalidDataException>(() => DatasetReader.Load(_dir));
        Assert.Contains("external_potentials.npy has shape (1, 80), expected (1, 81)", ex.Message);
    }

    [Fact]
    public void MissingDirectoryIsNamed()
    {
        var ex = Assert.Throws<DirectoryNotFoundException>(() => DatasetReader.Load("no_such_set", _dir));
        Assert.Contains("no_such_set", ex.Message);
    }

    [Fact]
    public void AtomsOffTheGridAreRejected()
    {
        var grid = Grid1D.Linspace(-3.2, 3.2, 81);
        var solver = new KohnShamSolver(grid, new ExponentialCoulomb());
        var ex = Assert.Throws<ArgumentException>(() => solver.Run(new Molecule1D([-0.5, 0.5], [1, 1], 2), new ExponentialLda(), []));
        Assert.Contains("not on a grid point", ex.Message);
        Assert.Throws<ArgumentException>(() => solver.Run(new Molecule1D([0.0], [1, 1], 2), new ExponentialLda(), []));
    }

    [Fact]
    public void UnknownNamesAreListed()
    {
        Assert.Contains("ksr-global", Assert.Throws<ArgumentException>(() => XcFunctionals.Create("b3lyp")).Message);
        Assert.Contains("soft-coulomb", Assert.Throws<ArgumentException>(() => Interaction.FromName("yukawa")).Message);
        Assert.Contains("No standard test split", Assert.Throws<ArgumentException>(() => StandardSplits.Test("li_h")).Message);
    }

    [Fact]
    public void PotentialOfTheWrongLengthIsRejected()
    {
        var grid = Grid1D.Linspace(-3.2, 3.2, 81);
        var ex = Assert.Throws<ArgumentException>(() => new NonInteractingSolver(grid).Solve(Var.Constant(Tensor.Zeros(80)), 2));
        Assert.Contains("81 points", ex.Message);
    }
}
