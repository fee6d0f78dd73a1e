using Qex.Kernels.Fock;

namespace Qex.Kernels.Tests;

public sealed class EriBlocksTests
{
    [Fact]
    public void BlocksKeepTheirValuesAcrossGrowingChunksClearAndCompact()
    {
        // blocks of 1 to 2,401 values (the sizes of s to g shell quartets), far more than the first chunk holds
        var rng = new Random(7);
        var set = new EriBlocks(10);
        var expected = new List<double[]>();
        void Fill(int count)
        {
            for (int b = 0; b < count; b++)
            {
                int na = 1 + rng.Next(7), nb = 1 + rng.Next(7), nc = 1 + rng.Next(7), nd = 1 + rng.Next(7);
                var values = Enumerable.Range(0, na * nb * nc * nd).Select(_ => rng.NextDouble() - 0.5).ToArray();
                set.Add(0, Math.Min(na, 10), 0, Math.Min(nb, 10), 0, Math.Min(nc, 10), 0, Math.Min(nd, 10), 0.5, values);
                expected.Add(values);
            }
        }
        void Check()
        {
            Assert.Equal(expected.Count, set.Count);
            Assert.Equal(expected.Sum(v => (long)v.Length), set.ValueCount);
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i], set.Values(i).ToArray());
                Assert.Equal(0.5 * expected[i].Max(Math.Abs), set.MaxAbs(i), 15);
            }
        }
        Fill(400);
        Check();
        Assert.True(set.ValueCount > 16 * 4096, "the test must span several chunks");
        set.Clear();
        expected.Clear();
        Assert.Equal(0, set.Count);
        Fill(150);
        Check();
        set.Compact();
        Check();
        // the store holds the values and little more: the kept chunk and the compacted last one
        Assert.True(set.Bytes < 8L * (set.ValueCount + (1 << 20)) + set.Count * 48L, $"{set.Bytes} bytes for {set.ValueCount} values");
    }
}
