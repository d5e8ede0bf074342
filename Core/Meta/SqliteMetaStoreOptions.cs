namespace VectorAspire.Core.Meta;

public sealed class SqliteMetaStoreOptions
{
    /// <summary>Watch history kept, in revisions; older change records are compacted away.</summary>
    public long HistoryRetention { get; set; } = 10_000;

    /// <summary>How often a timer expires leases (each operation also checks lazily).</summary>
    public TimeSpan LeaseCheckInterval { get; set; } = TimeSpan.FromSeconds(1);
}
