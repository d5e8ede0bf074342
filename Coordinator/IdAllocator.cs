using System.Buffers.Binary;
using VectorAspire.Core.Meta;

namespace VectorAspire.Coordinator;

/// <summary>
/// Unique int64 ids (auto ids, segment ids, collection ids). Reserves ranges in the meta store with
/// compare-and-swap before handing ids out, so ids never repeat across restarts or coordinators.
/// </summary>
public sealed class IdAllocator(IMetaStore store, string key, int reserveStep = 100_000)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _next;
    private long _end;

    public async ValueTask<long> AllocateAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_next + count > _end)
                await ReserveAsync(Math.Max(count, reserveStep), cancellationToken);
            long first = _next;
            _next += count;
            return first;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask ReserveAsync(int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = await store.GetAsync(key, cancellationToken);
            long start = current is null ? 1 : BinaryPrimitives.ReadInt64LittleEndian(current.Value);
            long end = start + count;
            var value = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(value, end);
            var compare = current is null ? TxnCompare.KeyAbsent(key) : TxnCompare.ModRevisionIs(key, current.ModRevision);
            var result = await store.TxnAsync([compare], [TxnOp.Put(key, value)], [], cancellationToken);
            if (result.Succeeded)
            {
                _next = start;
                _end = end;
                return;
            }
        }
    }
}
