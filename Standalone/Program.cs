using System.Net;
using VectorAspire.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

// --port (default 19530) carries REST v2, gRPC, /health and /alive (ARCHITECTURE §2).
var port = builder.Configuration.GetValue("port", 19530);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
