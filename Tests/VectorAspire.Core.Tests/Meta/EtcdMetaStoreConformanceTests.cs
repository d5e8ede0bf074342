using VectorAspire.Core.Meta;
using VectorAspire.Core.Tests.TestSupport;

namespace VectorAspire.Core.Tests.Meta;

/// <summary>
/// The shared meta store behaviour against a real etcd. Each test gets its own key prefix on the class's server;
/// lease tests really wait (etcd's clock cannot be faked). Tests of one class run one at a time, so the global
/// revision only moves with the running test's writes: leases a test leaves behind are revoked when it ends.
/// </summary>
public sealed class EtcdMetaStoreConformanceTests(EtcdServerFixture etcd) : MetaStoreConformanceTests, IClassFixture<EtcdServerFixture>
{
    private readonly string _prefix = EtcdServer.UniquePrefix();

    protected override ValueTask<IMetaStore> OpenStore(TimeProvider time) =>
        ValueTask.FromResult<IMetaStore>(new EtcdMetaStore(etcd.Server.CreateOptions(_prefix)));

    /// <summary>
    /// Really waits, plus slack: etcd's leader checks for expired leases every 500 ms and revokes them through raft,
    /// so an expiry lands a little after the TTL. Every wait in the suite keeps alive keys well inside their TTL.
    /// </summary>
    protected override Task AdvanceTime(TimeSpan delta) => Task.Delay(delta + TimeSpan.FromMilliseconds(500));

    protected override async ValueTask DisposeStorage()
    {
        await using var store = new EtcdMetaStore(etcd.Server.CreateOptions(_prefix));
        foreach (long lease in (await store.ScanPrefixAsync("", Ct)).Select(k => k.LeaseId).Where(l => l != 0).Distinct())
        {
            await store.RevokeLeaseAsync(lease, Ct);
        }

        await store.DeletePrefixAsync("", Ct);
    }
}
