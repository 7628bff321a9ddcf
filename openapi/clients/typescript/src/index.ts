// A typed client for a tenant app: the generated types (src/schema.ts, from openapi/platform.json)
// over openapi-fetch. `createPlatformClient(baseUrl, tenant)` names the account calls a tenant app
// makes; `.api` reaches every other operation of the spec, just as typed.

import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };
export type Schemas = components["schemas"];
/** Every error body: RFC 9457 problem+json with the platform's stable `code` and `request_id`. */
export type Problem = Schemas["Problem"];
export type TokenPair = Schemas["TokenPairView"];
/** A login's second-factor challenge, as the discriminated login result carries it. */
export type MfaChallenge = Extract<Schemas["LoginResult"], { result: "mfa_required" }>;
export type LoginResult = Schemas["LoginResult"];
export type User = Schemas["UserView"];

export interface PlatformClientOptions {
  /** The user's access token, sent as `Authorization: Bearer`; a function is asked on each request. */
  accessToken?: string | (() => string | undefined);
  /** A fetch to use instead of the global one. */
  fetch?: (input: Request) => Promise<Response>;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/**
 * A client for one tenant (its slug or id). Each call resolves to openapi-fetch's
 * `{ data, error, response }`: `data` typed from the spec's success response, `error` a `Problem`.
 * Refresh tokens travel in the request body (cookie mode is for browsers).
 */
export function createPlatformClient(baseUrl: string, tenant: string, options: PlatformClientOptions = {}) {
  const api: Client<paths> = createClient<paths>({
    baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const { accessToken } = options;
  if (accessToken !== undefined) {
    const bearer: Middleware = {
      onRequest({ request }) {
        const token = typeof accessToken === "function" ? accessToken() : accessToken;
        if (token && !request.headers.has("Authorization")) {
          request.headers.set("Authorization", `Bearer ${token}`);
        }
        return request;
      },
    };
    api.use(bearer);
  }
  const params = { path: { tenant } };
  return {
    /** The underlying openapi-fetch client: every operation of the spec. */
    api,
    tenant,
    register: (body: Schemas["RegisterRequest"]) =>
      api.POST("/v1/tenants/{tenant}/auth/register", { params, body }),
    verifyEmail: (body: Schemas["EmailCodeRequest"]) =>
      api.POST("/v1/tenants/{tenant}/auth/email/verify", { params, body }),
    resendVerification: (body: Schemas["EmailRequest"]) =>
      api.POST("/v1/tenants/{tenant}/auth/email/resend", { params, body }),
    login: (body: Schemas["LoginRequest"]) => api.POST("/v1/tenants/{tenant}/auth/login", { params, body }),
    loginMfa: (body: Schemas["MfaLoginRequest"]) =>
      api.POST("/v1/tenants/{tenant}/auth/login/mfa", { params, body }),
    refresh: (refreshToken: string) =>
      api.POST("/v1/tenants/{tenant}/auth/token/refresh", { params, body: { refresh_token: refreshToken } }),
    /** Ends this session (`all`: every session of the user). */
    logout: (all?: boolean) =>
      api.POST("/v1/tenants/{tenant}/auth/logout", { params: { ...params, query: all ? { all } : {} } }),
    me: () => api.GET("/v1/tenants/{tenant}/me", { params }),
  };
}

export type PlatformClient = ReturnType<typeof createPlatformClient>;

/** A login answered with a second-factor challenge rather than a token pair. */
export function isMfaChallenge(result: LoginResult): result is MfaChallenge {
  return result.result === "mfa_required";
}
