using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Core.Cluster;
using VectorAspire.Core.Rpc;
using VectorAspire.NodeHost;
using VectorAspire.Proxy.Grpc;
using VectorAspire.Proxy.Rest;

// A Proxy process of a cluster: stateless; Milvus REST v2 and Milvus gRPC on its one port, routed to the roles.
var builder = ClusterNode.CreateBuilder(NodeRoles.Proxy, args);
builder.Services.AddProxy();
builder.Services.AddGrpcUnaryServer();
var app = builder.BuildNode();
app.MapMilvusRestApi();
app.Services.GetRequiredService<MilvusGrpcService>().Register(app.Services.GetRequiredService<GrpcUnaryServer>());
app.MapGrpcUnary();
await app.RunAsync();
