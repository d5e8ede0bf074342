using VectorAspire.Core.Errors;
using VectorAspire.Proxy.Security;

namespace VectorAspire.Proxy.Rest;

public sealed partial class MilvusRestApi
{
    private CredentialStore Credentials => _credentials ?? throw new MilvusException(ErrorCodes.ServiceUnimplemented, "users are not available on this server");

    private void RegisterUsers()
    {
        On("users/create", async (r, w, ct) =>
        {
            await Credentials.CreateAsync(r.RequiredString("userName"), r.RequiredString("password"), ct);
            WriteEmpty(w);
        });
        On("users/drop", async (r, w, ct) =>
        {
            await Credentials.DeleteAsync(r.RequiredString("userName"), ct);
            WriteEmpty(w);
        });
        On("users/list", async (_, w, ct) =>
        {
            w.WriteStartArray("data");
            foreach (var user in await Credentials.ListAsync(ct))
                w.WriteStringValue(user);
            w.WriteEndArray();
        });
        On("users/describe", async (r, w, ct) =>
        {
            string user = r.RequiredString("userName");
            if (!await Credentials.ExistsAsync(user, ct))
                throw new MilvusException(ErrorCodes.Unexpected, $"user not found: {user}");
            w.WriteStartObject("data");
            w.WriteString("userName", user);
            w.WriteStartArray("roles"); // roles come with RBAC
            w.WriteEndArray();
            w.WriteEndObject();
        });
        On("users/update_password", async (r, w, ct) =>
        {
            await Credentials.UpdatePasswordAsync(r.RequiredString("userName"), r.RequiredString("password"), r.RequiredString("newPassword"), ct);
            WriteEmpty(w);
        });
    }
}
