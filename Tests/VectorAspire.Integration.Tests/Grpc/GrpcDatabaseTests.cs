using VectorAspire.Protos.Milvus;
using PC = VectorAspire.Protos.Common;

namespace VectorAspire.Integration.Tests.Grpc;

/// <summary>Databases over gRPC: the RPCs, db_name in request messages and the SDK's <c>dbname</c> metadata.</summary>
public class GrpcDatabaseTests : ServerTests
{
    private static PC.KeyValuePair Kv(string key, string value) => new() { Key = key, Value = value };

    [Fact]
    public async Task CreateListDescribeAlterAndDropOverGrpc()
    {
        await using var server = await StartServerAsync();
        var c = new GrpcTestClient(server);
        var create = new CreateDatabaseRequest { DbName = "grpc_db" };
        create.Properties.Add(Kv("database.max.collections", "3"));
        await c.OkAsync<PC.Status>("CreateDatabase", create);

        var list = await c.OkAsync<ListDatabasesResponse>("ListDatabases", new ListDatabasesRequest());
        Assert.Equal(["default", "grpc_db"], list.DbNames);
        Assert.Equal(list.DbNames.Count, list.DbIds.Count);
        Assert.Equal(list.DbNames.Count, list.CreatedTimestamp.Count);
        Assert.Equal(1, list.DbIds[0]);
        Assert.All(list.CreatedTimestamp, ts => Assert.True(ts > 0));
        Assert.True(list.CreatedTimestamp[1] > list.CreatedTimestamp[0]);

        var described = await c.OkAsync<DescribeDatabaseResponse>("DescribeDatabase", new DescribeDatabaseRequest { DbName = "grpc_db" });
        Assert.Equal("grpc_db", described.DbName);
        Assert.Equal(list.DbIds[1], described.DbID);
        Assert.Equal(list.CreatedTimestamp[1], described.CreatedTimestamp);
        Assert.Equal([("database.max.collections", "3")], described.Properties.Select(p => (p.Key, p.Value)));

        var alter = new AlterDatabaseRequest { DbName = "grpc_db", DbId = described.DbID.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        alter.Properties.Add(Kv("database.max.collections", "7"));
        await c.OkAsync<PC.Status>("AlterDatabase", alter);
        var wrongId = new AlterDatabaseRequest { DbName = "grpc_db", DbId = "999999" };
        wrongId.Properties.Add(Kv("database.max.collections", "8"));
        Assert.Equal(800, (await c.StatusAsync("AlterDatabase", wrongId)).Code);
        var unsupported = new AlterDatabaseRequest { DbName = "grpc_db" };
        unsupported.Properties.Add(Kv("database.diskQuota.mb", "2048"));
        var refused = await c.StatusAsync("AlterDatabase", unsupported);
        Assert.Equal(1100, refused.Code);
        Assert.Equal(PC.ErrorCode.IllegalArgument, refused.ErrorCode);
        Assert.Contains("'database.diskQuota.mb' is not supported", refused.Reason, StringComparison.Ordinal);
        described = await c.OkAsync<DescribeDatabaseResponse>("DescribeDatabase", new DescribeDatabaseRequest { DbName = "grpc_db" });
        Assert.Equal("7", described.Properties.Single().Value);

        var drop = new AlterDatabaseRequest { DbName = "grpc_db" };
        drop.DeleteKeys.Add("database.max.collections");
        await c.OkAsync<PC.Status>("AlterDatabase", drop);
        Assert.Empty((await c.OkAsync<DescribeDatabaseResponse>("DescribeDatabase", new DescribeDatabaseRequest { DbName = "grpc_db" })).Properties);

        await c.OkAsync<PC.Status>("DropDatabase", new DropDatabaseRequest { DbName = "grpc_db" });
        Assert.Equal(["default"], (await c.OkAsync<ListDatabasesResponse>("ListDatabases", new ListDatabasesRequest())).DbNames);
        var missing = await c.CallAsync<DescribeDatabaseResponse>("DescribeDatabase", new DescribeDatabaseRequest { DbName = "grpc_db" });
        Assert.Equal(800, missing.Status.Code);
        Assert.Equal("database not found[database=grpc_db]", missing.Status.Reason);
        var dropDefault = await c.StatusAsync("DropDatabase", new DropDatabaseRequest { DbName = "default" });
        Assert.Equal(1100, dropDefault.Code);
        Assert.Contains("can not drop default database", dropDefault.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDbnameMetadataAndTheDbNameFieldChooseTheDatabase()
    {
        await using var server = await StartServerAsync();
        var inDefault = new GrpcTestClient(server);
        await inDefault.OkAsync<PC.Status>("CreateDatabase", new CreateDatabaseRequest { DbName = "tenant" });
        // As the Node SDK after useDatabase: only the metadata names the database.
        var inTenant = new GrpcTestClient(server, db: "tenant");
        await GrpcWorkflowTests.CreateAsync(inTenant, "books", load: true);
        var insert = new InsertRequest { CollectionName = "books", NumRows = 3 };
        insert.FieldsData.Add(GrpcWorkflowTests.Rows([1, 2, 3]));
        Assert.Equal(3, (await inTenant.OkAsync<MutationResult>("Insert", insert)).InsertCnt);

        Assert.Equal(["books"], (await inTenant.OkAsync<ShowCollectionsResponse>("ShowCollections", new ShowCollectionsRequest())).CollectionNames);
        Assert.Empty((await inDefault.OkAsync<ShowCollectionsResponse>("ShowCollections", new ShowCollectionsRequest())).CollectionNames);
        var notHere = await inDefault.CallAsync<DescribeCollectionResponse>("DescribeCollection", new DescribeCollectionRequest { CollectionName = "books" });
        Assert.Equal(100, notHere.Status.Code);
        // The request's db_name wins over the metadata.
        var described = await inDefault.OkAsync<DescribeCollectionResponse>("DescribeCollection", new DescribeCollectionRequest { DbName = "tenant", CollectionName = "books" });
        Assert.Equal("tenant", described.DbName);
        Assert.Equal(["books"], (await inDefault.OkAsync<ShowCollectionsResponse>("ShowCollections", new ShowCollectionsRequest { DbName = "tenant" })).CollectionNames);

        var search = new SearchRequest
        {
            DbName = "tenant",
            CollectionName = "books",
            DslType = PC.DslType.BoolExprV1,
            PlaceholderGroup = GrpcWorkflowTests.Placeholder(GrpcWorkflowTests.Vec(2)),
            Nq = 1,
            ConsistencyLevel = PC.ConsistencyLevel.Strong,
        };
        search.SearchParams.Add(Kv("anns_field", "vector"));
        search.SearchParams.Add(Kv("topk", "1"));
        var hits = (await inDefault.OkAsync<SearchResults>("Search", search)).Results;
        Assert.Equal(2, hits.Ids.IntId.Data.Single());

        // Moving it to default (Node SDK renameCollection with new_db_name).
        await inTenant.OkAsync<PC.Status>("RenameCollection", new RenameCollectionRequest { OldName = "books", NewName = "books", NewDBName = "default" });
        Assert.True((await inDefault.OkAsync<BoolResponse>("HasCollection", new HasCollectionRequest { CollectionName = "books" })).Value);
        var dropped = await inDefault.OkAsync<PC.Status>("DropDatabase", new DropDatabaseRequest { DbName = "tenant" });
        Assert.Equal(0, dropped.Code);

        var gone = new GrpcTestClient(server, db: "tenant");
        var showGone = await gone.CallAsync<ShowCollectionsResponse>("ShowCollections", new ShowCollectionsRequest());
        Assert.Equal(800, showGone.Status.Code);
        Assert.Equal(PC.ErrorCode.UnexpectedError, showGone.Status.ErrorCode);
    }

    [Fact]
    public async Task ForceDenyWritingIsQuotaExceededWithTheForceDenyLegacyCode()
    {
        await using var server = await StartServerAsync();
        var c = new GrpcTestClient(server, db: "frozen");
        var create = new CreateDatabaseRequest { DbName = "frozen" };
        await c.OkAsync<PC.Status>("CreateDatabase", create);
        await GrpcWorkflowTests.CreateAsync(c, "c", load: true);
        var alter = new AlterDatabaseRequest { DbName = "frozen" };
        alter.Properties.Add(Kv("database.force.deny.writing", "true"));
        await c.OkAsync<PC.Status>("AlterDatabase", alter);
        var insert = new InsertRequest { CollectionName = "c", NumRows = 1 };
        insert.FieldsData.Add(GrpcWorkflowTests.Rows([1]));
        var denied = await c.CallAsync<MutationResult>("Insert", insert);
        Assert.Equal(9, denied.Status.Code);
        Assert.Equal(PC.ErrorCode.ForceDeny, denied.Status.ErrorCode);
        Assert.StartsWith("quota exceeded[reason=access has been disabled by the administrator]", denied.Status.Reason, StringComparison.Ordinal);
        var count = new QueryRequest { CollectionName = "c", Expr = "" };
        count.OutputFields.Add("count(*)");
        await c.OkAsync<QueryResults>("Query", count);
    }
}
