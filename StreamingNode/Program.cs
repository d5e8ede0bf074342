using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Core.Cluster;
using VectorAspire.NodeHost;
using VectorAspire.StreamingNode;
using VectorAspire.StreamingNode.Cluster;
using VectorAspire.StreamingNode.Grpc;

// A StreamingNode process of a cluster: owns the WAL channels the Coordinator binds to it and delegates their shards.
var builder = ClusterNode.CreateBuilder(NodeRoles.StreamingNode, args);
builder.Services.AddStreamingNode();
builder.Services.AddSingleton<IClusterRoleLifecycle, ChannelOwnership>();
var app = builder.BuildNode();
app.MapStreamingNodeGrpc();
await app.RunAsync();
