using Qex.Cli.Configuration;
using Qex.Tests.Common;

namespace Qex.Cli.Tests;

/// <summary>Every config the repository ships reads into its typed form and passes its checks (a typo in a shipped recipe is found here, not after hours of training).</summary>
public sealed class ShippedConfigTests
{
    public static TheoryData<string> Configs()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(RepositoryPaths.Root(), "configs"), "*.yaml").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void AShippedConfigReadsAndValidates(string file)
    {
        string path = Path.Combine(RepositoryPaths.Root(), "configs", file);
        if (ConfigFiles.Kind(path, []) == "molecular")
            MolecularConfigReader.Read(ConfigFiles.BuildMolecular(path, [])).Validate();
        else
            TrainingConfigReader.Read(ConfigFiles.Build(path, [])).Validate();
    }
}
