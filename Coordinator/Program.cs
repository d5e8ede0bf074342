using VectorAspire.Coordinator;
using VectorAspire.Coordinator.Grpc;
using VectorAspire.Core.Cluster;
using VectorAspire.NodeHost;

// A Coordinator process of a cluster: active-standby; the leader serves DDL, the TSO, scheduling and channel bindings.
var builder = ClusterNode.CreateBuilder(NodeRoles.Coordinator, args);
builder.Services.AddClusterCoordinator();
var app = builder.BuildNode();
app.MapCoordinatorGrpc();
await app.RunAsync();
