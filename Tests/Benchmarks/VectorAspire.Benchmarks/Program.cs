using VectorAspire.Benchmarks;

if (args.Length > 0 && args[0] == "rest-insert")
    return RestInsertBenchmark.Run(args);
if (args.Length > 0 && args[0] == "rest-search")
    return RestSearchBenchmark.Run(args);
if (args.Length > 0 && args[0] == "hop-search")
    return HopSearchBenchmark.Run(args);
if (args.Length > 0 && args[0] == "ann")
    return AnnBenchmark.Run(args);
if (args.Length > 0 && args[0] == "wal")
    return WalBenchmark.Run(args);
if (args.Length > 0 && args[0] == "memory")
    return MemoryBenchmark.Run(args);

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (FormatException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

BenchReport.PrintEnvironment(options);
if (options.Command == "flat")
    FlatBenchmark.Run(options);
if (options.Command == "kernels" || options.Kernels)
    KernelBenchmark.Run(options);
return 0;
