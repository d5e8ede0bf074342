using VectorAspire.Gateway;

// The cluster's public endpoint: REST v2 and Milvus gRPC on one port, balanced across the healthy Proxies.
var app = GatewayHost.CreateBuilder(args).BuildGateway();
await app.RunAsync();
