namespace VectorAspire.Hosting.Tests;

/// <summary>Every wait in these tests has a deadline so a broken build fails instead of hanging the run.</summary>
internal static class TestTimeout
{
    public static CancellationToken Token(int seconds = 30) =>
        new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
