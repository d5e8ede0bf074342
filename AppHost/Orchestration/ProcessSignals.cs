using System.Runtime.InteropServices;

namespace VectorAspire.AppHost.Orchestration;

/// <summary>
/// Graceful stop for a child process. .NET's Process.Kill sends SIGKILL, which skips the child's shutdown (WAL flush,
/// segment seal), so on Unix the AppHost sends SIGTERM through libc and only kills after a grace period.
/// </summary>
internal static partial class ProcessSignals
{
    private const int SigTerm = 15;
    private const int NoSuchProcess = 3; // ESRCH

    /// <summary>Asks the process to stop; returns false when it is already gone or the platform has no signals.</summary>
    public static bool TryRequestStop(int processId)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        if (Kill(processId, SigTerm) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error == NoSuchProcess)
        {
            return false;
        }

        throw new InvalidOperationException($"kill({processId}, SIGTERM) failed with errno {error}.");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
