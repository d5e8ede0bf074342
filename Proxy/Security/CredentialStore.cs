using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VectorAspire.Core.Cluster;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Meta;

namespace VectorAspire.Proxy.Security;

/// <summary>A user as the meta store keeps it: a salted PBKDF2-SHA256 hash of the password, never the password.</summary>
public sealed record CredentialRecord(string UserName, byte[] Salt, byte[] Hash, int Iterations, long CreatedUnixMs);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CredentialRecord))]
internal sealed partial class SecurityJsonContext : JsonSerializerContext;

/// <summary>
/// Users and their passwords in the meta store (SQLite standalone, etcd in a cluster), read through a watched copy so
/// every Proxy sees a change at once. A verified (user, password) pair is remembered as a keyed digest next to the
/// record it was checked against, so a request pays PBKDF2 only the first time, and a password change or a deleted
/// user (a new record or none) makes the remembered pair useless at once.
/// </summary>
public sealed partial class CredentialStore : IAsyncDisposable
{
    public const string RootUser = "root";
    public const string DefaultRootPassword = "Milvus";
    private const string Prefix = "credentials/users/";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;
    private const int MaxCachedPairs = 10_000;
    private const int MaxUserNameLength = 32;
    private const int MinPasswordLength = 6;
    private const int MaxPasswordLength = 72;

    private readonly IMetaStore _store;
    private readonly SecurityOptions _options;
    private readonly ILogger<CredentialStore> _logger;
    private readonly MetaPrefixView<CredentialRecord> _users;
    private readonly ConcurrentDictionary<string, (CredentialRecord Record, byte[] Digest)> _verified = new(StringComparer.Ordinal);
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private volatile bool _started;

    public CredentialStore(IMetaStore store, IOptions<SecurityOptions> options, ILogger<CredentialStore> logger)
    {
        _store = store;
        _options = options.Value;
        _logger = logger;
        _users = new MetaPrefixView<CredentialRecord>(store, Prefix, static (_, value) => JsonSerializer.Deserialize(value, SecurityJsonContext.Default.CredentialRecord));
    }

    public bool Enabled => _options.AuthorizationEnabled;

    /// <summary>Loads the users and creates root (password Milvus) when it does not exist; idempotent.</summary>
    public async ValueTask EnsureStartedAsync(CancellationToken cancellationToken)
    {
        if (_started)
            return;
        await _startLock.WaitAsync(cancellationToken);
        try
        {
            if (_started)
                return;
            await _users.StartAsync(cancellationToken);
            if (Find(RootUser) is null)
            {
                var root = NewRecord(RootUser, DefaultRootPassword);
                await _store.TxnAsync([TxnCompare.KeyAbsent(Prefix + RootUser)], [TxnOp.Put(Prefix + RootUser, Serialize(root))], [], cancellationToken);
                await WaitForViewAsync(u => u.ContainsKey(Prefix + RootUser), cancellationToken);
            }
            _started = true;
        }
        finally
        {
            _startLock.Release();
        }
        if (Enabled && Verify(RootUser, DefaultRootPassword))
            LogDefaultRootPassword();
    }

