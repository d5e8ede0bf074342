using MassTransit;
using Microsoft.Extensions.Logging;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Cluster;
using VectorAspire.Core.Contracts.Messages;

namespace VectorAspire.Coordinator.Messaging;

/// <summary>
/// Commits the outcome of an index-build job (one Coordinator instance per message, leader or standby: the commit is
/// a compare-and-swap on the shared catalog, so it does not depend on the leader's memory). Redelivery is harmless.
/// </summary>
public sealed class IndexBuildOutcomeConsumer(CoordinatorService coordinator) : IConsumer<SegmentIndexBuilt>, IConsumer<SegmentIndexBuildFailed>
{
    public async Task Consume(ConsumeContext<SegmentIndexBuilt> context)
        => await coordinator.CommitBuiltIndexAsync(CatalogJson.ReadSegmentIndex(System.Text.Encoding.UTF8.GetBytes(context.Message.SegmentIndexJson)),
            context.CancellationToken);

    public async Task Consume(ConsumeContext<SegmentIndexBuildFailed> context)
    {
        var m = context.Message;
        await coordinator.RecordIndexBuildFailureAsync(m.CollectionId, m.SegmentId, CatalogJson.ReadIndex(System.Text.Encoding.UTF8.GetBytes(m.IndexJson)),
            m.Reason, context.CancellationToken);
    }
}

/// <summary>
/// Events every Coordinator instance hears: a flush or a new DataNode sends the scheduler looking for work (on a
/// standby the kick does nothing until it leads); membership changes are logged.
/// </summary>
public sealed partial class CoordinatorEventConsumer(CoordinatorService coordinator, ILogger<CoordinatorEventConsumer> logger)
    : IConsumer<SegmentsFlushed>, IConsumer<NodeJoined>, IConsumer<NodeLeft>
{
    public Task Consume(ConsumeContext<SegmentsFlushed> context)
    {
        coordinator.KickIndexBuilds();
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<NodeJoined> context)
    {
        LogJoined(context.Message.Role, context.Message.NodeId, context.Message.Address);
        if (context.Message.Role == NodeRoles.DataNode)
            coordinator.KickIndexBuilds();
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<NodeLeft> context)
    {
        LogLeft(context.Message.Role, context.Message.NodeId, context.Message.Reason);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Role} {NodeId} joined at {Address}")]
    private partial void LogJoined(string role, string nodeId, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Role} {NodeId} left: {Reason}")]
    private partial void LogLeft(string role, string nodeId, string reason);
}
