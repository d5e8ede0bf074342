using System.Runtime.CompilerServices;

namespace VectorAspire.Core.Vectors;

// Fixed-size score scratch kept as a struct local rather than stackalloc: a method that uses stackalloc is
// compiled straight to FullOpts and skips tiered PGO (and the kernel inlining that comes with it), which cost
// about a third of the in-cache scan rate.

[InlineArray(64)]
internal struct ScoreBuffer64
{
    private float _element0;
}

[InlineArray(256)]
internal struct ScoreBuffer256
{
    private float _element0;
}
