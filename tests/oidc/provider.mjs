// A real OpenID Connect provider (the certified `oidc-provider` package) for Sparring's single
// sign-on tests, on loopback. Started by tests/utils/oidc.py; prints READY when it listens.
//
// Its test accounts and their groups are below. POST /__test/mode {"mode": ...} makes the token
// endpoint misbehave for the next logins, as an attacker or a broken clock would:
//   "tamper"  - the ID token's payload is changed (groups: admin) without a new signature
//   "expired" - the ID token is re-signed with the provider's own key, but expired an hour ago
//   "normal"  - as issued
import http from 'node:http';
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK, importJWK, SignJWT, decodeJwt } from 'jose';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = process.env.OIDC_REDIRECT_URIS.split(',');
const postLogoutUris = process.env.OIDC_POST_LOGOUT_URIS.split(',');

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'sparring-test', alg: 'RS256', use: 'sig' };
const signingKey = await importJWK(jwk, 'RS256');

const ACCOUNTS = {
  anna: ['sparring-facilitatorer'],
  bo: ['direktionen', 'sparring-ledelse'],
  carl: ['sparring-admins'],
  dorte: ['oekonomi'], // in the organisation, but in no group Sparring maps to a role
};

let mode = 'normal';

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'sparring',
    client_secret: 'klient-hemmelighed-til-test',
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: ['sparring-test-cookie-key'] },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email'],
    groups: ['groups'],
  },
  conformIdTokenClaims: false, // the groups travel in the ID token, as Entra ID puts them
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          preferred_username: id,
          name: id,
          email: `${id}@kommune.test`,
          groups: ACCOUNTS[id] ?? [],
        };
      },
    };
  },
  // Consent is given once for all: the tests log in, they do not study consent screens.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email groups');
    grant.addOIDCClaims(['groups']);
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/mode' && ctx.method === 'POST') {
    const body = await new Promise((resolve) => {
      let data = '';
      ctx.req.on('data', (chunk) => { data += chunk; });
      ctx.req.on('end', () => resolve(data));
    });
    mode = JSON.parse(body).mode;
    ctx.body = { mode };
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token && mode !== 'normal') {
    const [header, payload, signature] = ctx.body.id_token.split('.');
    if (mode === 'tamper') {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      claims.groups = ['sparring-admins'];
      const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
      ctx.body = { ...ctx.body, id_token: `${header}.${forged}.${signature}` };
    } else if (mode === 'expired') {
      const claims = decodeJwt(ctx.body.id_token);
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({ ...claims, iat: now - 7200, exp: now - 3600 })
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
        .sign(signingKey);
      ctx.body = { ...ctx.body, id_token: idToken };
    }
  }
});

http.createServer(provider.callback()).listen(port, '127.0.0.1', () => {
  console.log(`READY ${issuer}`);
});
