using VectorAspire.Benchmarks;

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
