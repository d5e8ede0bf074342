using System.Threading.Channels;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Wal;

namespace VectorAspire.StreamingNode;

/// <summary>A write waiting for its group commit.</summary>
internal sealed class PendingWrite(ShardWrite write, Shard shard)
{
    public ShardWrite Write { get; } = write;

    public Shard Shard { get; } = shard;

    public TaskCompletionSource<ulong> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The WAL acknowledged this write's record (it is durable even if applying it failed afterwards).</summary>
    public bool Appended { get; set; }
}

/// <summary>
/// A physical WAL channel and the shards on it. All mutation of those shards happens under <see cref="ApplyLock"/>:
/// the group-commit loop holds it while it stamps timestamps, appends, waits for durability and applies; flush cuts
/// and strong reads take it too. Because timestamps are allocated only while the lock is held, once a reader has
/// taken the lock every write stamped below its guarantee timestamp has been applied.
/// </summary>
internal sealed class PChannel(string name, IWalChannel wal)
{
    private long _serviceableTs;

    public string Name { get; } = name;

    public IWalChannel Wal { get; } = wal;

    public SemaphoreSlim ApplyLock { get; } = new(1, 1);

    public Channel<PendingWrite> Queue { get; } = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Shards on this channel by (collection id, shard index).</summary>
    public Dictionary<(long Collection, int Shard), Shard> Shards { get; } = [];

    public Task? Loop { get; set; }

    /// <summary>The channel is being handed to another node (cluster): queued writes fail as retryable.</summary>
    public volatile bool Released;

    /// <summary>Every write with a timestamp at or below this is applied.</summary>
    public ulong ServiceableTs => (ulong)Interlocked.Read(ref _serviceableTs);

    public void AdvanceServiceable(ulong ts)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _serviceableTs);
            if ((ulong)current >= ts)
                return;
        }
        while (Interlocked.CompareExchange(ref _serviceableTs, (long)ts, current) != current);
    }

    /// <summary>Waits until the channel can serve reads at <paramref name="guaranteeTs"/>; returns the read timestamp.</summary>
    public async ValueTask<ulong> EnsureServiceableAsync(ulong guaranteeTs, CancellationToken cancellationToken)
    {
        if (ServiceableTs >= guaranteeTs)
            return ServiceableTs;
        await ApplyLock.WaitAsync(cancellationToken);
        try
        {
            AdvanceServiceable(guaranteeTs);
            return ServiceableTs;
        }
        finally
        {
            ApplyLock.Release();
        }
    }
}
