using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VectorAspire.Core.Cluster;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Contracts.Messages;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Meta;

namespace VectorAspire.Coordinator.Cluster;

/// <summary>
/// Active-standby Coordinator: every instance campaigns for the leadership key (bound to its lease); only the leader
/// loads the catalog and serves — DDL, the TSO (whose window is persisted, so a new leader starts above anything
/// handed out before), index-build scheduling and channel bindings. A standby refuses calls as retryable, and the
/// routed clients follow the leadership key to the new leader. A leader that loses its lease stops the process
/// (exit code 3): its in-memory catalog can no longer be trusted, and a supervisor restarts it as a standby.
/// </summary>
public sealed partial class CoordinatorLeadership(CoordinatorService coordinator, IMetaStore store, ClusterOptions options, ClusterNodeIdentity identity,
    NodeDirectory directory, ChannelBindings bindings, IOptions<CoordinatorOptions> coordinatorOptions, IHostApplicationLifetime lifetime,
    IControlBus bus, ILogger<CoordinatorLeadership> logger) : IClusterRoleLifecycle
{
    private LeaderElection? _election;
    private volatile bool _serving;
    private Task? _balance;

    /// <summary>True once this instance leads and has loaded the catalog.</summary>
    public bool IsServing => _serving && _election is { IsLeader: true };

    public string? CurrentLeaderHint { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _election = new LeaderElection(store, options.LeaderKey, identity.NodeId, options.LeaseTtl);
        _election.Elected += OnElected;
        _election.Start();
        LogCampaigning(identity.NodeId);
        return Task.CompletedTask;
    }

    private void OnElected(CancellationToken term)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await coordinator.StartAsync(term);
                term.Register(OnTermEnded);
                _serving = true;
                LogLeading(identity.NodeId);
                _balance = BalanceLoopAsync(term);
            }
            catch (Exception e) when (term.IsCancellationRequested || e is not OperationCanceledException)
            {
                LogTakeOverFailed(e, identity.NodeId);
                Environment.ExitCode = 3;
                lifetime.StopApplication();
            }
        }, CancellationToken.None);
    }

    private void OnTermEnded()
    {
        if (!_serving)
            return;
        _serving = false;
        if (lifetime.ApplicationStopping.IsCancellationRequested)
            return;
        LogLostLeadership(identity.NodeId);
        Environment.ExitCode = 3;
        lifetime.StopApplication();
    }

    /// <summary>
    /// Binds every pchannel to a live StreamingNode, moves the channels of a node that left, and spreads them when one
    /// joins — on every registry change and every few seconds. Writes are conditioned on this term's leadership key.
    /// </summary>
    private async Task BalanceLoopAsync(CancellationToken term)
    {
        var channels = Enumerable.Range(0, coordinatorOptions.Value.PChannelCount).Select(i => $"dml_{i}").ToList();
        using var changed = new SemaphoreSlim(0);
        void Kick() => changed.Release();
        directory.Changed += Kick;
        try
        {
            LeaderGuard? guard = await LeaderGuard.CaptureAsync(store, options.LeaderKey, identity.NodeId, term);
            if (guard is null)
                return;
            var known = new Dictionary<string, NodeInfo>();
            while (!term.IsCancellationRequested)
            {
                await AnnounceDeparturesAsync(known, term);
                try
                {
                    var live = directory.Members(NodeRoles.StreamingNode).Where(n => !n.FromConfiguration).Select(n => n.NodeId).ToList();
                    var current = await bindings.LoadAsync(term);
                    var plan = ChannelBalancer.Plan(channels, live, current);
                    if (plan.Count > 0)
                    {
                        if (!await bindings.ApplyAsync(guard.Value, plan, term))
                            return; // deposed: the term token follows
                        foreach (var b in plan)
                            LogBound(b.Channel, b.NodeId, b.Term);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogBalanceFailed(e);
                }
                try
                {
                    await changed.WaitAsync(TimeSpan.FromSeconds(2), term);
                    while (changed.CurrentCount > 0)
                        await changed.WaitAsync(term);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
        finally
        {
            directory.Changed -= Kick;
        }
    }

    /// <summary>
    /// Publishes <see cref="NodeLeft"/> for registrations that vanished since the last pass (a node that was killed
    /// cannot say so itself; its lease expired). A clean leave is announced by the node and again here: consumers are
    /// idempotent.
    /// </summary>
    private async Task AnnounceDeparturesAsync(Dictionary<string, NodeInfo> known, CancellationToken term)
    {
        var now = NodeRoles.All.SelectMany(directory.Members).Where(n => !n.FromConfiguration).ToDictionary(n => n.Role + "/" + n.NodeId);
        foreach (var (id, node) in known)
        {
            if (now.ContainsKey(id))
                continue;
            try
            {
                await bus.PublishAsync(new NodeLeft(node.Role, node.NodeId, "its registration is gone (stopped, or its lease expired)"), term);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogBalanceFailed(e);
            }
        }
        known.Clear();
        foreach (var (id, node) in now)
            known[id] = node;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _serving = false;
        if (_election is not null)
            await _election.DisposeAsync(); // resigns: a standby takes over at once
        if (_balance is not null)
        {
            try
            {
                await _balance.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
        await coordinator.StopAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Coordinator {NodeId} campaigns for leadership")]
    private partial void LogCampaigning(string nodeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Coordinator {NodeId} leads and serves")]
    private partial void LogLeading(string nodeId);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Coordinator {NodeId} lost its leadership; stopping (exit code 3) so that it restarts as a standby")]
    private partial void LogLostLeadership(string nodeId);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Coordinator {NodeId} won the leadership but could not take over; stopping")]
    private partial void LogTakeOverFailed(Exception e, string nodeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {Channel} bound to streaming node {NodeId} (term {Term})")]
    private partial void LogBound(string channel, string nodeId, long term);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel balancing failed; retrying")]
    private partial void LogBalanceFailed(Exception e);
}

/// <summary>Refuses internal Coordinator calls on a standby (retryable: the caller follows the leadership key).</summary>
public sealed class LeaderGateInterceptor(CoordinatorLeadership leadership, ClusterNodeIdentity identity) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (!leadership.IsServing)
            throw new MilvusException(ErrorCodes.ServiceNotReady, $"coordinator {identity.NodeId} is not the serving leader; retry");
        return continuation(request, context);
    }
}
