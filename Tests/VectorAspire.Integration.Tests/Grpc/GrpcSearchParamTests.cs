using VectorAspire.Protos.Milvus;
using PC = VectorAspire.Protos.Common;

namespace VectorAspire.Integration.Tests.Grpc;

/// <summary>Every search parameter is acted on or refused: ef/nprobe reach the index, ignore_growing skips growing data.</summary>
public class GrpcSearchParamTests : ServerTests
{
    private static SearchRequest Search(params (string Key, string Value)[] parameters)
    {
        var search = new SearchRequest { CollectionName = "sp", PlaceholderGroup = GrpcWorkflowTests.Placeholder(GrpcWorkflowTests.Vec(3)), Nq = 1, ConsistencyLevel = PC.ConsistencyLevel.Strong };
        search.SearchParams.Add(new PC.KeyValuePair { Key = "topk", Value = "3" });
        foreach (var (k, v) in parameters)
            search.SearchParams.Add(new PC.KeyValuePair { Key = k, Value = v });
        return search;
    }

    [Fact]
    public async Task SearchParametersAreAppliedOrRefused()
    {
        await using var server = await StartServerAsync();
        var c = new GrpcTestClient(server);
        await GrpcWorkflowTests.CreateAsync(c, "sp", load: true);
        var insert = new InsertRequest { CollectionName = "sp", NumRows = 10 };
        insert.FieldsData.Add(GrpcWorkflowTests.Rows([.. Enumerable.Range(1, 10).Select(i => (long)i)]));
        await c.OkAsync<MutationResult>("Insert", insert);

        // All rows are still in a growing segment.
        Assert.Equal(3, (await c.OkAsync<SearchResults>("Search", Search(("ignore_growing", "false"), ("ef", "16")))).Results.Topks.Single());
        Assert.Equal(0, (await c.OkAsync<SearchResults>("Search", Search(("ignore_growing", "true")))).Results.Topks.Sum());
        Assert.Equal(3, (await c.OkAsync<SearchResults>("Search", Search(("params", "{\"ef\":32,\"nprobe\":4}")))).Results.Topks.Single());

        var tooSmallEf = await c.CallAsync<SearchResults>("Search", Search(("params", "{\"ef\":2}")));
        Assert.Equal(1100, tooSmallEf.Status.Code);
        var unknownInJson = await c.CallAsync<SearchResults>("Search", Search(("params", "{\"level\":1}")));
        Assert.Equal(1100, unknownInJson.Status.Code);
        Assert.Contains("level", unknownInJson.Status.Reason);
        var unknownFlattened = await c.CallAsync<SearchResults>("Search", Search(("search_list", "50")));
        Assert.Equal(1100, unknownFlattened.Status.Code);
        var badFlag = await c.CallAsync<SearchResults>("Search", Search(("ignore_growing", "maybe")));
        Assert.Equal(1100, badFlag.Status.Code);
        // refine_k only applies to indexes that re-score candidates with float vectors.
        var refineOnHnsw = await c.CallAsync<SearchResults>("Search", Search(("params", "{\"refine_k\":2}")));
        Assert.Equal(1100, refineOnHnsw.Status.Code);
        Assert.Contains("refine_k is not supported by index type", refineOnHnsw.Status.Reason);
    }
}
