using VectorAspire.Standalone;

var app = StandaloneServer.Build(args);
await app.RunAsync();
