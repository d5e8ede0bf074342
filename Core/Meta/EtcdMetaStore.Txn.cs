using Etcdserverpb;
using Google.Protobuf;

namespace VectorAspire.Core.Meta;

public sealed partial class EtcdMetaStore
{
    /// <summary>
    /// One etcd Txn. Each branch and the compare list are limited to <see cref="EtcdMetaStoreOptions.MaxTxnOps"/>
    /// entries (<see cref="TransactionTooLargeException"/> before anything is sent). etcd also refuses a branch that
    /// writes the same key twice or puts a key that a delete-range of the same branch covers (ArgumentException).
    /// </summary>
    public async ValueTask<TxnResult> TxnAsync(IReadOnlyList<TxnCompare> compares, IReadOnlyList<TxnOp> onSuccess,
        IReadOnlyList<TxnOp> onFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(compares);
        ArgumentNullException.ThrowIfNull(onSuccess);
        ArgumentNullException.ThrowIfNull(onFailure);
        MetaStoreLimits.CheckTxnSize(compares.Count, onSuccess.Count, onFailure.Count, _options.MaxTxnOps);

        var request = new TxnRequest();
        foreach (TxnCompare compare in compares)
        {
            request.Compare.Add(ToCompare(compare));
        }

        long leaseId = 0;
        foreach (TxnOp op in onSuccess)
        {
            request.Success.Add(ToRequestOp(op));
            leaseId = leaseId == 0 ? op.LeaseId : leaseId;
        }

        foreach (TxnOp op in onFailure)
        {
            request.Failure.Add(ToRequestOp(op));
            leaseId = leaseId == 0 ? op.LeaseId : leaseId;
        }

        TxnResponse response = await Call(o => _kv.TxnAsync(request, o), cancellationToken, leaseId).ConfigureAwait(false);
        return new TxnResult(response.Succeeded, response.Header.Revision);
    }

    private Compare ToCompare(TxnCompare compare)
    {
        var result = new Compare
        {
            Key = FullKey(compare.Key),
            Result = compare.Op switch
            {
                CompareOp.Equal => Compare.Types.CompareResult.Equal,
                CompareOp.NotEqual => Compare.Types.CompareResult.NotEqual,
                CompareOp.Less => Compare.Types.CompareResult.Less,
                CompareOp.Greater => Compare.Types.CompareResult.Greater,
                _ => throw new ArgumentOutOfRangeException(nameof(compare), compare.Op, "unknown compare operator"),
            },
        };
        switch (compare.Target)
        {
            case CompareTarget.Version:
                result.Target = Compare.Types.CompareTarget.Version;
                result.Version = compare.Number;
                break;
            case CompareTarget.ModRevision:
                result.Target = Compare.Types.CompareTarget.Mod;
                result.ModRevision = compare.Number;
                break;
            case CompareTarget.Value:
                // etcd fails a value compare on an absent key whatever the operator, as the interface requires.
                result.Target = Compare.Types.CompareTarget.Value;
                result.Value = ByteString.CopyFrom(compare.Value ?? []);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(compare), compare.Target, "unknown compare target");
        }

        return result;
    }

    private RequestOp ToRequestOp(TxnOp op) => op.Kind switch
    {
        TxnOpKind.Put => new RequestOp
        {
            RequestPut = new PutRequest { Key = FullKey(op.Key), Value = ByteString.CopyFrom(op.Value ?? []), Lease = op.LeaseId },
        },
        TxnOpKind.Delete => new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = FullKey(op.Key) } },
        TxnOpKind.DeletePrefix => DeletePrefixOp(op.Key),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op.Kind, "unknown transaction op"),
    };

    private RequestOp DeletePrefixOp(string prefix)
    {
        (ByteString from, ByteString end) = PrefixRange(prefix);
        return new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = from, RangeEnd = end } };
    }
}
