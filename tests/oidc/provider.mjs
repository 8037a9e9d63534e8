// A real OpenID provider for the sign-in tests: node's oidc-provider (npm, MIT), configured
// from the environment the test suite sets, on 127.0.0.1. Its development login page takes
// any password; the accounts (their e-mail and directory groups) are read from the file
// OP_ACCOUNTS_FILE at each sign-in, so a test can change someone's groups in the directory.
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const port = Number(process.env.OP_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = () => JSON.parse(readFileSync(process.env.OP_ACCOUNTS_FILE, "utf8"));
const clients = JSON.parse(process.env.OP_CLIENTS);

const provider = new Provider(issuer, {
  clients,
  cookies: { keys: ["walkabout-test-provider"] },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    groups: ["groups"],
  },
  scopes: ["openid", "email", "groups"],
  // The claims in the ID token itself, as Entra ID, Okta and Keycloak put them there.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  ttl: { IdToken: 300, AccessToken: 300, Session: 3600, Interaction: 600, Grant: 3600 },
  async findAccount(ctx, id) {
    const known = accounts()[id] || {};
    return {
      accountId: id,
      async claims() {
        return {
          sub: known.sub || id,
          email: known.email || id,
          email_verified: known.email_verified ?? true,
          groups: known.groups || [],
        };
      },
    };
  },
  // Consent is the organisation's, given once for its own app: no consent page.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email groups");
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
provider.listen(port, "127.0.0.1", () => {
  console.log(`listening ${issuer}`);
});
