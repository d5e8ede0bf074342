using System.Text;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Rpc;
using VectorAspire.Protos.Milvus;
using VectorAspire.Proxy.Security;

namespace VectorAspire.Proxy.Grpc;

public sealed partial class MilvusGrpcService
{
    private CredentialStore Credentials => _credentials ?? throw new MilvusException(ErrorCodes.ServiceUnimplemented, "users are not available on this server");

    private void RegisterUsers(IGrpcMethodRegistry r)
    {
        // The SDKs send passwords base64-encoded in these messages.
        MapStatus(r, "CreateCredential", CreateCredentialRequest.Parser, async (req, ctx) =>
            await Credentials.CreateAsync(req.Username, Base64Password(req.Password, "password"), ctx.CancellationToken));
        MapStatus(r, "UpdateCredential", UpdateCredentialRequest.Parser, async (req, ctx) =>
            await Credentials.UpdatePasswordAsync(req.Username, Base64Password(req.OldPassword, "oldPassword"), Base64Password(req.NewPassword, "newPassword"), ctx.CancellationToken));
        MapStatus(r, "DeleteCredential", DeleteCredentialRequest.Parser, async (req, ctx) =>
            await Credentials.DeleteAsync(req.Username, ctx.CancellationToken));
        Map(r, "ListCredUsers", ListCredUsersRequest.Parser, async (_, ctx) =>
        {
            var resp = new ListCredUsersResponse { Status = Ok() };
            resp.Usernames.Add(await Credentials.ListAsync(ctx.CancellationToken));
            return resp;
        }, (m, s) => m.Status = s);
    }

    private static string Base64Password(string value, string field)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(value));
        }
        catch (FormatException)
        {
            throw MilvusErrors.Invalid($"{field} must be base64-encoded, as the Milvus SDKs send it");
        }
    }
}
