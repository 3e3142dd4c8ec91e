using SSM.Cli.Inputs;

namespace SSM.Cli.Tests;

/// <summary>"Did you mean" for a path that does not exist (<see cref="NearMatch"/>): the nearest entry of its folder, when
/// near enough to be a slip of the keyboard.</summary>
public sealed class NearMatchTests
{
    [Theory]
    [InlineData("plant", "plnat", 1)]      // two neighbours swapped
    [InlineData("plant", "plan", 1)]
    [InlineData("plant", "plant", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("carpet", "tile", 5)]
    [InlineData("abcd", "badc", 2)]        // two swaps
    [InlineData("kitten", "sitting", 3)]   // two changes and an insertion
    public void Distance_CountsSlipsOfTheKeyboard(string a, string b, int distance)
    {
        Assert.Equal(distance, NearMatch.Distance(a, b));
        Assert.Equal(distance, NearMatch.Distance(b, a));
    }

    [Fact]
    public void Suggestion_names_the_nearest_entry_within_a_third_of_the_name()
    {
        string root = Cli.TempFolder("near-match");
        foreach (string name in new[] { "plant", "plants-old", "carpet" }) Directory.CreateDirectory(Path.Combine(root, name));
        File.WriteAllText(Path.Combine(root, "model.zip"), "");

        Assert.Equal($" Did you mean '{Path.Combine(root, "plant")}'?", NearMatch.Suggestion(Path.Combine(root, "plnat")));
        Assert.Equal($" Did you mean '{Path.Combine(root, "plant")}'?", NearMatch.Suggestion(Path.Combine(root, "plnat") + Path.DirectorySeparatorChar));
        Assert.Equal($" Did you mean '{Path.Combine(root, "model.zip")}'?", NearMatch.Suggestion(Path.Combine(root, "modle.zip")));   // files too
        Assert.Equal($" Did you mean '{Path.Combine(root, "carpet")}'?", NearMatch.Suggestion(Path.Combine(root, "carpte")));
        Assert.Equal($" Did you mean '{Path.Combine(root, "carpet")}'?", NearMatch.Suggestion(Path.Combine(root, "crapte")));   // 2 slips in 6 letters
        Assert.Equal("", NearMatch.Suggestion(Path.Combine(root, "tile")));           // nothing near
        Assert.Equal("", NearMatch.Suggestion(Path.Combine(root, "pl")));             // 3 slips in 2 letters: too many
        Assert.Equal("", NearMatch.Suggestion(Path.Combine(root, "nope", "plnat")));  // no such folder to look in
    }

    [Fact]
    public void Suggestion_takes_the_nearest_and_between_equals_the_first_in_order()
    {
        string root = Cli.TempFolder("near-match-ties");
        foreach (string name in new[] { "tile-b", "tile-a", "tilea", "tilexab" }) Directory.CreateDirectory(Path.Combine(root, name));
        Assert.Equal($" Did you mean '{Path.Combine(root, "tile-a")}'?", NearMatch.Suggestion(Path.Combine(root, "tile-c")));   // both 1 away, "tilea" 2
        Assert.Equal($" Did you mean '{Path.Combine(root, "tilexab")}'?", NearMatch.Suggestion(Path.Combine(root, "tilexabc")));   // 1 against 2
    }
}
