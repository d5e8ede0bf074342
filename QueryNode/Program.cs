using VectorAspire.Core.Cluster;
using VectorAspire.NodeHost;
using VectorAspire.QueryNode;
using VectorAspire.QueryNode.Grpc;

// A QueryNode process of a cluster: serves sealed segments (loaded from the object store) to the shard delegators.
var builder = ClusterNode.CreateBuilder(NodeRoles.QueryNode, args);
builder.Services.AddQueryNode();
var app = builder.BuildNode();
app.MapQueryNodeGrpc();
await app.RunAsync();
