namespace VectorAspire.Standalone;

public sealed class StandaloneOptions
{
    public const string Section = "VectorAspire";

    /// <summary>Root of the embedded storage: wal/, objects/, meta/.</summary>
    public string DataPath { get; set; } = "data";

    /// <summary>Port for REST v2 and /health (gRPC joins it later). 0 = any free port.</summary>
    public int Port { get; set; } = 19530;

    /// <summary>Optional extra port serving gRPC only (HTTP/2 prior knowledge), e.g. to compare with the shared port. 0 = none.</summary>
    public int GrpcOnlyPort { get; set; }

    /// <summary>
    /// How the roles call each other: "inprocess" (default: direct calls on the role objects) or "grpc" (loopback
    /// cluster: every role-to-role call goes through the gRPC clients over HTTP/2 to this process's internal port).
    /// </summary>
    public string InternalTransport { get; set; } = InProcessTransport;

    /// <summary>Internal gRPC port on 127.0.0.1 for the "grpc" transport (HTTP/2 only). 0 = any free port.</summary>
    public int InternalPort { get; set; }

    public const string InProcessTransport = "inprocess";
    public const string GrpcTransport = "grpc";

    public bool UsesGrpcTransport => string.Equals(InternalTransport, GrpcTransport, StringComparison.OrdinalIgnoreCase);

    /// <summary>Address to listen on.</summary>
    public string Host { get; set; } = "0.0.0.0";
}
