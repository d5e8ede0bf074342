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

    /// <summary>Address to listen on.</summary>
    public string Host { get; set; } = "0.0.0.0";
}
