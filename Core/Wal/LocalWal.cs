using System.Buffers;

namespace VectorAspire.Core.Wal;

/// <summary>
/// <see cref="IWal"/> on the local file system: one directory per channel under <c>rootDirectory</c>, holding
/// segment files (see <see cref="WalSegmentFormat"/>) and a <c>LOCK</c> file held exclusively while the channel is
/// open, so two processes cannot write one channel. Opening an already open channel returns the same instance.
/// </summary>
public sealed class LocalWal : IWal
{
    private static readonly SearchValues<char> s_nameChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    private readonly string _root;
    private readonly LocalWalOptions _options;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LocalWalChannel> _channels = new(StringComparer.Ordinal);
    private bool _disposed;

    public LocalWal(string rootDirectory, LocalWalOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        _root = Path.GetFullPath(rootDirectory);
        _options = options ?? new LocalWalOptions();
        _options.Validate();
    }

    public string RootDirectory => _root;

    public ValueTask<IWalChannel> OpenChannelAsync(string name, CancellationToken cancellationToken)
    {
        ValidateChannelName(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_channels.TryGetValue(name, out LocalWalChannel? channel))
            {
                channel = LocalWalChannel.Open(name, Path.Combine(_root, name), _options, this);
                _channels.Add(name, channel);
            }

            return ValueTask.FromResult<IWalChannel>(channel);
        }
    }

    public async ValueTask DisposeAsync()
    {
        LocalWalChannel[] channels;
        lock (_lock)
        {
            _disposed = true;
            channels = [.. _channels.Values];
        }

        foreach (LocalWalChannel channel in channels)
        {
            await channel.DisposeAsync();
        }
    }

    internal void OnChannelClosed(LocalWalChannel channel)
    {
        lock (_lock)
        {
            if (_channels.TryGetValue(channel.Name, out LocalWalChannel? current) && ReferenceEquals(current, channel))
            {
                _channels.Remove(channel.Name);
            }
        }
    }

    /// <summary>Channel names become directory names: 1–128 of [A-Za-z0-9._-], not starting with '.'.</summary>
    internal static void ValidateChannelName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 128 || name[0] == '.' || name.AsSpan().ContainsAnyExcept(s_nameChars))
        {
            throw new ArgumentException(
                $"WAL channel name '{name}' is invalid: use 1-128 characters from [A-Za-z0-9._-], not starting with '.'", nameof(name));
        }
    }
}
