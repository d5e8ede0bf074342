using VectorAspire.Protos.Milvus;
using PC = VectorAspire.Protos.Common;

namespace VectorAspire.Integration.Tests.Grpc;

/// <summary>Session and Customized reads use the client's guarantee timestamp, as Milvus does.</summary>
public class GrpcConsistencyTests : ServerTests
{
    private static async Task<long> CountAsync(GrpcTestClient c, PC.ConsistencyLevel level, ulong guarantee)
    {
        var q = new QueryRequest { CollectionName = "cons", Expr = "", ConsistencyLevel = level, GuaranteeTimestamp = guarantee };
        q.OutputFields.Add("count(*)");
        var r = await c.OkAsync<QueryResults>("Query", q);
        return r.FieldsData.Single(f => f.FieldName == "count(*)").Scalars.LongData.Data.Single();
    }

    [Fact]
    public async Task ClientGuaranteeTimestampsAreHonouredAndCappedAtNow()
    {
        await using var server = await StartServerAsync();
        var c = new GrpcTestClient(server);
        await GrpcWorkflowTests.CreateAsync(c, "cons", load: true);
        var insert = new InsertRequest { CollectionName = "cons", NumRows = 3 };
        insert.FieldsData.Add(GrpcWorkflowTests.Rows([1L, 2L, 3L]));
        var inserted = await c.OkAsync<MutationResult>("Insert", insert);

        Assert.Equal(3, await CountAsync(c, PC.ConsistencyLevel.Session, inserted.Timestamp));
        Assert.Equal(3, await CountAsync(c, PC.ConsistencyLevel.Customized, inserted.Timestamp));

        // A timestamp from the far future must neither hang the read nor let later writes fall behind the read horizon.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(3, await CountAsync(c, PC.ConsistencyLevel.Customized, ulong.MaxValue >> 1));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        var more = new InsertRequest { CollectionName = "cons", NumRows = 1 };
        more.FieldsData.Add(GrpcWorkflowTests.Rows([4L]));
        var second = await c.OkAsync<MutationResult>("Insert", more);
        Assert.True(second.Timestamp > inserted.Timestamp);
        Assert.Equal(4, await CountAsync(c, PC.ConsistencyLevel.Strong, 0));
        Assert.Equal(4, await CountAsync(c, PC.ConsistencyLevel.Session, second.Timestamp));
    }
}
