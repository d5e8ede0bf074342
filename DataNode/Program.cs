using VectorAspire.Core.Cluster;
using VectorAspire.DataNode;
using VectorAspire.DataNode.Grpc;
using VectorAspire.NodeHost;

// A DataNode process of a cluster: a stateless worker that writes segments and deltas and builds indexes.
var builder = ClusterNode.CreateBuilder(NodeRoles.DataNode, args);
builder.Services.AddDataNode();
var app = builder.BuildNode();
app.MapDataNodeGrpc();
await app.RunAsync();
