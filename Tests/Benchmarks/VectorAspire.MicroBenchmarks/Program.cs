using BenchmarkDotNet.Running;

// dotnet run -c Release --project Tests/Benchmarks/VectorAspire.MicroBenchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(VectorAspire.MicroBenchmarks.KernelBenchmarks).Assembly).Run(args);
