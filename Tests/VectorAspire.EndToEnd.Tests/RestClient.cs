using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VectorAspire.EndToEnd.Tests;

/// <summary>A minimal REST v2 client for driving a server process.</summary>
public sealed class RestClient(Uri endpoint, TimeSpan? timeout = null) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = endpoint, Timeout = timeout ?? TimeSpan.FromSeconds(30) };

    public async Task<JsonObject> CallAsync(string path, object body, CancellationToken ct = default)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync($"/v2/vectordb/{path}", content, ct);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!.AsObject();
    }

    public async Task<JsonNode?> OkAsync(string path, object body, CancellationToken ct = default)
    {
        var reply = await CallAsync(path, body, ct);
        if (reply["code"]!.GetValue<int>() != 0)
            throw new InvalidOperationException($"{path} failed: {reply.ToJsonString()}");
        return reply["data"];
    }

    public void Dispose() => _http.Dispose();
}
