using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VectorAspire.EndToEnd.Tests.Cluster;

/// <summary>
/// A minimal OTLP/HTTP (protobuf) trace receiver: accepts <c>POST /v1/traces</c> and keeps, per span, its trace id,
/// span id, parent span id, name and the exporting service's <c>service.name</c>, read straight off the wire format
/// (ExportTraceServiceRequest → ResourceSpans → Resource / ScopeSpans → Span).
/// </summary>
public sealed class OtlpTraceReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public OtlpTraceReceiver()
    {
        int port = ServerProcess.FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Endpoint { get; }

    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                if (context.Request.Url?.AbsolutePath == "/v1/traces")
                    Parse(body.ToArray());
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
            }
            catch (Exception)
            {
                context.Response.StatusCode = 400;
            }
            context.Response.Close();
        }
    }

    private void Parse(byte[] request)
    {
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1)
                continue;
            string service = "";
            var scopes = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f == 1)
                    service = ServiceName(value) ?? service;
                else if (f == 2)
                    scopes.Add(value);
            }
            foreach (var scope in scopes)
            {
                foreach (var (f, span) in Fields(scope))
                {
                    if (f != 2)
                        continue;
                    string trace = "", id = "", parent = "", name = "";
                    foreach (var (sf, v) in Fields(span))
                    {
                        switch (sf)
                        {
                            case 1: trace = Convert.ToHexString(v); break;
                            case 2: id = Convert.ToHexString(v); break;
                            case 4: parent = Convert.ToHexString(v); break;
                            case 5: name = Encoding.UTF8.GetString(v); break;
                        }
                    }
                    Spans.Enqueue(new ReceivedSpan(service, trace, id, parent, name));
                }
            }
        }
    }

    /// <summary>service.name among a Resource's attributes (KeyValue: key 1, AnyValue 2 → string_value 1).</summary>
    private static string? ServiceName(byte[] resource)
    {
        foreach (var (f, kv) in Fields(resource))
        {
            if (f != 1)
                continue;
            string? key = null, value = null;
            foreach (var (kf, v) in Fields(kv))
            {
                if (kf == 1)
                    key = Encoding.UTF8.GetString(v);
                else if (kf == 2)
                    value = Fields(v).Where(x => x.Field == 1).Select(x => Encoding.UTF8.GetString(x.Value)).FirstOrDefault();
            }
            if (key == "service.name")
                return value;
        }
        return null;
    }

    /// <summary>The length-delimited fields of a protobuf message (other wire types are skipped).</summary>
    private static List<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var result = new List<(int, byte[])>();
        int pos = 0;
        while (pos < message.Length)
        {
            ulong tag = Varint(message, ref pos);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case 0: Varint(message, ref pos); break;
                case 1: pos += 8; break;
                case 5: pos += 4; break;
                case 2:
                    int length = (int)Varint(message, ref pos);
                    result.Add((field, message.AsSpan(pos, length).ToArray()));
                    pos += length;
                    break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
        return result;
    }

    private static ulong Varint(byte[] b, ref int pos)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte x = b[pos++];
            value |= (ulong)(x & 0x7F) << shift;
            if ((x & 0x80) == 0)
                return value;
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }
}

public sealed record ReceivedSpan(string Service, string TraceId, string SpanId, string ParentSpanId, string Name);
