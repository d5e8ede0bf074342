using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VectorAspire.Core.Rpc;
using VectorAspire.Integration.Tests.Grpc;
using VectorAspire.Protos.Milvus;
using PC = VectorAspire.Protos.Common;

namespace VectorAspire.Integration.Tests;

/// <summary>Authentication: off by default; when on, users and passwords over REST (Bearer) and gRPC (authorization metadata).</summary>
public class AuthenticationTests : ServerTests
{
    /// <summary>Fewer PBKDF2 rounds than production keep the tests fast; the code path is the same.</summary>
    private static readonly Dictionary<string, string?> s_authOn = new()
    {
        ["VectorAspire:Security:AuthorizationEnabled"] = "true",
        ["VectorAspire:Security:PasswordIterations"] = "2000",
    };

    private static string Basic(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    /// <summary>A REST call with an Authorization header (null = none): HTTP status and the JSON reply.</summary>
    private static async Task<(HttpStatusCode Status, JsonObject Reply)> RestAsync(TestServer server, string path, object body, string? authorization)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/vectordb/{path}") { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8) };
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private static async Task<JsonNode?> RestOkAsync(TestServer server, string path, object body, string authorization)
    {
        var (status, reply) = await RestAsync(server, path, body, authorization);
        Assert.True(status == HttpStatusCode.OK && reply["code"]!.GetValue<int>() == 0, $"{path}: HTTP {(int)status} {reply.ToJsonString()}");
        return reply["data"];
    }

    private static async Task AssertRestRejectedAsync(TestServer server, string? authorization)
    {
        var clock = Stopwatch.StartNew();
        var (status, reply) = await RestAsync(server, "collections/list", new { }, authorization);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(1800, reply["code"]!.GetValue<int>());
        Assert.Contains("user hasn't authenticated", reply["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"a rejected call must answer promptly, took {clock.Elapsed}");
    }

    private static async Task AssertGrpcRejectedAsync(TestServer server, string? authorization)
    {
        var c = new GrpcTestClient(server, authorization: authorization);
        var ex = await Assert.ThrowsAsync<GrpcProtocolException>(() => c.CallAsync<ShowCollectionsResponse>("ShowCollections", new ShowCollectionsRequest()));
        Assert.Equal(GrpcStatus.Unauthenticated, ex.Status);
        Assert.Equal("auth check failure, please check username and password are correct", ex.Message);
    }

    [Fact]
    public async Task AuthenticationIsOffByDefaultAndUsersCanStillBeManaged()
    {
        await using var server = await StartServerAsync();
        await server.OkAsync("collections/list", new { });
        var c = new GrpcTestClient(server);
        await c.OkAsync<ShowCollectionsResponse>("ShowCollections", new ShowCollectionsRequest());
        await c.OkAsync<PC.Status>("CreateCredential", new CreateCredentialRequest { Username = "alice", Password = B64("alice_pw1") });
        Assert.Equal(["alice", "root"], (await c.OkAsync<ListCredUsersResponse>("ListCredUsers", new ListCredUsersRequest())).Usernames);
        Assert.Equal(["alice", "root"], (await server.OkAsync("users/list", new { }))!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task MissingOrWrongCredentialsAreRejectedPromptlyOverRestAndGrpc()
    {
        await using var server = await StartServerAsync(settings: s_authOn);
        await AssertRestRejectedAsync(server, null);
        await AssertRestRejectedAsync(server, "Bearer ");
        await AssertRestRejectedAsync(server, "Bearer root:wrong");
        await AssertRestRejectedAsync(server, "Bearer nobody:Milvus");
        await AssertRestRejectedAsync(server, "Bearer some-api-key");
        await RestOkAsync(server, "collections/list", new { }, "Bearer root:Milvus");
        await RestOkAsync(server, "collections/list", new { }, "Basic " + Basic("root", "Milvus"));

        await AssertGrpcRejectedAsync(server, null);
        await AssertGrpcRejectedAsync(server, Basic("root", "wrong"));
        await AssertGrpcRejectedAsync(server, "not base64!");
        await new GrpcTestClient(server, authorization: Basic("root", "Milvus")).OkAsync<ShowCollectionsResponse>("ShowCollections", new ShowCollectionsRequest());
    }

    [Fact]
    public async Task UsersAreCreatedChangedAndDroppedAndOldCredentialsStopWorkingAtOnce()
    {
        await using var server = await StartServerAsync(settings: s_authOn);
        const string root = "Bearer root:Milvus";
        await RestOkAsync(server, "users/create", new { userName = "alice", password = "first_pw" }, root);
        Assert.Equal(["alice", "root"], (await RestOkAsync(server, "users/list", new { }, root))!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("alice", (await RestOkAsync(server, "users/describe", new { userName = "alice" }, root))!["userName"]!.GetValue<string>());
        // Twice: the second call is served from the verified-credential cache.
        await RestOkAsync(server, "collections/list", new { }, "Bearer alice:first_pw");
        await RestOkAsync(server, "collections/list", new { }, "Bearer alice:first_pw");

        var (_, wrongOld) = await RestAsync(server, "users/update_password", new { userName = "alice", password = "not_it", newPassword = "second_pw" }, root);
        Assert.Equal(1400, wrongOld["code"]!.GetValue<int>());
        Assert.Equal("old password not correct for alice: not authenticated", wrongOld["message"]!.GetValue<string>());
        var (_, tooShort) = await RestAsync(server, "users/update_password", new { userName = "alice", password = "first_pw", newPassword = "123" }, root);
        Assert.Equal(1100, tooShort["code"]!.GetValue<int>());
        await RestOkAsync(server, "users/update_password", new { userName = "alice", password = "first_pw", newPassword = "second_pw" }, root);
        await AssertRestRejectedAsync(server, "Bearer alice:first_pw");
        await RestOkAsync(server, "collections/list", new { }, "Bearer alice:second_pw");

        var (_, duplicate) = await RestAsync(server, "users/create", new { userName = "alice", password = "whatever" }, root);
        Assert.Equal(65535, duplicate["code"]!.GetValue<int>());
        Assert.Contains("user already exists: alice", duplicate["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var (_, badName) = await RestAsync(server, "users/create", new { userName = "9lives", password = "whatever" }, root);
        Assert.Equal(1100, badName["code"]!.GetValue<int>());
        var (_, dropRoot) = await RestAsync(server, "users/drop", new { userName = "root" }, root);
        Assert.Equal(1100, dropRoot["code"]!.GetValue<int>());

        await RestOkAsync(server, "users/drop", new { userName = "alice" }, root);
        await AssertRestRejectedAsync(server, "Bearer alice:second_pw");
        Assert.Equal(["root"], (await RestOkAsync(server, "users/list", new { }, root))!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task CredentialRpcsTakeBase64PasswordsAndTheRootPasswordCanBeChanged()
    {
        await using var server = await StartServerAsync(settings: s_authOn);
        var asRoot = new GrpcTestClient(server, authorization: Basic("root", "Milvus"));
        await asRoot.OkAsync<PC.Status>("CreateCredential", new CreateCredentialRequest { Username = "bob", Password = B64("bob_pw_1") });
        var asBob = new GrpcTestClient(server, authorization: Basic("bob", "bob_pw_1"));
        Assert.Equal(["bob", "root"], (await asBob.OkAsync<ListCredUsersResponse>("ListCredUsers", new ListCredUsersRequest())).Usernames);

        var wrong = await asRoot.StatusAsync("UpdateCredential", new UpdateCredentialRequest { Username = "root", OldPassword = B64("nope"), NewPassword = B64("new_root_pw") });
        Assert.Equal(1400, wrong.Code);
        await asRoot.OkAsync<PC.Status>("UpdateCredential", new UpdateCredentialRequest { Username = "root", OldPassword = B64("Milvus"), NewPassword = B64("new_root_pw") });
        await AssertGrpcRejectedAsync(server, Basic("root", "Milvus"));
        var asNewRoot = new GrpcTestClient(server, authorization: Basic("root", "new_root_pw"));
        await asNewRoot.OkAsync<PC.Status>("DeleteCredential", new DeleteCredentialRequest { Username = "bob" });
        await AssertGrpcRejectedAsync(server, Basic("bob", "bob_pw_1"));
        Assert.Equal(1100, (await asNewRoot.StatusAsync("DeleteCredential", new DeleteCredentialRequest { Username = "root" })).Code);
    }

    [Fact]
    public async Task UsersAndChangedPasswordsSurviveARestart()
    {
        string dir = TempDir.Create();
        await using (var server = await StartServerAsync(dir, s_authOn))
        {
            await RestOkAsync(server, "users/create", new { userName = "carol", password = "carol_pw" }, "Bearer root:Milvus");
            await RestOkAsync(server, "users/update_password", new { userName = "root", password = "Milvus", newPassword = "changed_pw" }, "Bearer root:Milvus");
        }
        await using (var server = await StartServerAsync(dir, s_authOn))
        {
            await AssertRestRejectedAsync(server, "Bearer root:Milvus");
            await RestOkAsync(server, "collections/list", new { }, "Bearer root:changed_pw");
            await RestOkAsync(server, "collections/list", new { }, "Bearer carol:carol_pw");
            Assert.Equal(["carol", "root"], (await RestOkAsync(server, "users/list", new { }, "Bearer carol:carol_pw"))!.AsArray().Select(n => n!.GetValue<string>()));
        }
        // The stored hash is salted PBKDF2, never the password.
        await using (var server = await StartServerAsync(dir))
        {
            var store = (Core.Meta.IMetaStore)server.Services.GetService(typeof(Core.Meta.IMetaStore))!;
            var record = await store.GetAsync("credentials/users/carol", CancellationToken.None);
            Assert.NotNull(record);
            string json = Encoding.UTF8.GetString(record.Value);
            Assert.DoesNotContain("carol_pw", json, StringComparison.Ordinal);
            Assert.Contains("\"salt\"", json, StringComparison.Ordinal);
        }
    }
}
