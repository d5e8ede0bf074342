namespace VectorAspire.Proxy.Security;

public sealed class SecurityOptions
{
    public const string Section = "VectorAspire:Security";

    /// <summary>Require a user and password on every call (Milvus's common.security.authorizationEnabled). Off by default; <c>--auth</c> turns it on.</summary>
    public bool AuthorizationEnabled { get; set; }

    /// <summary>PBKDF2-SHA256 iterations for new password hashes (stored with each hash, so changing it affects new passwords only).</summary>
    public int PasswordIterations { get; set; } = 100_000;
}
