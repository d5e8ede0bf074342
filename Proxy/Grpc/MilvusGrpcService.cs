using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Rpc;
using VectorAspire.Protos.Milvus;
using VectorAspire.Proxy.Rest;
using PC = VectorAspire.Protos.Common;

namespace VectorAspire.Proxy.Grpc;

/// <summary>
/// The Milvus gRPC API (milvus.proto.milvus.MilvusService): maps each unary RPC onto <see cref="ProxyService"/> and
/// the coordinator, with the same validation, error codes and messages as the REST v2 layer. Every handler answers
/// grpc OK: failures travel as a Milvus <c>common.Status</c> (legacy error_code + code + reason), never as a
/// gRPC error or exception. Methods we do not implement are registered too and answer a "not supported" Status,
/// because the official SDKs turn gRPC UNIMPLEMENTED into a silent empty success.
/// </summary>
public sealed partial class MilvusGrpcService
{
    public const string ServiceName = "milvus.proto.milvus.MilvusService";
    private const string DefaultDb = "default";

    private readonly ProxyService _proxy;
    private readonly ILogger<MilvusGrpcService> _logger;
    private readonly HashSet<string> _registered = new(StringComparer.Ordinal);
    private readonly Security.CredentialStore? _credentials;
    private readonly Security.RequestAuthenticator? _authenticator;

    public MilvusGrpcService(ProxyService proxy, ILogger<MilvusGrpcService> logger, Security.CredentialStore? credentials = null, Security.RequestAuthenticator? authenticator = null)
    {
        _proxy = proxy;
        _logger = logger;
        _credentials = credentials;
        _authenticator = authenticator;
    }

    /// <summary>The MilvusService descriptor of our milvus.proto (every rpc line of milvus-proto v3.0.0).</summary>
    public static ServiceDescriptor Descriptor => MilvusReflection.Descriptor.FindTypeByName<ServiceDescriptor>("MilvusService");

    /// <summary>Registers every MilvusService method: implemented ones, then a "not supported" answer for the rest.</summary>
    public void Register(IGrpcMethodRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registered.Clear();
        RegisterMisc(registry);
        RegisterCollections(registry);
        RegisterPartitions(registry);
        RegisterIndexes(registry);
        RegisterEntities(registry);
        RegisterSearch(registry);
        RegisterAliases(registry);
        RegisterUsers(registry);
        RegisterUnsupported(registry);
    }

    /// <summary>Names of the methods implemented for real (the others answer "not supported").</summary>
    public IReadOnlyCollection<string> ImplementedMethods => _registered;

    private static string Db(string? requestDb, GrpcCallContext ctx)
    {
        if (!string.IsNullOrEmpty(requestDb))
            return requestDb;
        return ctx.Get("dbname") is { Length: > 0 } db ? db : DefaultDb;
    }

    /// <summary>A handler that returns a message with <c>status = 1</c>; errors become that status.</summary>
    private void Map<TReq, TResp>(IGrpcMethodRegistry registry, string method, MessageParser<TReq> parser,
        Func<TReq, GrpcCallContext, ValueTask<TResp>> handler, Action<TResp, PC.Status> setStatus)
        where TReq : IMessage<TReq>
        where TResp : IMessage<TResp>, new()
    {
        _registered.Add(method);
        registry.MapUnary<TReq, TResp>(ServiceName, method, parser, async (req, ctx) =>
        {
            if (_authenticator is not null)
                await _authenticator.AuthenticateGrpcAsync(ctx);
            try
            {
                return await handler(req, ctx);
            }
            catch (Exception ex)
            {
                var resp = new TResp();
                setStatus(resp, ToStatus(ex, method));
                return resp;
            }
        });
    }

    /// <summary>A handler whose response is <c>common.Status</c> itself.</summary>
    private void MapStatus<TReq>(IGrpcMethodRegistry registry, string method, MessageParser<TReq> parser,
        Func<TReq, GrpcCallContext, ValueTask> handler)
        where TReq : IMessage<TReq>
    {
        _registered.Add(method);
        registry.MapUnary<TReq, PC.Status>(ServiceName, method, parser, async (req, ctx) =>
        {
            if (_authenticator is not null)
                await _authenticator.AuthenticateGrpcAsync(ctx);
            try
            {
                await handler(req, ctx);
                return Ok();
            }
            catch (Exception ex)
            {
                return ToStatus(ex, method);
            }
        });
    }

    private void RegisterUnsupported(IGrpcMethodRegistry registry)
    {
        foreach (var m in Descriptor.Methods)
        {
            if (_registered.Contains(m.Name))
                continue;
            string name = m.Name;
            switch (m.OutputType.FullName)
            {
                case "milvus.proto.common.Status":
                    registry.MapUnary<Empty, PC.Status>(ServiceName, name, Empty.Parser, (_, _) => ValueTask.FromResult(NotSupported(name)));
                    break;
                case "vectoraspire.rpc.UnsupportedResponse":
                    registry.MapUnary<Empty, UnsupportedResponse>(ServiceName, name, Empty.Parser,
                        (_, _) => ValueTask.FromResult(new UnsupportedResponse { Status = NotSupported(name) }));
                    break;
                case "vectoraspire.rpc.UnsupportedResponseStatus2":
                    registry.MapUnary<Empty, UnsupportedResponseStatus2>(ServiceName, name, Empty.Parser,
                        (_, _) => ValueTask.FromResult(new UnsupportedResponseStatus2 { Status = NotSupported(name) }));
                    break;
                default:
                    // Responses without a status field (Dummy, GetReplicateInfo, CreateReplicateStream): an empty message.
                    registry.MapUnary<Empty, Empty>(ServiceName, name, Empty.Parser, (_, _) => ValueTask.FromResult(new Empty()));
                    break;
            }
        }
    }

    internal static PC.Status Ok() => new() { ErrorCode = PC.ErrorCode.Success, Code = 0 };

    internal static PC.Status NotSupported(string method) => Error(ErrorCodes.ServiceUnimplemented, $"method {method} is not supported by VectorAspire yet");

    internal static PC.Status Error(int code, string reason) => new()
    {
        ErrorCode = LegacyCode(code),
        Code = code,
        Reason = reason,
    };

    private PC.Status ToStatus(Exception ex, string method)
    {
        var (code, message) = MilvusRestApi.Describe(ex);
        if (code == MilvusRestApi.UnexpectedErrorCode)
            LogInternalError(ex, method);
        return Error(code, message);
    }

    /// <summary>The deprecated common.ErrorCode Milvus still fills next to the numeric code (SDKs test it).</summary>
    internal static PC.ErrorCode LegacyCode(int code) => code switch
    {
        ErrorCodes.Success => PC.ErrorCode.Success,
        ErrorCodes.CollectionNotFound => PC.ErrorCode.CollectionNotExists,
        ErrorCodes.CollectionSchemaMismatch => PC.ErrorCode.SchemaMismatch,
        ErrorCodes.IndexNotFound => PC.ErrorCode.IndexNotExist,
        ErrorCodes.ServiceNotReady => PC.ErrorCode.NotReadyServe,
        ErrorCodes.ServiceQuotaExceeded => PC.ErrorCode.ForceDeny,
        ErrorCodes.ParameterInvalid or ErrorCodes.ParameterMissing or ErrorCodes.MissingRequiredParameters
            or ErrorCodes.ParameterTooLarge or ErrorCodes.InvalidInsertData => PC.ErrorCode.IllegalArgument,
        _ => PC.ErrorCode.UnexpectedError,
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "gRPC call {Method} failed with an internal error")]
    private partial void LogInternalError(Exception ex, string method);
}
