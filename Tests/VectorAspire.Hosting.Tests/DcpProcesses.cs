using System.Diagnostics;
using System.Globalization;

namespace VectorAspire.Hosting.Tests;

/// <summary>
/// The processes of the DCP instance (Aspire's orchestrator) an app in this test process started: <c>dcp
/// start-apiserver --monitor {our pid}</c> runs detached, and everything below it (run-controllers, the resources).
/// DCP stops them when the app stops, but it watches the test host, which outlives the test, and this machine's
/// PID 1 reaps orphans late; so a test captures them while the app runs and, after disposing it, waits for them and
/// kills by id whatever is still running at the deadline.
/// </summary>
internal sealed class DcpProcesses
{
    private readonly IReadOnlyList<(int Pid, string CommandLine)> _processes;

    private DcpProcesses(IReadOnlyList<(int Pid, string CommandLine)> processes)
    {
        _processes = processes;
    }

    public int Count => _processes.Count;

    public static DcpProcesses Capture() => Capture(Environment.ProcessId);

    /// <summary>The DCP instance that watches process <paramref name="monitoredPid"/> (an AppHost run as its own process).</summary>
    public static DcpProcesses Capture(int monitoredPid)
    {
        var table = ReadProcessTable();
        var monitor = monitoredPid.ToString(CultureInfo.InvariantCulture);
        var roots = new HashSet<int>();
        foreach (var (pid, (_, arguments)) in table)
        {
            if (arguments.Length > 3 && Path.GetFileName(arguments[0]) == "dcp" && arguments[1] == "start-apiserver"
                && Array.IndexOf(arguments, "--monitor") is var at and >= 0 && at + 1 < arguments.Length
                && arguments[at + 1] == monitor)
            {
                roots.Add(pid);
            }
        }

        // Descendants, found by walking parent links until no new process joins.
        var members = new HashSet<int>(roots);
        bool grew;
        do
        {
            grew = false;
            foreach (var (pid, (parent, _)) in table)
            {
                if (members.Contains(parent) && members.Add(pid))
                {
                    grew = true;
                }
            }
        }
        while (grew);

        return new DcpProcesses(members.Select(pid => (pid, string.Join(' ', table[pid].Arguments))).ToList());
    }

    /// <summary>Waits until every captured process has exited; kills those still running at the deadline.</summary>
    public async Task<(int Killed, TimeSpan Waited)> StopAsync(TimeSpan deadline)
    {
        var watch = Stopwatch.StartNew();
        var running = Running();
        while (running.Count > 0 && watch.Elapsed < deadline)
        {
            await Task.Delay(100);
            running = Running();
        }

        var waited = watch.Elapsed;
        foreach (var pid in running)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            catch (ArgumentException)
            {
                // exited on its own in the meantime
            }
            catch (InvalidOperationException)
            {
                // exited on its own in the meantime
            }
        }

        return (running.Count, waited);
    }

    /// <summary>Captured processes still alive: same pid and command line, not a zombie.</summary>
    private List<int> Running()
    {
        var table = ReadProcessTable();
        var running = new List<int>();
        foreach (var (pid, commandLine) in _processes)
        {
            if (table.TryGetValue(pid, out var entry) && string.Join(' ', entry.Arguments) == commandLine)
            {
                running.Add(pid);
            }
        }

        return running;
    }

    /// <summary>pid → (parent pid, arguments) of every live process; zombies have no arguments and are left out.</summary>
    private static Dictionary<int, (int Parent, string[] Arguments)> ReadProcessTable()
    {
        var table = new Dictionary<int, (int, string[])>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline"));
                if (commandLine.Length == 0)
                {
                    continue;
                }

                // stat: "pid (comm) state ppid ..."; comm may hold spaces or parentheses, so parse after the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] == "Z")
                {
                    continue;
                }

                table[pid] = (int.Parse(fields[1], CultureInfo.InvariantCulture), commandLine.TrimEnd('\0').Split('\0'));
            }
            catch (IOException)
            {
                // exited while we looked
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return table;
    }
}