    public async ValueTask<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken);
        return [.. _users.Entries.Values.Select(u => u.UserName).Order(StringComparer.Ordinal)];
    }

    public async ValueTask<bool> ExistsAsync(string user, CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken);
        return Find(user) is not null;
    }

    public async ValueTask CreateAsync(string user, string password, CancellationToken cancellationToken)
    {
        ValidateUserName(user);
        ValidatePassword(password);
        await EnsureStartedAsync(cancellationToken);
        var record = NewRecord(user, password);
        var result = await _store.TxnAsync([TxnCompare.KeyAbsent(Prefix + user)], [TxnOp.Put(Prefix + user, Serialize(record))], [], cancellationToken);
        if (!result.Succeeded)
            throw new MilvusException(ErrorCodes.Unexpected, $"user already exists: {user}");
        await WaitForViewAsync(u => u.ContainsKey(Prefix + user), cancellationToken);
    }

    /// <summary>Changes a password; the old one must be right (Milvus: 1400 "old password not correct for ...").</summary>
    public async ValueTask UpdatePasswordAsync(string user, string oldPassword, string newPassword, CancellationToken cancellationToken)
    {
        ValidatePassword(newPassword);
        await EnsureStartedAsync(cancellationToken);
        var current = Find(user);
        if (current is null || !Verify(user, oldPassword))
            throw new MilvusException(ErrorCodes.PrivilegeNotAuthenticated, $"old password not correct for {user}: not authenticated");
        var updated = NewRecord(user, newPassword) with { CreatedUnixMs = current.CreatedUnixMs };
        // Applies only if nobody changed the user since it was read.
        var stored = await _store.GetAsync(Prefix + user, cancellationToken);
        if (stored is null)
            throw new MilvusException(ErrorCodes.PrivilegeNotAuthenticated, $"old password not correct for {user}: not authenticated");
        if (!JsonSerializer.Deserialize(stored.Value, SecurityJsonContext.Default.CredentialRecord)!.Hash.AsSpan().SequenceEqual(current.Hash))
            throw new MilvusException(ErrorCodes.Unexpected, $"the password of {user} was changed concurrently; retry");
        var result = await _store.TxnAsync([TxnCompare.ModRevisionIs(Prefix + user, stored.ModRevision)], [TxnOp.Put(Prefix + user, Serialize(updated))], [], cancellationToken);
        if (!result.Succeeded)
            throw new MilvusException(ErrorCodes.Unexpected, $"the password of {user} was changed concurrently; retry");
        _verified.TryRemove(user, out _);
        await WaitForViewAsync(u => u.TryGetValue(Prefix + user, out var r) && r.Hash.AsSpan().SequenceEqual(updated.Hash), cancellationToken);
    }

    public async ValueTask DeleteAsync(string user, CancellationToken cancellationToken)
    {
        if (user == RootUser)
            throw MilvusErrors.Invalid("root user cannot be deleted");
        await EnsureStartedAsync(cancellationToken);
        if (!await _store.DeleteAsync(Prefix + user, cancellationToken))
            throw new MilvusException(ErrorCodes.Unexpected, $"user not found: {user}");
        _verified.TryRemove(user, out _);
        await WaitForViewAsync(u => !u.ContainsKey(Prefix + user), cancellationToken);
    }

    /// <summary>True when <paramref name="password"/> is the user's; constant-time comparisons, PBKDF2 only on a cache miss.</summary>
    public bool Verify(string user, string password)
    {
        var record = Find(user);
        byte[] digest = HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes(password));
        if (record is not null && _verified.TryGetValue(user, out var hit) && ReferenceEquals(hit.Record, record)
            && CryptographicOperations.FixedTimeEquals(hit.Digest, digest))
            return true;
        if (record is null)
        {
            // Same work for an unknown user as for a wrong password: the answer time does not tell which users exist.
            Rfc2898DeriveBytes.Pbkdf2(password, new byte[SaltBytes], _options.PasswordIterations, HashAlgorithmName.SHA256, HashBytes);
            return false;
        }
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(password, record.Salt, record.Iterations, HashAlgorithmName.SHA256, record.Hash.Length);
        if (!CryptographicOperations.FixedTimeEquals(hash, record.Hash))
            return false;
        if (_verified.Count >= MaxCachedPairs)
            _verified.Clear();
        _verified[user] = (record, digest);
        return true;
    }

    private CredentialRecord? Find(string user) => _users.Entries.GetValueOrDefault(Prefix + user);

    private CredentialRecord NewRecord(string user, string password)
    {
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        int iterations = Math.Max(1, _options.PasswordIterations);
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return new CredentialRecord(user, salt, hash, iterations, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    private static byte[] Serialize(CredentialRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, SecurityJsonContext.Default.CredentialRecord);

    /// <summary>After a write, waits until the watched copy shows it, so the next request (here) already sees it.</summary>
    private async Task WaitForViewAsync(Func<System.Collections.Immutable.ImmutableDictionary<string, CredentialRecord>, bool> condition, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await _users.WaitUntilAsync(condition, timeout.Token);
    }

    /// <summary>Milvus's rule: 1..32 characters, a letter first, then letters, digits and underscores.</summary>
    public static void ValidateUserName(string? user)
    {
        if (string.IsNullOrEmpty(user))
            throw MilvusErrors.Invalid("invalid user name: the username should not be empty");
        if (user.Length > MaxUserNameLength)
            throw MilvusErrors.Invalid($"invalid user name {user}: the length of a username must be at most {MaxUserNameLength} characters");
        if (!char.IsAsciiLetter(user[0]))
            throw MilvusErrors.Invalid($"invalid user name {user}: the first character of a username must be a letter");
        foreach (char c in user)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
                throw MilvusErrors.Invalid($"invalid user name {user}: a username can only contain numbers, letters and underscores");
        }
    }

    private static void ValidatePassword(string? password)
    {
        if (password is null || password.Length < MinPasswordLength || password.Length > MaxPasswordLength)
            throw MilvusErrors.Invalid($"invalid password length: out of range {MinPasswordLength} <= value <= {MaxPasswordLength}");
    }

    public ValueTask DisposeAsync() => _users.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Authentication is on and user 'root' still has the default password 'Milvus': change it (UpdateCredential or POST /v2/vectordb/users/update_password)")]
    private partial void LogDefaultRootPassword();
}
