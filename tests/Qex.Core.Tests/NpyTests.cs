using System.Text;
using Qex.Core.IO;
using Qex.Core.Tensors;
using Qex.Tests.Common;

namespace Qex.Core.Tests;

public sealed class NpyTests
{
    private static byte[] Handmade(string header, byte[] payload, byte major = 1)
    {
        // a .npy file assembled byte by byte from the format description (independent of Npy.ToBytes)
        var h = Encoding.ASCII.GetBytes(header);
        int pre = major == 1 ? 10 : 12;
        int pad = (64 - (pre + h.Length + 1) % 64) % 64;
        var full = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 };
        int len = h.Length + pad + 1;
        if (major == 1) full.AddRange(BitConverter.GetBytes((ushort)len));
        else full.AddRange(BitConverter.GetBytes((uint)len));
        full.AddRange(h);
        full.AddRange(Enumerable.Repeat((byte)' ', pad));
        full.Add((byte)'\n');
        full.AddRange(payload);
        return full.ToArray();
    }

    [Fact]
    public void ReadsHandmadeFloat64Matrix()
    {
        var payload = new double[] { 1, 2, 3, 4, 5, 6 }.SelectMany(BitConverter.GetBytes).ToArray();
        var a = Npy.Read(Handmade("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", payload));
        Assert.Equal(NpyDType.Float64, a.DType);
        Assert.Equal([2, 3], a.Shape);
        Assert.Equal(6, a.ToTensor()[1, 2]);
    }

    [Fact]
    public void ReadsVersion2HeaderAndInt32()
    {
        var payload = new[] { 7, -8, 9 }.SelectMany(BitConverter.GetBytes).ToArray();
        var a = Npy.Read(Handmade("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", payload, major: 2));
        Assert.Equal(new[] { 7, -8, 9 }, (int[])a.Data);
    }

    [Fact]
    public void ReadsUnicodeStrings()
    {
        // '<U3' array ['He', 'Li+']: each element 3 UTF-32LE code points, zero padded
        var payload = "He\0Li+".SelectMany(c => BitConverter.GetBytes((int)c)).ToArray();
        var a = Npy.Read(Handmade("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", payload));
        Assert.Equal(["He", "Li+"], a.ToStrings());
    }

    public static TheoryData<NpyArray> RoundTripArrays() => new()
    {
        new NpyArray(NpyDType.Float64, [], new[] { 3.25 }),
        new NpyArray(NpyDType.Float64, [2, 3, 2], Enumerable.Range(0, 12).Select(i => i * 0.1).ToArray()),
        new NpyArray(NpyDType.Float32, [4], new[] { 1.5f, -2f, 0f, float.MaxValue }),
        new NpyArray(NpyDType.Int32, [2, 2], new[] { 1, -2, int.MaxValue, int.MinValue }),
        new NpyArray(NpyDType.Int64, [3, 1], new[] { 1L, -2L, long.MaxValue }),
        new NpyArray(NpyDType.Float64, [0, 5], Array.Empty<double>()),
    };

    [Theory]
    [MemberData(nameof(RoundTripArrays))]
    public void WriteThenReadRoundTrips(NpyArray array)
    {
        string path = Path.Combine(Path.GetTempPath(), $"qex-npy-{Guid.NewGuid():N}.npy");
        try
        {
            Npy.Write(path, array);
            var back = Npy.Read(path);
            Assert.Equal(array.DType, back.DType);
            Assert.Equal(array.Shape, back.Shape);
            Assert.Equal(array.Data.Cast<object>(), back.Data.Cast<object>());
            var bytes = File.ReadAllBytes(path);
            int headerEnd = 10 + BitConverter.ToUInt16(bytes, 8);
            Assert.Equal(0, headerEnd % 64); // data aligned as NumPy does
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void FortranOrderIsRejected()
    {
        var ex = Assert.Throws<InvalidDataException>(() => Npy.Read(Handmade("{'descr': '<f8', 'fortran_order': True, 'shape': (1,), }", new byte[8])));
        Assert.Contains("Fortran", ex.Message);
    }

    [Fact]
    public void TruncatedDataIsRejected()
    {
        var ex = Assert.Throws<InvalidDataException>(() => Npy.Read(Handmade("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", new byte[24])));
        Assert.Contains("truncated", ex.Message);
        Assert.Throws<InvalidDataException>(() => Npy.Read(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 200, 0, 1 }));
    }

    [Theory]
    [InlineData("<c16", "unsupported dtype")]
    [InlineData(">f8", "big-endian")]
    [InlineData("|O", "unsupported dtype")]
    public void UnsupportedDtypesAreNamed(string descr, string message)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Npy.Read(Handmade($"{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,), }}", new byte[16])));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void NotANpyFileIsRejected()
    {
        var ex = Assert.Throws<InvalidDataException>(() => Npy.Read(Encoding.ASCII.GetBytes("hello, this is text")));
        Assert.Contains("magic", ex.Message);
        Assert.Throws<FileNotFoundException>(() => Npy.Read("/nonexistent/x.npy"));
    }

    /// <summary>Shapes of science-1d.md's dataset table: (set, samples, atoms).</summary>
    [SharedDataFact("jaxdft")]
    public void EveryJaxDftFileLoadsWithTheDocumentedShape()
    {
        string root = SharedData.Resolve("jaxdft")!;
        var sets = new Dictionary<string, (int Samples, int Atoms)>
        {
            ["h2"] = (72, 2), ["h4"] = (63, 4), ["h2_h2"] = (62, 4), ["h2_plus"] = (52, 2),
        };
        int files = 0;
        foreach (var (name, (s, atoms)) in sets)
        {
            string dir = Path.Combine(root, name);
            foreach (string f in Directory.GetFiles(dir, "*.npy"))
            {
                var a = Npy.Read(f);
                files++;
                int[] expected = Path.GetFileNameWithoutExtension(f) switch
                {
                    "densities" or "external_potentials" or "exact_v_s" => [s, 513],
                    "locations" or "nuclear_charges" => [s, atoms],
                    "total_energies" or "distances" or "distances_x100" => [s],
                    "grids" => [513],
                    "num_electrons" => [],
                    var other => throw new Xunit.Sdk.XunitException($"unexpected file {other} in {name}"),
                };
                Assert.True(expected.SequenceEqual(a.Shape), $"{f}: shape {ShapeUtil.Format(a.Shape)}, expected {ShapeUtil.Format(expected)}");
            }
        }
        // the checkpoints: eta (15), W1/W2 (3,16,16), W3 (1,16,1), w ()
        foreach (string ck in Directory.GetDirectories(Path.Combine(root, "ksr_checkpoints")))
        {
            Assert.Equal([15], Npy.Read(Path.Combine(ck, "eta.npy")).Shape);
            Assert.Equal([3, 16, 16], Npy.Read(Path.Combine(ck, "W1.npy")).Shape);
            Assert.Equal([3, 16, 16], Npy.Read(Path.Combine(ck, "W2.npy")).Shape);
            Assert.Equal([1, 16, 1], Npy.Read(Path.Combine(ck, "W3.npy")).Shape);
            Assert.Empty(Npy.Read(Path.Combine(ck, "w.npy")).Shape);
            files += 5;
        }
        Assert.True(files >= 47, $"only {files} files found");
        // spot values from science-1d.md
        var e = Npy.ReadTensor(Path.Combine(root, "h2", "total_energies.npy"));
        var d = Npy.Read(Path.Combine(root, "h2", "distances_x100.npy")).ToInt64();
        Assert.Equal(-2.062090, e[Array.IndexOf(d, 128L)], 6);
        Assert.Equal(-1.571123, e[Array.IndexOf(d, 384L)], 6);
        Assert.Equal(2, Npy.Read(Path.Combine(root, "h2", "num_electrons.npy")).ToInt64()[0]);
    }

    [SharedDataFact("ksr_dft")]
    public void EveryKsrDftFileLoadsIncludingUnicodeSymbols()
    {
        string root = SharedData.Resolve("ksr_dft")!;
        int n = 0;
        foreach (string f in Directory.GetFiles(root, "*.npy", SearchOption.AllDirectories))
        {
            var a = Npy.Read(f);
            n++;
            if (Path.GetFileName(f) == "latex_symbols.npy") Assert.All(a.ToStrings(), s => Assert.False(string.IsNullOrEmpty(s)));
            else Assert.True(a.ToTensor().Length == a.Length);
        }
        Assert.True(n > 50);
        var ions = Npy.Read(Path.Combine(root, "ions", "dmrg", "latex_symbols.npy")).ToStrings();
        Assert.Equal(10, ions.Length);
    }
}
