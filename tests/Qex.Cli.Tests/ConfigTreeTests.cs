using Qex.Cli.Configuration;

namespace Qex.Cli.Tests;

public sealed class ConfigTreeTests
{
    [Fact]
    public void DefaultsAreTheDocumentedOnes()
    {
        var c = ConfigTree.Build(DefaultTrainingConfig.Yaml, null, []);
        Assert.Equal("ksr-global", c.GetString("model.functional"));
        Assert.Equal(15, c.GetInt("scf.iterations"));
        Assert.Equal(0.9, c.GetDouble("scf.mixing_decay"));
        Assert.Equal("lbfgs", c.GetString("optimiser.name"));
        Assert.Equal(20, c.GetInt("optimiser.history"));
        Assert.Null(c.GetString("model.init"));
        var train = c.GetMaps("data.train");
        Assert.Single(train);
        Assert.Equal("h2", train[0]["dataset"]);
    }

    [Fact]
    public void FileThenOverridesWin()
    {
        var c = ConfigTree.Build(DefaultTrainingConfig.Yaml, "optimiser:\n  max_evaluations: 50\nscf:\n  iterations: 20\n", ["optimiser.max_evaluations=7", "data.test=[{dataset: h4, split: test}]"]);
        Assert.Equal(7, c.GetInt("optimiser.max_evaluations"));
        Assert.Equal(20, c.GetInt("scf.iterations"));
        Assert.Equal(0.5, c.GetDouble("scf.mixing"));
        Assert.Equal("h4", c.GetMaps("data.test")[0]["dataset"]);
    }

    [Theory]
    [InlineData("optimiser:\n  histroy: 3\n", "'optimiser.histroy' does not exist")]
    [InlineData("nope: 1\n", "'nope' does not exist")]
    [InlineData("scf: 3\n", "must be a mapping")]
    [InlineData("- a\n- b\n", "mapping of keys")]
    [InlineData("scf: {iterations: [}\n", "Could not parse")]
    public void BadFilesAreNamedErrors(string yaml, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => ConfigTree.Build(DefaultTrainingConfig.Yaml, yaml, []));
        Assert.Contains(message, ex.Message);
    }

    [Theory]
    [InlineData("scf.iterationz=3", "'scf.iterationz' does not exist")]
    [InlineData("scf=3", "is a section")]
    [InlineData("checkpoint_every.x=1", "is a value, not a section")]
    [InlineData("noequals", "key.path=value")]
    public void BadOverridesAreNamedErrors(string set, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => ConfigTree.Build(DefaultTrainingConfig.Yaml, null, [set]));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void TypedGettersNameTheKey()
    {
        var c = ConfigTree.Build(DefaultTrainingConfig.Yaml, null, ["scf.iterations=many"]);
        Assert.Contains("scf.iterations", Assert.Throws<ArgumentException>(() => c.GetInt("scf.iterations")).Message);
    }

    [Fact]
    public void EveryDefaultKeyIsListedWithATypeAndTheTypedReaderAcceptsTheDefaults()
    {
        foreach (string line in DefaultTrainingConfig.Yaml.Split('\n'))
        {
            string t = line.Trim();
            if (t.Length == 0 || t.StartsWith('#') || t.StartsWith("- ", StringComparison.Ordinal)) continue;
            Assert.True(t.Contains('#', StringComparison.Ordinal) || t.EndsWith(':'), $"the default config line '{t}' has no type comment");
        }
        var config = TrainingConfigReader.Read(ConfigTree.Build(DefaultTrainingConfig.Yaml, null, []));
        Assert.Equal("ksr-global", config.Model.Functional);
        Assert.Equal(400, config.Optimiser.MaxEvaluations);
        Assert.Equal(15, config.Scf.Iterations);
    }
}
