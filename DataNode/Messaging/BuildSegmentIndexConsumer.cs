using System.Text;
using MassTransit;
using Microsoft.Extensions.Logging;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Contracts.Messages;

namespace VectorAspire.DataNode.Messaging;

/// <summary>
/// Runs index-build jobs, one at a time per DataNode (a build uses every core). The job is acknowledged only after its
/// outcome is published, so a DataNode that dies mid-build leaves the job to be redelivered to another. A failure a
/// retry cannot fix (bad parameters, a segment whose files are unreadable) is published as the outcome; a cancelled
/// build (the node is stopping) is not acknowledged and runs again elsewhere.
/// </summary>
public sealed partial class BuildSegmentIndexConsumer(DataNodeService dataNode, IControlBus bus, ILogger<BuildSegmentIndexConsumer> logger) : IConsumer<BuildSegmentIndex>
{
    public async Task Consume(ConsumeContext<BuildSegmentIndex> context)
    {
        var job = context.Message;
        var collection = CatalogJson.ReadCollection(Encoding.UTF8.GetBytes(job.CollectionJson));
        var segment = CatalogJson.ReadSegment(Encoding.UTF8.GetBytes(job.SegmentJson));
        var index = CatalogJson.ReadIndex(Encoding.UTF8.GetBytes(job.IndexJson));
        SegmentIndexInfo built;
        LogBuilding(job.IndexName, job.SegmentId, job.BuildId);
        try
        {
            built = await dataNode.BuildIndexAsync(collection, segment, index, job.BuildId, context.CancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !IsTransient(ex))
        {
            await bus.PublishAsync(new SegmentIndexBuildFailed(job.CollectionId, job.SegmentId, job.IndexName, job.BuildId, job.IndexJson, ex.Message),
                context.CancellationToken);
            return;
        }
        await bus.PublishAsync(new SegmentIndexBuilt(job.CollectionId, job.SegmentId, job.IndexName, job.BuildId,
            Encoding.UTF8.GetString(CatalogJson.Serialize(built))), context.CancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Building index {Index} for segment {Segment} (job {BuildId})")]
    private partial void LogBuilding(string index, long segment, long buildId);

    /// <summary>Storage that did not answer: the bus retries the job rather than marking the index failed.</summary>
    private static bool IsTransient(Exception ex)
        => ex is HttpRequestException or IOException or TimeoutException or System.Net.Sockets.SocketException;
}
