using System.Text;
using VectorAspire.Core.Rpc;

namespace VectorAspire.Proxy.Security;

/// <summary>
/// Checks the credentials of a call when authentication is on: gRPC metadata <c>authorization: base64(user:password)</c>
/// (what the SDKs send, no scheme), REST <c>Authorization: Bearer user:password</c> (or Basic). A missing or wrong
/// credential fails at once with Milvus's answer: gRPC UNAUTHENTICATED (which the SDKs do not retry), REST code 1800.
/// </summary>
public sealed class RequestAuthenticator(CredentialStore store)
{
    public const string GrpcFailure = "auth check failure, please check username and password are correct";

    public bool Enabled => store.Enabled;

    public async ValueTask AuthenticateGrpcAsync(GrpcCallContext context)
    {
        if (!store.Enabled)
            return;
        if (!TryDecodeBase64(context.Get("authorization"), out string? pair) || !TrySplit(pair, out string? user, out string? password))
            throw new GrpcProtocolException(GrpcStatus.Unauthenticated, GrpcFailure);
        await store.EnsureStartedAsync(context.CancellationToken);
        if (!store.Verify(user, password))
            throw new GrpcProtocolException(GrpcStatus.Unauthenticated, GrpcFailure);
    }

    /// <summary>True when the REST call may proceed (authentication off, or a right user and password).</summary>
    public async ValueTask<bool> AuthenticateRestAsync(string? authorization, CancellationToken cancellationToken)
    {
        if (!store.Enabled)
            return true;
        string? pair = null;
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            pair = authorization["Bearer ".Length..].Trim();
        else if (authorization is not null && authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            TryDecodeBase64(authorization["Basic ".Length..].Trim(), out pair);
        if (!TrySplit(pair, out string? user, out string? password))
            return false;
        await store.EnsureStartedAsync(cancellationToken);
        return store.Verify(user, password);
    }

    private static bool TryDecodeBase64(string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? decoded)
    {
        decoded = null;
        if (string.IsNullOrEmpty(value))
            return false;
        var bytes = new byte[value.Length];
        if (!Convert.TryFromBase64String(value, bytes, out int written))
            return false;
        decoded = Encoding.UTF8.GetString(bytes, 0, written);
        return true;
    }

    /// <summary>Splits at the first colon (a password may contain colons, a user name cannot).</summary>
    private static bool TrySplit(string? pair, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? user, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? password)
    {
        user = password = null;
        int colon = pair?.IndexOf(':') ?? -1;
        if (colon <= 0)
            return false;
        user = pair![..colon];
        password = pair[(colon + 1)..];
        return true;
    }
}
